"""Assigning, in one step, the tokens a seed import created without the assignment its file asked for.

A seed file's row can name a user whose assignment the import dropped because the admin who
uploaded it may add tokens but not assign them (verdict "Create, not assigned", reason
FORBIDDEN_ASSIGN). Once the import has finished, an administrator with the role assigns those tokens
to the people the file names: `followup_start` makes a bulk assignment job of them (`follow_up_of`
points at the seed job), which then goes the way every bulk assignment goes — a dry run of
read-only lookups, then `$batch` assignment calls with the jobs' retry policy (services.runner) —
except that nobody has to confirm it: pressing the button was the confirmation (`followup_confirm`,
called by the worker when the dry run is ready).

Idempotent: a token is offered again only while no follow-up has settled it (assigned, found
already assigned — to that person or to someone else — or refused for good), and only one follow-up
of a job runs at a time. Its dry run skips a token already assigned to its person meanwhile, and
reports one assigned to someone else instead of sending it.

Audited like every assignment made in the admin area: one "Assigned token to user" event per token
(`assignments_audit`), besides the job's own start and finish events.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.core.reasons import Reason
from portal.core.wording import FollowUp, import_follow_up_text
from portal.identity.delegation import DelegatedCache
from portal.identity.models import User
from portal.identity.sealing import seal
from portal.imports.models import ImportJob, ImportRow
from portal.imports.services import jobs

Outcome = ImportRow.Outcome
Status = ImportJob.Status

#: Assignments an administrator with the role can make (the others name no one who can hold a token).
ASSIGNABLE = (Reason.FORBIDDEN_ASSIGN,)
#: A follow-up row with one of these outcomes has settled its token for good; a failed one has not.
SETTLED = (Outcome.ASSIGNED, Outcome.SKIPPED, Outcome.REJECTED)
#: A bulk assignment file's row with one of these outcomes left its token with its person.
ASSIGNED_SINCE = (Outcome.ASSIGNED, Outcome.SKIPPED)
ROWS_BATCH = 1000


def followup_rows(job: ImportJob) -> QuerySet[ImportRow]:
    """The rows of seed job `job` whose token was created and still waits for its assignment."""
    # Settled by a follow-up, or assigned since by a bulk assignment file (the same file works as one).
    settled = ImportRow.objects.filter(
        Q(job__follow_up_of=job, outcome__in=SETTLED)
        | Q(job__kind=ImportJob.Kind.ASSIGNMENT, job__created_at__gte=job.created_at, outcome__in=ASSIGNED_SINCE)
    ).values("device_id")
    return (
        job.rows.filter(outcome=Outcome.CREATED_UNASSIGNED, unassigned_because__in=ASSIGNABLE)
        .exclude(device_id="")
        .exclude(device_id__in=settled)
        .defer("secret")
    )


def followup_running(job: ImportJob) -> ImportJob | None:
    """The follow-up of `job` that has not ended yet, if any."""
    return job.follow_ups.filter(status__in=(*ImportJob.ACTIVE, Status.DRAFT)).first()


def followup_left(job: ImportJob) -> int:
    """How many tokens the follow-up button would assign now (0: offer nothing)."""
    if job.kind != ImportJob.Kind.SEED or not job.finished or followup_running(job) is not None:
        return 0
    return followup_rows(job).count()


def followup_start(*, job: ImportJob, actor: User, delegation: DelegatedCache | None) -> ImportJob:
    """Stage the follow-up of seed job `job`: a bulk assignment of the tokens left to assign, whose
    dry run the caller hands to a worker. Raises JobStateError (a sentence) when there is nothing to
    start."""
    with transaction.atomic():
        source = ImportJob.objects.select_for_update().get(pk=job.pk)
        if followup_running(source) is not None:
            raise jobs.JobStateError(import_follow_up_text(FollowUp.ALREADY_RUNNING))
        if not followup_left(source):
            raise jobs.JobStateError(import_follow_up_text(FollowUp.NOTHING_LEFT))
        follow_up = ImportJob.objects.create(
            kind=ImportJob.Kind.ASSIGNMENT,
            status=Status.ANALYSING,
            follow_up_of=source,
            created_by=actor,
            created_by_upn=actor.upn,
            file_name=source.file_name,
            file_format=source.file_format,
            format_label=import_follow_up_text(FollowUp.JOB_LABEL, file=source.file_name)[:120],
            delegated_cache=seal(delegation.blob) if delegation else b"",
            home_account_id=delegation.home_account_id if delegation else "",
        )
        total = 0
        batch: list[ImportRow] = []
        for row in followup_rows(source).order_by("row_number").iterator(chunk_size=ROWS_BATCH):
            batch.append(_follow_up_row(follow_up, row))
            if len(batch) >= ROWS_BATCH:
                total += _store(batch)
        total += _store(batch)
        ImportJob.objects.filter(pk=follow_up.pk).update(total_rows=total)
        follow_up.total_rows = total
    return follow_up


def _follow_up_row(follow_up: ImportJob, row: ImportRow) -> ImportRow:
    return ImportRow(
        job=follow_up,
        row_number=row.row_number,
        serial=row.serial,
        assignee_upn=row.assignee_upn,
        device_id=row.device_id,
    )


def _store(batch: list[ImportRow]) -> int:
    ImportRow.objects.bulk_create(batch)
    stored = len(batch)
    batch.clear()
    return stored


def followup_confirm(*, job: ImportJob) -> ImportJob | None:
    """Its dry run is ready: queue the follow-up with the sign-in it was started with (pressing the
    button was the confirmation). Returns the queued job, None if it was not a draft follow-up."""
    if job.follow_up_of_id is None or job.status != Status.DRAFT:
        return None
    if job.created_by is None:  # the administrator's account was removed meanwhile
        gone = _("the administrator who started it no longer has an account in the portal.")
        return jobs.job_finish(job.pk, status=Status.FAILED, owner=None, error_code=Reason.FAILED, error=str(gone))
    return jobs.job_confirm(job=job, actor=job.created_by, delegation=None)


def assignments_audit(*, job: ImportJob, row_ids: Iterable[int]) -> None:
    """One "Assigned token to user" event per token a follow-up assigned (as the user pages record)."""
    if job.follow_up_of_id is None:
        return
    source = ImportJob.objects.filter(pk=job.follow_up_of_id).values_list("public_id", flat=True).first()
    rows = ImportRow.objects.filter(pk__in=list(row_ids)).only(
        "serial", "assignee_id", "assignee_upn", "device_id", "row_number"
    )
    for row in rows:
        audit_event_record(
            actor=job.created_by,
            action=AuditEvent.Action.USER_ASSIGN,
            outcome=AuditEvent.Outcome.SUCCESS,
            target_oid=row.assignee_id,
            target_upn=row.assignee_upn,
            token_serial=row.serial,
            token_id=row.device_id,
            extra={"job": str(job.public_id), "import": str(source or ""), "row": row.row_number},
        )
