"""A job's life: confirm, discard, cancel; a worker's claim and lease; the end; crash recovery.

The lease is how "a worker is alive and holds this job" is known without asking the process: the
holder renews `lease_expires` well within IMPORT_LEASE_SECONDS (after every chunk, and while
waiting). Claiming is a compare-and-swap UPDATE, so two workers can never both run a job; a lease
left to expire means the worker died, and `jobs_recover` hands the job to a new one, which first
settles the rows the dead worker had sent (see services.runner).

Audit: IMPORT_START when confirmed, IMPORT_CANCEL when someone asks to cancel, IMPORT_FINISH with
the counts when the job ends. Never a secret: the audit helper gets counts, names and ids only.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext

from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.core.reasons import Reason
from portal.identity.delegation import DelegatedCache
from portal.identity.models import User
from portal.identity.sealing import seal
from portal.imports.models import ImportJob, ImportRow

logger = logging.getLogger("portal.imports")

Status = ImportJob.Status
Outcome = ImportRow.Outcome


class JobStateError(Exception):
    """The job is not in a state that allows this (already confirmed, finished, ...). `str()` is
    a sentence for the admin."""


class LeaseLost(Exception):
    """Another worker holds the job now (or it was discarded): stop without touching it."""


class JobFailure(Exception):
    """The job cannot go on. `message` is for the admin (plain words), `code` for audit and tests."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def worker_name() -> str:
    """Unique per running job attempt: host, process, thread and a random part."""
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{threading.get_ident() % 100000}:{uuid.uuid4().hex[:8]}"


def lease_seconds() -> int:
    return max(2, int(settings.IMPORT_LEASE_SECONDS))


# -- the admin's actions ----------------------------------------------------------------------------


def job_confirm(
    *,
    job: ImportJob,
    actor: User,
    delegation: DelegatedCache | None,
    client_ip: str | None = None,
) -> ImportJob:
    """Draft → queued, with a fresh delegated sign-in for the worker; audit the start.

    Starting it is the caller's: the page hands it to a worker (`tasks.job_start`), the management
    command runs it in the foreground.
    """
    now = timezone.now()
    with transaction.atomic():
        changes: dict[str, Any] = {"status": Status.QUEUED, "confirmed_at": now}
        if delegation is not None:
            changes.update(delegated_cache=seal(delegation.blob), home_account_id=delegation.home_account_id)
        if not ImportJob.objects.filter(pk=job.pk, status=Status.DRAFT).update(**changes):
            raise JobStateError(gettext("This dry run was already confirmed or discarded."))
        job.refresh_from_db()
        _audit(job, actor=actor, action=AuditEvent.Action.IMPORT_START, client_ip=client_ip, counts=job.plan)
    return job


def job_discard(*, job: ImportJob) -> None:
    """Throw a dry run away (its rows and sealed secrets go with it). Nothing reached Graph."""
    deleted, _ = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.DRAFT, Status.ANALYSING, Status.FAILED], confirmed_at__isnull=True
    ).delete()
    if not deleted:
        raise JobStateError(gettext("Only a dry run that was not confirmed can be discarded."))


def job_cancel(*, job: ImportJob, actor: User, client_ip: str | None = None) -> ImportJob:
    """Stop a queued or running job between chunks. A job no worker has started ends at once."""
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status__in=[Status.QUEUED, Status.RUNNING]).update(
            cancel_requested=True, cancelled_by_upn=actor.upn
        )
        if not updated:
            raise JobStateError(gettext("This import has already ended."))
        job.refresh_from_db()
        _audit(job, actor=actor, action=AuditEvent.Action.IMPORT_CANCEL, client_ip=client_ip)
    # Never started: no row can be in flight, so it can end here (the CAS keeps a worker out).
    if ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED, started_at__isnull=True).update(
        lease_owner="cancelled", lease_expires=timezone.now() + timedelta(seconds=lease_seconds())
    ):
        job_finish(job.pk, status=Status.CANCELLED, owner="cancelled")
    job.refresh_from_db()
    return job


# -- the worker's side ------------------------------------------------------------------------------


def job_claim(job_id: int, *, owner: str, phase: str) -> ImportJob | None:
    """Take the job for `phase` ("analyse" or "run") unless a live worker holds it."""
    now = timezone.now()
    free = Q(lease_expires__isnull=True) | Q(lease_expires__lt=now)
    if phase == "analyse":
        candidates = ImportJob.objects.filter(pk=job_id, status=Status.ANALYSING)
        changes: dict[str, Any] = {}
    else:
        candidates = ImportJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.RUNNING])
        changes = {"status": Status.RUNNING, "attempts": F("attempts") + 1}
    claimed = candidates.filter(free).update(
        lease_owner=owner, lease_expires=now + timedelta(seconds=lease_seconds()), **changes
    )
    if not claimed:
        return None
    if phase == "run":
        ImportJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    return ImportJob.objects.get(pk=job_id)


def lease_renew(job_id: int, owner: str) -> bool:
    """Extend the lease; returns whether cancelling was asked for. Raises LeaseLost."""
    updated = ImportJob.objects.filter(pk=job_id, lease_owner=owner).update(
        lease_expires=timezone.now() + timedelta(seconds=lease_seconds())
    )
    if not updated:
        raise LeaseLost(job_id)
    return bool(ImportJob.objects.filter(pk=job_id).values_list("cancel_requested", flat=True).first())


def outcome_counts(job: ImportJob) -> dict[str, int]:
    rows = job.rows.values("outcome").annotate(n=Count("id")).order_by()
    return {row["outcome"]: row["n"] for row in rows}


def verdict_counts(job: ImportJob) -> dict[str, int]:
    rows = job.rows.values("verdict").annotate(n=Count("id")).order_by()
    return {row["verdict"]: row["n"] for row in rows}


def job_finish(
    job_id: int, *, status: str, owner: str | None, error_code: str = "", error: str = ""
) -> ImportJob | None:
    """End the job: unsent rows get their reason, every secret and the sign-in are erased, the
    counts are kept and audited. Returns None if the job already ended or another worker holds it."""
    now = timezone.now()
    with transaction.atomic():
        query = ImportJob.objects.select_for_update().filter(pk=job_id)
        if owner is not None:
            query = query.filter(lease_owner=owner)
        job = query.first()
        if job is None or job.finished:
            return None
        # Sent, never answered, and not settled by a lookup (the lookup itself failed): say so.
        job.rows.filter(outcome=Outcome.PENDING, sent_at__isnull=False).update(
            outcome=Outcome.FAILED,
            detail=(
                "Sent, but no answer came back: look for this serial in the inventory "
                "(importing the file again skips it if it was created)."
            ),
            finished_at=now,
        )
        pending = job.rows.filter(outcome=Outcome.PENDING)
        if status == Status.CANCELLED:
            pending.update(outcome=Outcome.CANCELLED, detail="Not sent: the import was cancelled.", finished_at=now)
        elif status == Status.FAILED:
            pending.update(outcome=Outcome.FAILED, detail=f"Not sent: {error}", finished_at=now)
        job.rows.exclude(secret=b"").update(secret=b"")
        job.status = status
        job.results = outcome_counts(job)
        job.finished_at = now
        job.error_code = error_code
        job.error = error
        job.delegated_cache = b""
        job.lease_owner = ""
        job.lease_expires = None
        job.save()
        if job.confirmed_at is not None:  # an unconfirmed dry run never started an import
            _audit(job, actor=job.created_by, action=AuditEvent.Action.IMPORT_FINISH, counts=job.results)
    logger.info(
        "import job ended",
        # "counts" as one value: keys such as "created" would clash with LogRecord's own attributes.
        extra={"job": str(job.public_id), "status": status, "error_code": error_code, "counts": job.results},
    )
    return job


def analysis_done(job_id: int, *, owner: str) -> ImportJob | None:
    """Analysing → draft: the dry run is ready; the sign-in is no longer needed until confirmed."""
    job = ImportJob.objects.filter(pk=job_id, lease_owner=owner, status=Status.ANALYSING).first()
    if job is None:
        return None
    plan = verdict_counts(job)
    to_send = sum(n for verdict, n in plan.items() if verdict in ImportRow.SENDING)
    changes: dict[str, Any] = {
        "status": Status.DRAFT,
        "plan": plan,
        "to_send": to_send,
        "analysed_at": timezone.now(),
        "lease_owner": "",
        "lease_expires": None,
    }
    if job.follow_up_of_id is None:
        # Until confirmed, no task needs the sign-in (a follow-up goes on at once: services.followup).
        changes["delegated_cache"] = b""
    ImportJob.objects.filter(pk=job_id, lease_owner=owner).update(**changes)
    return ImportJob.objects.get(pk=job_id)


# -- recovery ---------------------------------------------------------------------------------------


def jobs_recover() -> list[tuple[int, ImportJob.Status]]:
    """Put jobs whose worker died (lease expired) back in line; delete stale dry runs.

    Returns (job id, status) of each job put back: QUEUED to run, ANALYSING for its dry run —
    `tasks.jobs_resume` gives them to a worker. Called (through it) when someone looks at imports,
    when any import task starts, and by each job's watchdog.
    """
    now = timezone.now()
    handed_on: list[tuple[int, ImportJob.Status]] = []
    stale = ImportJob.objects.filter(status__in=[Status.RUNNING, Status.ANALYSING], lease_expires__lt=now)
    for job in stale:
        same = ImportJob.objects.filter(pk=job.pk, status=job.status, lease_expires=job.lease_expires)
        if not job.delegated_cache:
            # The management command's jobs hold no stored sign-in: nobody can resume them.
            if same.update(lease_owner="recovery"):
                job_finish(
                    job.pk,
                    status=Status.FAILED,
                    owner="recovery",
                    error_code="worker_lost",
                    error=(
                        gettext(
                            "the import stopped (its worker ended) and cannot resume without a sign-in. "
                            "Import the file again: tokens already created are skipped."
                        )
                    ),
                )
            continue
        next_status = Status.QUEUED if job.status == Status.RUNNING else Status.ANALYSING
        if same.update(status=next_status, lease_owner="", lease_expires=None):
            logger.warning("import job resumed after its worker stopped", extra={"job": str(job.public_id)})
            handed_on.append((job.pk, next_status))
    drafts_expire(now=now)
    return handed_on


def drafts_expire(*, now: Any = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IMPORT_DRAFT_HOURS)
    deleted, _ = ImportJob.objects.filter(
        status__in=[Status.DRAFT, Status.FAILED], confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted


# -- audit ------------------------------------------------------------------------------------------


def _audit(
    job: ImportJob,
    *,
    actor: User | None,
    action: str,
    client_ip: str | None = None,
    counts: dict[str, int] | None = None,
) -> None:
    if action == AuditEvent.Action.IMPORT_FINISH:
        failed = (counts or {}).get(Outcome.FAILED, 0)
        ok = job.status == Status.DONE and not failed
        outcome = AuditEvent.Outcome.SUCCESS if ok else AuditEvent.Outcome.FAILURE
        ending: dict[str, str] = {
            Status.DONE: Reason.DONE if ok else Reason.DONE_WITH_FAILURES,
            Status.CANCELLED: Reason.CANCELLED,
        }
        reason = ending.get(job.status, job.error_code or Reason.FAILED)
    else:
        outcome, reason = AuditEvent.Outcome.SUCCESS, ""
    audit_event_record(
        actor=actor,
        action=action,
        outcome=outcome,
        reason=reason[:64],
        client_ip=client_ip,
        extra={
            "job": str(job.public_id),
            "kind": job.kind,
            "file": job.file_name,
            "format": job.file_format,
            "rows": job.total_rows,
            "to_send": job.to_send,
            **(counts or {}),
        },
    )
