"""Seed secrets: sealed while pending, erased when done, and never in a log, a task row, the audit
trail, a page or a CSV. Checked with a canary secret searched for everywhere."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from portal.imports.models import ImportJob, ImportRow
from portal.sandbox.models import HardwareToken
from tests.imports.filemakers import entra_csv
from tests.support.imports import (
    MEGAN,
    MIRIAM,
    admin_client,
    all_rows_text,
    analysed,
    b32,
    confirm,
    run_worker,
    secret_for,
)
from tests.support.sandbox import sandbox

# transaction=True: the real db_worker calls close_old_connections(), which drops a connection
# held inside a test transaction (on PostgreSQL; in-memory SQLite ignores the close).
pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "CANARYSEEDQWERTYZ234567ABCDEFGHJ"  # valid Base32, 20 bytes, unmistakable


def canary_forms() -> list[str]:
    raw = base64.b32decode(CANARY)
    return [CANARY, CANARY.lower(), raw.hex(), raw.hex().upper()]


def assert_nowhere(text: str, where: str) -> None:
    for form in canary_forms():
        assert form not in text, f"the canary secret appears in {where}"


def assert_not_in_database() -> None:
    for value in all_rows_text():
        assert_nowhere(value, "the portal's database")


def canary_file() -> bytes:
    rows = [(MEGAN, "CANARY-1", CANARY.lower(), "30", "Feitian", "c200")]
    rows += [(MEGAN, f"CANARY-{n}", b32(secret_for(f"c{n}")), "30", "Feitian", "c200") for n in range(2, 25)]
    return entra_csv(rows)


def pages(client: Any, job: ImportJob) -> str:
    html = client.get(f"/admin/imports/{job.public_id}/").content.decode()
    html += client.get(f"/admin/imports/{job.public_id}/?page=2").content.decode()
    download = client.get(f"/admin/imports/{job.public_id}/rows.csv")
    return html + b"".join(download.streaming_content).decode()


def test_canary_secret_is_sealed_then_erased_and_never_shown(
    demo_tenant: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = admin_client(MIRIAM)
    job = analysed(client, canary_file())
    # Pending: in the database only sealed.
    assert job.rows.get(serial="CANARY-1").secret != b""
    assert_not_in_database()
    assert_nowhere(pages(client, job), "the dry-run pages")

    confirm(client, job)
    run_worker()
    job.refresh_from_db()
    assert job.results == {ImportRow.Outcome.ASSIGNED: 24}
    assert HardwareToken.objects.get(serial_number="CANARY-1").secret_key == CANARY  # it did reach "Microsoft"

    assert not ImportRow.objects.exclude(secret=b"").exists()
    assert job.delegated_cache == b""
    assert_not_in_database()  # rows, jobs, task results, audit events, sessions
    assert_nowhere(pages(client, job), "the results pages")
    assert_nowhere(caplog.text, "the logs")
    for result in DBTaskResult.objects.all():
        if result.task_path.startswith("portal.notifications."):  # the people told of their tokens
            assert result.args_kwargs == {"args": [result.args_kwargs["args"][0]], "kwargs": {}}
            assert isinstance(result.args_kwargs["args"][0], int)  # a notification's id, nothing else
            continue
        assert result.args_kwargs["args"] in ([job.pk],), result.args_kwargs  # the job's id, nothing else


def test_canary_after_a_crash_and_resume(demo_tenant: None, settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = admin_client(MIRIAM)
    job = analysed(client, canary_file())
    confirm(client, job)
    sandbox(settings, CALLER_DIES_AFTER_WRITES=1)
    run_worker()
    crashed = DBTaskResult.objects.filter(status="FAILED").get()
    assert "CallerDied" in crashed.exception_class_path
    assert_nowhere(crashed.traceback, "the failed task's traceback")
    assert_not_in_database()
    sandbox(settings, CALLER_DIES_AFTER_WRITES=0)
    from django.utils import timezone

    ImportJob.objects.filter(pk=job.pk).update(lease_expires=timezone.now())
    client.get(f"/admin/imports/{job.public_id}/")  # someone looks: the job is handed on
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.results == {"assigned": 24}
    assert_not_in_database()
    assert_nowhere(caplog.text, "the logs")
