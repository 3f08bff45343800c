"""Faults: throttling bursts, a worker dying mid-job, cancelling, an expired sign-in — and the count
of tokens in the sandbox checked exactly after each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.imports import tasks
from portal.imports.models import ImportJob, ImportRow
from portal.imports.services import jobs
from portal.sandbox.graph import faults
from portal.sandbox.models import HardwareToken, RefreshToken, RequestLogEntry
from portal.sandbox.requestlog import count_graph_calls
from tests.imports.filemakers import entra_csv
from tests.support.imports import (
    NESTOR,
    admin_client,
    analysed,
    b32,
    confirm,
    graph_as,
    run_worker,
    sandbox_serials,
    secret_for,
)
from tests.support.sandbox import sandbox

# transaction=True: the real db_worker calls close_old_connections(), which drops a connection
# held inside a test transaction (on PostgreSQL; in-memory SQLite ignores the close).
pytestmark = pytest.mark.django_db(transaction=True)

Outcome = ImportRow.Outcome


def seed_file(prefix: str, count: int) -> bytes:
    rows = [(f"{prefix}{n:04d}", b32(secret_for(f"{prefix}{n}")), "30", "Feitian", "c200") for n in range(count)]
    return entra_csv(rows, with_upn=False)


def expire_lease(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(lease_expires=timezone.now() - timedelta(seconds=1))


@pytest.mark.parametrize("client_retries", [3, 0], ids=["client-retries", "job-retries-beyond-client-cap"])
def test_throttling_and_outage_bursts(demo_tenant: None, settings: Any, client_retries: int) -> None:
    client = admin_client(NESTOR)
    settings.GRAPH_MAX_RETRIES = client_retries
    sandbox(
        settings,
        THROTTLE_RATE=0.3,
        UNAVAILABLE_RATE=0.1,
        RETRY_AFTER_SECONDS=0.01,
        FAULT_SEED="imports-burst",
    )
    faults.reset()
    before = HardwareToken.objects.count()
    job = analysed(client, seed_file("THR", 120))
    assert job.to_send == 120
    confirm(client, job)
    with count_graph_calls() as calls:
        run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.results == {"created": 120}
    assert HardwareToken.objects.count() == before + 120
    assert len(sandbox_serials("THR")) == 120
    statuses = [entry.status for entry in calls.requests]
    assert 429 in statuses and 503 in statuses, statuses  # the faults really happened


def test_graph_busy_throughout_each_chunk_is_tried_only_as_the_jobs_retry_policy_allows(
    demo_tenant: None, settings: Any
) -> None:
    client = admin_client(NESTOR)
    job = analysed(client, seed_file("BSY", 20))  # two chunks of 10
    confirm(client, job)
    settings.GRAPH_JOB_MAX_RETRIES = 2
    sandbox(settings, THROTTLE_RATE=1.0, RETRY_AFTER_SECONDS=0.01)
    with count_graph_calls() as calls:
        run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.results == {"failed": 20}
    assert set(job.rows.values_list("detail", flat=True)) == {
        "Not sent: Microsoft Entra ID stayed busy for too long. "
        "Import the file again later (rows already done are skipped)."
    }
    # One retry policy: each chunk is sent 1 + GRAPH_JOB_MAX_RETRIES times, and nobody retries on top.
    writes = [entry for entry in calls.requests if entry.method == "PATCH"]
    assert len(writes) == 2 * 3, calls.describe()
    assert not sandbox_serials("BSY")


def test_worker_killed_mid_job_resumes_without_duplicates(demo_tenant: None, settings: Any) -> None:
    # Duplicate serials allowed in the sandbox: only the import's own care can prevent them now.
    sandbox(settings, UNIQUE_SERIALS=False)
    client = admin_client(NESTOR)
    job = analysed(client, seed_file("KIL", 50))
    confirm(client, job)

    sandbox(settings, CALLER_DIES_AFTER_WRITES=2)  # the worker "dies" right after sending chunk 2
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert job.rows.filter(outcome=Outcome.CREATED).count() == 10  # chunk 1, recorded
    in_doubt = job.rows.filter(outcome=Outcome.PENDING, sent_at__isnull=False)
    assert in_doubt.count() == 10  # chunk 2: sent, answer never recorded
    assert len(sandbox_serials("KIL")) == 20  # ... but Graph did create them

    # A new worker: the lease expires, someone looks at the job, the job is handed on.
    sandbox(settings, CALLER_DIES_AFTER_WRITES=0)
    run_worker()  # the lease is still live: nobody may take the job yet
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.RUNNING
    expire_lease(job)
    assert client.get(f"/admin/imports/{job.public_id}/").status_code == 200
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.QUEUED
    with count_graph_calls() as calls:
        run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.results == {"created": 50}
    assert HardwareToken.objects.filter(serial_number__startswith="KIL").count() == 50  # exactly: no duplicate
    assert len(sandbox_serials("KIL")) == 50
    looked_up = job.rows.filter(detail__startswith="Created (confirmed by looking it up")
    assert looked_up.count() == 10
    assert [entry.method for entry in calls.requests].count("PATCH") == 3  # only the 30 never sent
    assert job.attempts == 2


def test_a_serial_created_after_the_dry_run_is_skipped_not_failed(demo_tenant: None) -> None:
    client = admin_client(NESTOR)
    job = analysed(client, seed_file("LATE", 3))
    graph_as(NESTOR).device_create(serial_number="LATE0001", manufacturer="X", model="Y", secret_key="JBSWY3DPEHPK3PXP")
    confirm(client, job)
    run_worker()
    job.refresh_from_db()
    assert job.results == {"created": 2, "skipped": 1}
    assert job.rows.get(serial="LATE0001").detail == "Already in the inventory (added after the dry run)."
    assert HardwareToken.objects.filter(serial_number="LATE0001").count() == 1


def test_cancel_before_the_worker_starts(demo_tenant: None) -> None:
    client = admin_client(NESTOR)
    job = analysed(client, seed_file("CQ", 5))
    confirm(client, job)
    response = client.post(f"/admin/imports/{job.public_id}/cancel", follow=True)
    assert "The import was cancelled." in response.content.decode()
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert job.results == {"cancelled": 5}
    assert not sandbox_serials("CQ")
    assert not job.rows.exclude(secret=b"").exists() and job.delegated_cache == b""
    actions = list(AuditEvent.objects.filter(extra__job=str(job.public_id)).values_list("action", flat=True))
    assert sorted(actions) == ["import.cancel", "import.finish", "import.start"]


def test_cancel_a_running_job_stops_between_chunks(demo_tenant: None, settings: Any) -> None:
    client = admin_client(NESTOR)
    job = analysed(client, seed_file("CR", 40))
    confirm(client, job)
    sandbox(settings, CALLER_DIES_AFTER_WRITES=2)
    run_worker()  # two chunks sent; the second one's answer not recorded yet
    sandbox(settings, CALLER_DIES_AFTER_WRITES=0)
    response = client.post(f"/admin/imports/{job.public_id}/cancel", follow=True)
    assert "Cancelling: the import stops after the rows being sent now" in response.content.decode()
    expire_lease(job)
    tasks.jobs_resume()
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    # What was sent is accounted for (looked up), nothing else was sent.
    assert job.results == {"created": 20, "cancelled": 20}
    assert len(sandbox_serials("CR")) == 20
    assert not job.rows.exclude(secret=b"").exists()


def test_a_second_worker_cannot_take_a_job_with_a_live_lease(demo_tenant: None) -> None:
    client = admin_client(NESTOR)
    job = analysed(client, seed_file("LS", 1))
    confirm(client, job)
    first = jobs.job_claim(job.pk, owner="worker-a", phase="run")
    assert first is not None
    assert jobs.job_claim(job.pk, owner="worker-b", phase="run") is None
    with pytest.raises(jobs.LeaseLost):
        jobs.lease_renew(job.pk, "worker-b")
    expire_lease(job)
    assert jobs.job_claim(job.pk, owner="worker-b", phase="run") is not None
    with pytest.raises(jobs.LeaseLost):
        jobs.lease_renew(job.pk, "worker-a")  # the dead worker, if it wakes up, stops


def test_the_worker_refreshes_the_admins_token(demo_tenant: None, settings: Any) -> None:
    # Access tokens that MSAL considers stale at once: every token the worker needs is a refresh.
    sandbox(settings, ACCESS_TOKEN_LIFETIME_SECONDS=60)
    client = admin_client(NESTOR)
    job = analysed(client, seed_file("RF", 30))
    confirm(client, job)
    mark = RequestLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    run_worker()
    job.refresh_from_db()
    assert job.results == {"created": 30}
    refreshes = RequestLogEntry.objects.filter(id__gt=mark, service="login", path__endswith="/token")
    assert refreshes.exists()
    assert job.delegated_cache == b""


def test_an_expired_sign_in_fails_the_job_cleanly(demo_tenant: None, settings: Any) -> None:
    sandbox(settings, ACCESS_TOKEN_LIFETIME_SECONDS=60)
    client = admin_client(NESTOR)
    job = analysed(client, seed_file("EX", 5))
    confirm(client, job)
    RefreshToken.objects.update(revoked=True)  # e.g. the admin's sessions were revoked in Entra
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error_code == "signin_expired"
    assert job.results == {"failed": 5}
    assert "Not sent: the sign-in of the admin who confirmed the import could not be renewed" in job.rows.first().detail
    assert not sandbox_serials("EX")
    assert not job.rows.exclude(secret=b"").exists() and job.delegated_cache == b""
    finish = AuditEvent.objects.get(action="import.finish", extra__job=str(job.public_id))
    assert (finish.outcome, finish.reason) == ("failure", "signin_expired")
