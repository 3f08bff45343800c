"""Load capacity: locust (headless) against gunicorn with the production settings on the sandbox.

    .venv/bin/python bench/load.py [--users 8] [--journey-seconds 30] [--page-seconds 10] [--quick]

What runs, in a temporary directory (nothing of var/ is touched), on loopback only:
* the release step of deploy/Procfile (migrate, createcachetable), the sandbox's demo seed, plus
  50 employees with one spare token each (people for the journeys);
* gunicorn exactly as the Procfile's `web` line runs it (`gunicorn --config
  deploy/gunicorn.conf.py`: WEB_CONCURRENCY=2 workers x GUNICORN_THREADS=4, DEBUG off, a real
  SECRET_KEY, logging at info to a file) on a free port of 127.0.0.1;
* locust, headless, as a separate process on the same machine (bench/locustfile.py):
  1. the journeys — employees (sign in once each through the real sandbox sign-in, then My
     tokens, the add page, add a token with its current code, remove it) and administrators
     (overview, find user, user page, inventory), 3:1, `--users` clients, `--journey-seconds`
     (measured from the moment the last of them has signed in);
  2. capacity per page — `--users` clients on one page for `--page-seconds` each (again from the
     last sign-in on), the bare page
     first: /healthz, answered by the portal's first middleware (no session, no template, no
     database), is the most this gunicorn can serve on this machine right now, so the ratio of a
     page to it holds on a noisy machine where absolute figures don't.

Prints requests/s, p50, p99 and errors per page. The client shares the machine's cores with the
server, so absolute figures are lower than a separate load generator would show.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (
    DOMAIN,
    ROOT,
    Row,
    common_arguments,
    configure,
    grow_tenant,
    sandbox_environment,
    secret,
    write_rows,
)

BIN = Path(sys.executable).parent
ADMIN_UPN = f"lynne.robbins@{DOMAIN}"


@dataclass
class Stats:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p99: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(tmp: Path, base_url: str, people: int) -> tuple[Path, dict[str, str]]:
    """Release step, demo seed and the journeys' people; returns (people file, admin)."""
    configure(tmp, base_url=base_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from portal.sandbox.models import DirectoryUser, HardwareToken

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("sandbox_seed", verbosity=0)
    pairs = grow_tenant(users=people, tokens=people, assigned=0)
    rows = []
    for n, (upn, serial) in enumerate(pairs):
        token = HardwareToken.objects.get(serial_number=serial)
        user = DirectoryUser.objects.get(user_principal_name=upn)
        rows.append(
            {
                "upn": upn,
                "user_id": str(user.id),
                "token": {"serial": serial, "id": str(token.id), "secret": secret(f"bench-{n}")},
            }
        )
    admin = DirectoryUser.objects.get(user_principal_name=ADMIN_UPN)
    connections.close_all()
    people_file = tmp / "people.json"  # sandbox token secrets, for this run only, deleted with tmp
    people_file.write_text(json.dumps(rows), encoding="utf-8")
    return people_file, {"upn": ADMIN_UPN, "user_id": str(admin.id)}


def wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def warm_up(base_url: str, rounds: int) -> None:
    """First requests import Django's views, read the signing key and build MSAL per thread:
    seconds each on a busy machine. Pay that before anything is measured."""
    for _ in range(rounds):
        for path in ("/healthz", "/", "/auth/sign-in?next=/tokens/"):
            request = urllib.request.Request(f"{base_url}{path}")
            try:
                with urllib.request.urlopen(request, timeout=30):
                    pass
            except OSError:
                pass


def run_locust(
    tmp: Path, env: dict[str, str], label: str, classes: list[str], users: int, seconds: int
) -> dict[str, Stats]:
    prefix = tmp / f"locust-{label}"
    done = subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",  # a cap: the locustfile stops `seconds` after the last sign-in
            f"{seconds + 300}s",
            "--host",
            env["BENCH_HOST"],
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
            *classes,
        ],
        env={**env, "BENCH_SECONDS": str(seconds)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + 400,
        check=False,
    )
    Path(f"{prefix}.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    tracebacks = [line for line in done.stderr.splitlines() if "Error" in line or "Traceback" in line]
    if tracebacks:
        print(f"  locust reported {len(tracebacks)} error lines, e.g.: {tracebacks[-1][:300]}")
    stats_file = Path(f"{prefix}_stats.csv")
    if done.returncode != 0 or not stats_file.exists():
        raise SystemExit(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    found = {}
    with stats_file.open(encoding="utf-8") as stream:
        for line in csv.DictReader(stream):
            if line["Name"] == "Aggregated" or line["Request Count"] == "0":
                continue
            found[line["Name"]] = Stats(
                name=line["Name"],
                requests=int(line["Request Count"]),
                failures=int(line["Failure Count"]),
                rps=float(line["Requests/s"]),
                p50=float(line["50%"]),
                p99=float(line["99%"]),
            )
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(encoding="utf-8") as stream:
            for line in csv.DictReader(stream):
                print(f"  failures: {line['Occurrences']} x {line['Name']}: {line['Error'][:200]}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8, help="Simulated clients (locust users).")
    parser.add_argument("--journey-seconds", type=int, default=30)
    parser.add_argument("--page-seconds", type=int, default=10)
    parser.add_argument("--people", type=int, default=50, help="Employees seeded for the journeys.")
    common_arguments(parser)
    args = parser.parse_args()
    if args.quick:
        args.journey_seconds, args.page_seconds = min(args.journey_seconds, 10), min(args.page_seconds, 4)

    tmp = Path(tempfile.mkdtemp(prefix="load-bench-"))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    people_file, admin = prepare(tmp, base_url, args.people)

    server_env = sandbox_environment(tmp, base_url=base_url)
    server_env.update(
        DJANGO_SECRET_KEY=secret(f"load-bench-{time.time()}") * 2,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        HOST="127.0.0.1",
        PORT=str(port),
        PORTAL_LOG_LEVEL="INFO",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    workers, threads = server_env.get("WEB_CONCURRENCY", "2"), server_env.get("GUNICORN_THREADS", "4")
    log = tmp / "gunicorn.log"
    with log.open("wb") as log_stream:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=server_env,
            stdout=log_stream,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(base_url, server, log)
        warm_up(base_url, rounds=12)
        client_env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BENCH_HOST": base_url,
            "BENCH_PEOPLE": str(people_file),
            "BENCH_ADMIN": json.dumps(admin),
        }
        print(
            f"gunicorn ({workers} workers x {threads} threads, production settings, sandbox tenant) on {base_url}; "
            f"locust with {args.users} clients on the same machine ({os.cpu_count()} cores)."
        )
        print(f"\n1. Journeys, {args.journey_seconds} s (employees : administrators = 3 : 1):")
        journeys = run_locust(
            tmp, client_env, "journeys", ["EmployeeJourney", "AdminJourney"], args.users, args.journey_seconds
        )
        print_stats(journeys.values())
        print(f"\n2. Capacity per page: {args.users} clients on one page for {args.page_seconds} s each:")
        capacity: dict[str, Stats] = {}
        for page in ("bare page (/healthz)", "landing", "My tokens", "admin overview", "admin inventory"):
            found = run_locust(
                tmp,
                {**client_env, "BENCH_PAGE": page},
                f"page-{len(capacity)}",
                ["OnePage"],
                args.users,
                args.page_seconds,
            )
            if page not in found:
                print(f"  {page}: no request finished within {args.page_seconds} s (try --page-seconds)")
                continue
            capacity[page] = found[page]
        bare = capacity["bare page (/healthz)"].rps
        print_stats(capacity.values(), bare=bare)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    errors = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
    if errors:
        print(f"\n{len(errors)} ERROR lines in gunicorn's log, e.g.: {errors[0][:300]}")

    rows = [
        Row(
            f"load: {stats.name}",
            f"{stats.rps:,.0f}",
            "req/s",
            f"{stats.rps / bare:.2f} of the bare page; p50 {stats.p50:.0f} ms, p99 {stats.p99:.0f} ms, "
            f"{stats.failures} errors in {stats.requests:,}",
        )
        for stats in capacity.values()
    ]
    rows += [
        Row(
            f"journey: {stats.name}",
            f"{stats.p99:.0f}",
            "ms p99",
            f"p50 {stats.p50:.0f} ms, {stats.rps:,.1f} req/s, {stats.failures} errors in {stats.requests:,}",
        )
        for stats in journeys.values()
        if not stats.name.startswith("sign-in")
    ]
    write_rows(args.rows_json, rows)
    shutil.rmtree(tmp, ignore_errors=True)


def print_stats(stats: object, *, bare: float | None = None) -> None:
    print(
        f"  {'page':<24}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}{'requests':>10}"
        + ("  of bare" if bare else "")
    )
    for line in stats:  # type: ignore[attr-defined]
        ratio = f"{line.rps / bare:>9.2f}" if bare else ""
        figures = f"{line.rps:>8.1f}{line.p50:>8.0f}{line.p99:>8.0f}{line.failures:>8}{line.requests:>10,}"
        print(f"  {line.name:<24}{figures}{ratio}")


if __name__ == "__main__":
    main()
