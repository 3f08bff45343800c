"""Bulk assignment: a file of users and serials gives inventory tokens to their users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from portal.imports.models import ImportJob, ImportRow
from portal.sandbox.graph import faults
from portal.sandbox.requestlog import count_graph_calls
from tests.imports.filemakers import csv_bytes, entra_csv
from tests.support.imports import (
    ADELE,
    ALEX,
    GUEST,
    ISAIAH,
    MEGAN,
    NESTOR,
    admin_client,
    analysed,
    b32,
    confirm,
    imported,
    run_worker,
    secret_for,
)
from tests.support.sandbox import sandbox
from tests.support.tokens import holder_of

# transaction=True: the real db_worker calls close_old_connections(), which drops a connection
# held inside a test transaction (on PostgreSQL; in-memory SQLite ignores the close).
pytestmark = pytest.mark.django_db(transaction=True)

Verdict = ImportRow.Verdict
PATTI = "patti.fernandez@contoso-sandbox.example"  # holds an admin role: not for an Authentication Administrator


def pairs(rows: list[tuple[str, str]]) -> bytes:
    return csv_bytes([["upn", "serial"], *rows])


def test_bulk_assignment_dry_run_and_results(demo_tenant: None) -> None:
    data = pairs(
        [
            (MEGAN, "60200104"),  # free: assign
            (ADELE, "60200101"),  # already Adele's: skip
            (MEGAN, "SI-01000101"),  # Alex's: refuse
            (MEGAN, "NO-SUCH-SERIAL"),  # not in the inventory
            ("ghost@contoso-sandbox.example", "60200105"),  # no such user
            (GUEST, "60200106"),  # a guest: refused by the parser
            (PATTI, "60200107"),  # an admin: Graph refuses an Authentication Administrator
            (ALEX, "2100040004"),
        ]
    )
    client = admin_client(ISAIAH)
    with count_graph_calls() as calls:
        job = analysed(client, data, name="pairs.csv", assignments=True)
    assert all(entry.method in ("GET", "POST") for entry in calls.requests)
    assert all(member.method == "GET" for member in calls.batch_items)
    found = {row.serial: (row.verdict, row.reason) for row in job.rows.all()}
    assert found["60200104"] == (Verdict.ASSIGN, "")
    assert found["60200101"] == (Verdict.SKIP_ASSIGNED, "already assigned to Adele Vance")
    assert found["SI-01000101"] == (Verdict.REJECT, "already assigned to Alex Wilber: unassign it from them first")
    assert found["NO-SUCH-SERIAL"] == (Verdict.REJECT, "no token with serial number NO-SUCH-SERIAL is in the inventory")
    assert "unknown user ghost@" in found["60200105"][1]
    assert found["60200106"][0] == Verdict.REJECT
    assert found["60200107"][0] == Verdict.ASSIGN  # the dry run can't know Graph's per-user rule

    confirm(client, job)
    with count_graph_calls() as calls:
        run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.results == {"assigned": 2, "skipped": 1, "rejected": 4, "failed": 1}
    assert (holder_of("60200104"), holder_of("2100040004"), holder_of("60200107")) == (MEGAN, ALEX, None)
    assert holder_of("SI-01000101") == ALEX
    assert "Privileged Authentication Administrator" in job.rows.get(serial="60200107").detail
    assert [entry.method for entry in calls.requests] == ["POST"]  # one $batch call for the three
    assert [member.method for member in calls.batch_items] == ["POST"] * 3
    # Each person who got a token hears of it (the worker sent it: locmem in the tests).
    from django.core import mail

    from portal.notifications.models import Notification

    told = [(n.to_address, n.context["serial"], n.state) for n in Notification.objects.filter(kind="token_assigned")]
    assert sorted(told) == [(ALEX, "2100040004", "sent"), (MEGAN, "60200104", "sent")]
    assert sorted(message.to[0] for message in mail.outbox) == [ALEX, MEGAN]


def test_seed_then_assign_with_the_same_entra_file(demo_tenant: None) -> None:
    rows = [
        (MEGAN if n % 2 else ALEX, f"SA-{n}", b32(secret_for(f"sa{n}")), "30", "Feitian", "c200") for n in range(12)
    ]
    data = entra_csv(rows)
    # The inventory keeper creates them (her role can't assign) ...
    created = imported(admin_client(NESTOR), data)
    assert created.results == {"created_unassigned": 12}
    assert holder_of("SA-1") is None
    # ... the service desk assigns them with the very same file (its secrets are ignored).
    assigned = imported(admin_client(ISAIAH), data, assignments=True)
    assert assigned.results == {"assigned": 12}
    assert (holder_of("SA-0"), holder_of("SA-1")) == (ALEX, MEGAN)
    # Again: everything is already done.
    again = imported(admin_client(ISAIAH), data, assignments=True)
    assert again.results == {"skipped": 12}


def make_free_tokens(prefix: str, count: int) -> list[str]:
    rows = [(f"{prefix}{n:03d}", b32(secret_for(f"{prefix}{n}")), "30", "Feitian", "c200") for n in range(count)]
    imported(admin_client(NESTOR), entra_csv(rows, with_upn=False))
    return [row[0] for row in rows]


def test_assignments_under_throttling(demo_tenant: None, settings: Any) -> None:
    serials = make_free_tokens("AT", 45)
    client = admin_client(ISAIAH)
    sandbox(
        settings,
        THROTTLE_RATE=0.3,
        RETRY_AFTER_SECONDS=0.01,
        FAULT_SEED="assign-burst",
    )
    faults.reset()
    job = imported(client, pairs([(MEGAN, serial) for serial in serials]), assignments=True)
    assert job.status == ImportJob.Status.DONE and job.results == {"assigned": 45}
    assert all(holder_of(serial) == MEGAN for serial in serials)


def test_assignment_worker_killed_mid_job_resumes(demo_tenant: None, settings: Any) -> None:
    serials = make_free_tokens("AK", 30)
    client = admin_client(ISAIAH)
    job = analysed(client, pairs([(ALEX, serial) for serial in serials]), assignments=True)
    confirm(client, job)
    sandbox(settings, CALLER_DIES_AFTER_WRITES=1)
    run_worker()
    sandbox(settings, CALLER_DIES_AFTER_WRITES=0)
    assert sum(holder_of(serial) == ALEX for serial in serials) == 10  # sent, not recorded
    ImportJob.objects.filter(pk=job.pk).update(lease_expires=timezone.now() - timedelta(seconds=1))
    client.get(f"/admin/imports/{job.public_id}/")
    run_worker()
    job.refresh_from_db()
    assert job.results == {"assigned": 30}  # none "failed: already assigned"
    assert all(holder_of(serial) == ALEX for serial in serials)
