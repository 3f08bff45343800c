"""Shared steps for the import job tests: sign in, upload, run the real worker.

The worker: `manage.py db_worker --batch` through call_command, in this process and thread, so it
sees the test's databases (in-memory SQLite). That is django_tasks_db's own Worker loop — claim a
task row, run it, record its result — only without a separate process. Jobs run with
IMPORT_CONCURRENCY=1 here (tests/imports/conftest.py): several threads writing the sandbox's
in-memory shared-cache SQLite database collide on its table locks; the threaded path is exercised
against file databases by test_jobs_worker_process.py and bench/import_10k.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
import signal
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.graph.client import GraphClient
from portal.imports.models import ImportJob
from portal.sandbox import keys
from portal.sandbox.models import DirectoryUser, HardwareToken
from tests.support.signin import signed_in_client

DOMAIN = "contoso-sandbox.example"
NESTOR = f"nestor.wilke@{DOMAIN}"  # Authentication Policy Administrator: inventory only
MIRIAM = f"miriam.graham@{DOMAIN}"  # Global Administrator: inventory and users
ISAIAH = f"isaiah.langer@{DOMAIN}"  # Authentication Administrator: users only
GRADY = f"grady.archie@{DOMAIN}"  # Global Reader
ADELE = f"adele.vance@{DOMAIN}"  # employee
MEGAN = f"megan.bowen@{DOMAIN}"
ALEX = f"alex.wilber@{DOMAIN}"
GUEST = f"pradeep.gupta_fabrikam.example#EXT#@{DOMAIN}"

ADMIN_SCOPES = ["User.Read.All", "UserAuthenticationMethod.ReadWrite.All", "Policy.ReadWrite.AuthenticationMethod"]


def secret_for(label: str, size: int = 20) -> bytes:
    """A distinct, deterministic seed per label."""
    return hashlib.sha256(label.encode()).digest()[:size]


def b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode().rstrip("=")


def admin_client(upn: str) -> Client:
    return signed_in_client(upn, admin=True)


def upload(
    client: Client, data: bytes, *, name: str = "tokens.csv", assignments: bool = False, **fields: str
) -> ImportJob:
    """Upload through the page, as a browser does; returns the job it created."""
    url = "/admin/imports/assignments/new" if assignments else "/admin/imports/new"
    response = client.post(url, {"file": SimpleUploadedFile(name, data), **fields})
    assert response.status_code == 302, (response.status_code, _errors(response))
    job_id = re.search(r"/admin/imports/([0-9a-f-]{36})/", response["Location"])
    assert job_id, response["Location"]
    return ImportJob.objects.get(public_id=job_id.group(1))


def _errors(response: Any) -> str:
    text = response.content.decode(errors="replace")
    return " | ".join(re.findall(r'class="(?:error|form-error)"[^>]*>(.*?)</', text, flags=re.S))[:1000]


def run_worker() -> None:
    """Run every ready task with the real db_worker command, then come back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, interval=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    # A task may only fail by the sandbox killing its caller (SANDBOX["CALLER_DIES_AFTER_WRITES"]).
    failed = DBTaskResult.objects.filter(status="FAILED").exclude(exception_class_path__endswith="CallerDied")
    assert not failed.exists(), [(result.task_path, result.traceback[-500:]) for result in failed]


def analysed(client: Client, data: bytes, **options: Any) -> ImportJob:
    """Upload, let the worker do the dry run, return the draft."""
    job = upload(client, data, **options)
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DRAFT, (job.status, job.error)
    return job


def confirm(client: Client, job: ImportJob) -> None:
    response = client.post(f"/admin/imports/{job.public_id}/confirm")
    assert response.status_code == 302, response.status_code


def imported(client: Client, data: bytes, **options: Any) -> ImportJob:
    """Upload, dry run, confirm, run: the whole web path. Returns the finished job."""
    job = analysed(client, data, **options)
    confirm(client, job)
    run_worker()
    job.refresh_from_db()
    return job


def sandbox_serials(prefix: str = "") -> set[str]:
    tokens = HardwareToken.objects.all()
    if prefix:
        tokens = tokens.filter(serial_number__startswith=prefix)
    return set(tokens.values_list("serial_number", flat=True))


def graph_as(upn: str) -> GraphClient:
    """A Graph client for a sandbox user, with the admin scopes (test set-up and checks only)."""
    user = DirectoryUser.objects.get(user_principal_name=upn)
    token = keys.mint_access_token(
        user=user, scopes=ADMIN_SCOPES, client_id=settings.ENTRA_CLIENT_ID, auth_time=timezone.now()
    )
    return GraphClient(token)


def user_id(upn: str) -> str:
    return str(DirectoryUser.objects.get(user_principal_name=upn).id)


def all_rows_text() -> Iterator[str]:
    """Every value of every row of every table of the portal's database, as text."""
    from django.db import connections

    connection = connections["default"]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        yield bytes(value).decode("latin-1")
                    elif value is not None:
                        yield str(value)
