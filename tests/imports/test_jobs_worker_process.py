"""A real worker process, killed with SIGKILL mid-job, and the job finishing anyway — exactly once.

Everything runs in subprocesses against SQLite *files* (DATABASE_URL, SANDBOX_DATABASE_PATH and
PORTAL_VAR_DIR point into a temporary directory), because a second process cannot see the test's
in-memory databases. That is also how the threaded path (IMPORT_CONCURRENCY=4, one GraphClient per
thread over the shared requests session) is checked: the in-process tests run with one thread
(see tests/support/imports.py).

1. An admin signs in (through MSAL and the sandbox), uploads 400 tokens and confirms the dry run
   (a small script using Django's test client, as a browser would).
2. `manage.py db_worker` runs the job with 150 ms of latency per Graph request; it is killed with
   SIGKILL while a round of chunks is in flight (rows marked as sent, no answer recorded).
3. No one looks at the job: once its lease has expired, the job's watchdog task (deferred when the
   job was confirmed) hands it to the next worker, `manage.py db_worker --batch`, which settles the
   rows in doubt by looking up their serials and sends the rest.
The sandbox allows duplicate serials here, so only the import's own care can keep the count exact.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from tests.imports.filemakers import entra_csv
from tests.support.imports import NESTOR, b32, secret_for

ROOT = Path(__file__).resolve().parents[2]
TOKENS = 400
# The shortest lease the portal allows (jobs.lease_seconds): the next worker has to wait it out for
# real, since the lease and the watchdog's due time are compared in other processes (the task queue's
# own "now" among them), so the only honest way to make that wait short is a short lease.
LEASE_SECONDS = 2

SCENARIO = textwrap.dedent(
    """
    import sys
    import django
    sys.path.insert(0, {root!r})
    django.setup()
    from django.conf import settings
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from tests.support.signin import sign_in

    client = Client()
    sign_in(client, {upn!r}, admin=True)
    with open({file!r}, "rb") as data:
        response = client.post("/admin/imports/new", {{"file": SimpleUploadedFile("kill.csv", data.read())}})
    assert response.status_code == 302, response.status_code
    job_url = response["Location"]
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)  # the dry run
    assert client.post(job_url + "confirm").status_code == 302
    print(job_url)
    """
)


def environment(tmp: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SANDBOX_", "IMPORT_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}",
        SANDBOX_DATABASE_PATH=str(tmp / "sandbox.sqlite3"),
        SANDBOX_LATENCY_MS="150",
        SANDBOX_UNIQUE_SERIALS="0",
        IMPORT_CONCURRENCY="4",
        IMPORT_CHUNK_SIZE="25",
        IMPORT_LEASE_SECONDS=str(LEASE_SECONDS),
        PORTAL_LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=20) as connection:
        return connection.execute(sql, params).fetchall()


def test_worker_process_killed_mid_job_resumes_without_duplicates(tmp_path: Path) -> None:
    env = environment(tmp_path)
    portal_db, sandbox_db = tmp_path / "portal.sqlite3", tmp_path / "sandbox.sqlite3"
    manage(env, "migrate", "--no-input")
    manage(env, "sandbox_seed")
    seeds = tmp_path / "kill.csv"
    rows = [(f"KP{n:04d}", b32(secret_for(f"kp{n}")), "30", "Feitian", "c200") for n in range(TOKENS)]
    seeds.write_bytes(entra_csv(rows, with_upn=False))
    script = tmp_path / "scenario.py"
    script.write_text(SCENARIO.format(root=str(ROOT), upn=NESTOR, file=str(seeds)))
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert query(portal_db, "SELECT status, to_send FROM imports_importjob") == [("queued", TOKENS)]

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("wb"),  # a file, not a pipe nobody reads: no stall when it fills
        start_new_session=True,
    )

    def progress() -> tuple[int, int, int]:
        """(rows recorded as created, rows sent without an answer, tokens Graph holds)."""
        ((created, in_doubt),) = query(
            portal_db,
            "SELECT SUM(outcome = 'created'), SUM(outcome = 'pending' AND sent_at IS NOT NULL) FROM imports_importrow",
        )
        ((existing,),) = query(sandbox_db, "SELECT COUNT(*) FROM sandbox_hardwaretoken WHERE serial_number LIKE 'KP%'")
        return int(created or 0), int(in_doubt or 0), int(existing)

    def mid_round(created: int, in_doubt: int, existing: int) -> bool:
        """Graph has created tokens whose answers are not recorded yet."""
        return created >= 100 and in_doubt > 0 and existing > created

    in_doubt = created = 0
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if mid_round(*progress()):
                # Freeze the worker and look again: what is read while it stands still is what the kill
                # leaves (an answer recorded between a look and the kill would leave nothing in doubt).
                # WAL: reading never waits for a writer, even a frozen one.
                os.killpg(worker.pid, signal.SIGSTOP)
                created, in_doubt, existing = progress()
                if mid_round(created, in_doubt, existing):
                    break
                os.killpg(worker.pid, signal.SIGCONT)
            time.sleep(0.005)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and nothing else: its own process group
        worker.wait(timeout=10)
    assert created >= 100 and in_doubt > 0, (created, in_doubt)
    assert created < TOKENS
    # What the dead worker left: tokens Graph created whose answer it never recorded.
    ((recorded,),) = query(portal_db, "SELECT COUNT(*) FROM imports_importrow WHERE outcome = 'created'")
    ((existing,),) = query(sandbox_db, "SELECT COUNT(*) FROM sandbox_hardwaretoken WHERE serial_number LIKE 'KP%'")
    unrecorded = int(existing) - int(recorded)
    assert 0 < unrecorded <= int(in_doubt)
    assert query(portal_db, "SELECT status FROM imports_importjob") == [("running",)]

    # Unattended: wait for the lease to lapse and the watchdog to fall due, then start a worker.
    ((lease_expires, watch_due),) = query(
        portal_db,
        "SELECT (SELECT lease_expires FROM imports_importjob), (SELECT MAX(run_after) FROM "
        "django_tasks_database_dbtaskresult WHERE task_path LIKE '%import_job_watch')",
    )
    assert lease_expires is not None and watch_due is not None
    # Django keeps SQLite datetimes as naive UTC: read them as UTC, whatever this machine's zone is.
    expires, due = (
        datetime.fromisoformat(str(at)).replace(tzinfo=UTC).timestamp() for at in (lease_expires, watch_due)
    )
    assert due - expires <= 2 * LEASE_SECONDS, "the watchdog is not due just after the lease"
    time.sleep(max(0.0, max(expires, due) - time.time() + 0.2))  # until both have passed, no longer
    manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload", timeout=180)

    job = query(portal_db, "SELECT status, attempts, results, delegated_cache FROM imports_importjob")
    assert job[0][:2] == ("done", 2), job[0][:3]
    assert '"created": 400' in str(job[0][2])
    assert job[0][3] in (b"", "")  # the delegated sign-in erased
    ((tokens,),) = query(sandbox_db, "SELECT COUNT(*) FROM sandbox_hardwaretoken WHERE serial_number LIKE 'KP%'")
    ((distinct,),) = query(
        sandbox_db, "SELECT COUNT(DISTINCT serial_number) FROM sandbox_hardwaretoken WHERE serial_number LIKE 'KP%'"
    )
    assert (tokens, distinct) == (TOKENS, TOKENS)  # every token, and not one twice
    assert query(portal_db, "SELECT COUNT(*) FROM imports_importrow WHERE secret != x''") == [(0,)]
    # Each of those was found by its serial, not sent again.
    looked_up = query(
        portal_db, "SELECT COUNT(*) FROM imports_importrow WHERE detail LIKE 'Created (confirmed by looking it up%'"
    )
    assert looked_up == [(unrecorded,)]

    # Four chunks were in flight at once: sequential PATCHes are at least the 150 ms latency apart.
    stamps = sorted(
        datetime.fromisoformat(str(at)).timestamp()
        for (at,) in query(sandbox_db, "SELECT at FROM sandbox_requestlogentry WHERE method = 'PATCH'")
    )
    gaps = [later - earlier for earlier, later in pairwise(stamps)]
    assert min(gaps) < 0.1, gaps
