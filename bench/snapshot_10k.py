"""The token program's snapshot for a large tenant: 10,000 tokens held by 5,000 people, 100 ms of
latency per Graph request.

    .venv/bin/python bench/snapshot_10k.py [--tokens 10000] [--users 5000] [--latency-ms 100] [--quick]

`--quick` (what `bench/run_all.py --quick` passes): 1,000 tokens held by 500 people.

In a temporary directory with its own SQLite files (nothing of var/ is touched): the sandbox tenant
is filled directly (the demo seed plus 8,000 tokens assigned to 5,000 people, the rest in stock), then the snapshot is
built twice through the real Graph client and the sandbox transport, as a Privileged Authentication
Administrator: the first build (every assignment date is new) and a second one (dates carried over),
then the overview's queue and the reports are read from the stored snapshot. Figures are printed,
not asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import Row, common_arguments, write_rows


def configure(tmp: Path, latency_ms: int) -> None:
    for name in [key for key in os.environ if key.startswith(("SANDBOX_", "DATABASE_", "PROGRAM_"))]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}",
        SANDBOX_DATABASE_PATH=str(tmp / "sandbox.sqlite3"),
        SANDBOX_LATENCY_MS=str(latency_ms),
        PORTAL_LOG_LEVEL="WARNING",
    )
    (tmp / "staticfiles").mkdir(exist_ok=True)


def fill_tenant(tokens: int, users: int) -> str:
    """Bulk-create people and tokens in the sandbox; returns the acting admin's UPN."""
    from django.utils import timezone

    from portal.sandbox.models import DirectoryUser, HardwareToken
    from portal.sandbox.seed import seed_demo_tenant

    seed_demo_tenant(reset=True)
    now = timezone.now()
    people = [
        DirectoryUser(
            id=uuid.uuid4(),
            user_principal_name=f"bench{n:05d}@bench.example",
            display_name=f"Bench Person {n:05d}",
            department=f"Department {n % 40:02d}",
            account_enabled=n % 97 != 0,
        )
        for n in range(users)
    ]
    DirectoryUser.objects.bulk_create(people, batch_size=1000)
    held = min(tokens, int(users * 1.6))
    statuses = (HardwareToken.Status.ACTIVATED,) * 7 + (HardwareToken.Status.ASSIGNED,) * 2
    rows = []
    for n in range(tokens):
        holder = people[n % users] if n < held else None
        status = statuses[n % len(statuses)] if holder else HardwareToken.Status.AVAILABLE
        rows.append(
            HardwareToken(
                serial_number=f"SNAP{n:06d}",
                manufacturer=("Token2", "Feitian", "Deepnet")[n % 3],
                model=("C202", "c200", "SafeID")[n % 3],
                secret_key="JBSWY3DPEHPK3PXP",
                status=status,
                assigned_to=holder,
                assigned_at=now - timedelta(days=n % 200) if holder else None,
                last_used_at=now - timedelta(days=n % 90)
                if status == HardwareToken.Status.ACTIVATED and n % 5
                else None,
            )
        )
    HardwareToken.objects.bulk_create(rows, batch_size=1000)
    return "lynne.robbins@contoso-sandbox.example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--latency-ms", type=int, default=100)
    common_arguments(parser)
    args = parser.parse_args()
    if args.quick:
        args.tokens, args.users = min(args.tokens, 1_000), min(args.users, 500)
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="snapshot-bench-"))
    try:
        configure(tmp, args.latency_ms)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from portal.graph.client import GraphClient
        from portal.program.attention import attention_groups
        from portal.program.reports import ReportKind, report_get
        from portal.sandbox import keys
        from portal.sandbox.models import DirectoryUser
        from portal.sandbox.requestlog import count_graph_calls

        call_command("migrate", verbosity=0)
        call_command("migrate", database="sandbox", verbosity=0)
        upn = fill_tenant(args.tokens, args.users)
        admin = DirectoryUser.objects.get(user_principal_name=upn)
        token = keys.mint_access_token(
            user=admin, scopes=list(settings.ADMIN_SCOPES), client_id=settings.ENTRA_CLIENT_ID, auth_time=timezone.now()
        )
        from portal.program.snapshot import snapshot_build

        print(
            f"Snapshot of {args.tokens:,} tokens held by {args.users:,} people, "
            f"{args.latency_ms} ms latency per Graph request:"
        )
        for label, short in (
            ("first build (every assignment date new)", "first build"),
            ("next build (dates carried over)", "next build"),
        ):
            with count_graph_calls() as graph:
                began = time.perf_counter()
                run = snapshot_build(client=GraphClient(token), now=timezone.now())
                seconds = time.perf_counter() - began
            print(
                f"  {label:42s} {len(graph.requests):4d} round trips ({len(graph.batch_items):,} in $batch) "
                f"{seconds:7.2f} s  [{run.tokens:,} tokens, {run.holders:,} holders]"
            )
            rows.append(
                Row(
                    f"snapshot: {short}",
                    f"{seconds:.1f}",
                    "s",
                    f"{len(graph.requests)} Graph round trips; {run.tokens:,} tokens, {run.holders:,} holders, "
                    f"{args.latency_ms} ms per request",
                )
            )
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            groups = attention_groups(now=timezone.now())
            tables = [report_get(kind, now=timezone.now()) for kind in ReportKind]
            seconds = time.perf_counter() - began
        items = sum(group.total for group in groups)
        print(
            f"  queue + four reports from the snapshot:     0 round trips, {len(queries)} queries, "
            f"{seconds:.2f} s  [{items:,} items need attention, {sum(len(t.rows) for t in tables)} report rows]"
        )
        rows.append(
            Row("snapshot: queue + four reports", f"{seconds:.2f}", "s", f"0 Graph round trips, {len(queries)} queries")
        )
        # The locked-out rule with every holder a portal user: its cost follows the lockouts, not the tenant.
        from portal.core.attempts import attempt_begin, attempt_finish
        from portal.identity.models import User

        User.objects.bulk_create(
            (User(username=str(person.id), display_name=person.display_name) for person in DirectoryUser.objects.all()),
            batch_size=1000,
            ignore_conflicts=True,
        )
        locked = [str(person_id) for person_id in DirectoryUser.objects.values_list("id", flat=True)[:3]]
        for number, person_oid in enumerate(locked):
            for _ in range(settings.CODE_ATTEMPT_LIMIT):
                attempt_finish(attempt_begin(person_oid=person_oid, serial=f"SNAP{number:06d}"), wrong_code=True)
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            attention_groups(now=timezone.now())
            seconds = time.perf_counter() - began
        print(
            f"  queue with {len(locked)} lockouts, {User.objects.count():,} portal users: 0 round trips, "
            f"{len(queries)} queries, {seconds:.2f} s"
        )
        rows.append(
            Row(
                f"snapshot: queue with {len(locked)} lockouts",
                f"{seconds:.2f}",
                "s",
                f"0 Graph round trips, {len(queries)} queries, {User.objects.count():,} portal users",
            )
        )
        write_rows(args.rows_json, rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
