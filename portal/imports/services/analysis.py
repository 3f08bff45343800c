"""The dry run: what each row would do, found with read-only Graph calls only.

Seed files: a serial already in the inventory is skipped; a row naming a user is created and
assigned when that user exists (and is not a guest) and the admin's roles allow assigning; otherwise
its token is created without the assignment (verdict "Create, not assigned"), and the row says why
before anything is sent. Someone with the role assigns such tokens afterwards (services.followup).
Assignment files: the serial must be in the inventory, the user must exist, and the token must be
free (or already that user's: skipped).

Rows are judged in chunks (bulk_update), so a 50,000-row file never sits in memory; the lookups
keep one small entry per serial and per user. Secrets of rows that will not be sent are erased now.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from portal.core.reasons import Reason
from portal.core.serials import serial_normalise
from portal.core.wording import Known, import_plan_text, problems_text
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.retry import RetryPolicy
from portal.identity.delegation import DelegationExpired
from portal.identity.errors import IdentityUnavailable
from portal.imports.models import ImportJob, ImportRow
from portal.imports.services import jobs
from portal.imports.services.credentials import StoredDelegation, TokenSource
from portal.imports.services.lookups import InventoryEntry, UserEntry, inventory_by_serial, users_by_upn
from portal.imports.services.parallel import SLICE_SECONDS, Parallel
from portal.imports.services.rowstore import rows_update
from portal.lifecycle.models import TokenLifecycleEvent
from portal.lifecycle.services import lifecycle_flagged_serials

logger = logging.getLogger("portal.imports")

Verdict = ImportRow.Verdict
JUDGE_CHUNK = 500

Judge = Callable[[ImportRow], None]


def job_analyse(
    job_id: int,
    *,
    owner: str,
    tokens: TokenSource | None = None,
    on_progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob | None:
    """Run the dry run of a job in the analysing state; returns the draft (None if not ours)."""
    job = jobs.job_claim(job_id, owner=owner, phase="analyse")
    if job is None:
        return None
    try:
        source = tokens or StoredDelegation(job)
        renew = partial(jobs.lease_renew, job_id, owner)
        client = GraphClient(source.access_token(), policy=RetryPolicy.for_jobs(), sleep=_lease_keeping_wait(renew))
        parallel = Parallel(settings.IMPORT_CONCURRENCY, tick=renew)
        if job.kind == ImportJob.Kind.SEED:
            judge = _seed_judge(job, client, parallel)
        else:
            judge = _assignment_judge(job, client, parallel)
        _judge_all(job, judge, renew=lambda: jobs.lease_renew(job_id, owner), on_progress=on_progress)
        return jobs.analysis_done(job_id, owner=owner)
    except jobs.LeaseLost:
        return None  # discarded meanwhile, or another worker took over
    except DelegationExpired:
        return _failed(
            job_id,
            owner,
            "signin_expired",
            gettext(
                "The dry run could not finish: your sign-in could not be renewed. Sign in and upload the file again."
            ),
        )
    except IdentityUnavailable:
        return _failed(
            job_id,
            owner,
            "identity_unavailable",
            gettext(
                "The dry run could not finish: Microsoft Entra ID sign-in could not be reached. Upload the file "
                "again in a few minutes."
            ),
        )
    except GraphError as exc:
        logger.warning(
            "import dry run failed", extra={"job": str(job.public_id), "status": exc.status, "code": exc.code}
        )
        return _failed(job_id, owner, f"graph_{exc.status or 'unavailable'}", _lookup_failure(exc))


def _failed(job_id: int, owner: str, code: str, message: str) -> ImportJob | None:
    """Finish the dry run as failed; `message` says so, why, and what to do, in whole sentences."""
    return jobs.job_finish(
        job_id,
        status=ImportJob.Status.FAILED,
        owner=owner,
        error_code=code,
        error=message,
    )


def _lookup_failure(exc: GraphError) -> str:
    if exc.status == 403:
        return gettext(
            "The dry run could not finish: Microsoft Entra ID refused to let your account read the token "
            "inventory or the users."
        )
    if exc.status in (0, 429) or exc.status >= 500:
        return gettext(
            "The dry run could not finish: Microsoft Entra ID was unavailable or busy for too long. Upload the "
            "file again later."
        )
    return gettext(
        "The dry run could not finish: Microsoft Entra ID answered in a way the portal did not expect. Upload "
        "the file again; if it happens again, contact your IT helpdesk."
    )


def _judge_all(
    job: ImportJob,
    judge: Judge,
    *,
    renew: Callable[[], bool],
    on_progress: Callable[[ImportJob], None] | None,
) -> None:
    pending = job.rows.filter(verdict=Verdict.PENDING).order_by("row_number").defer("secret")
    ImportJob.objects.filter(pk=job.pk).update(analysed_rows=job.total_rows - pending.count())
    fields = ["verdict", "reason", "unassigned_because", "outcome", "assignee_id", "device_id"]
    while True:
        chunk = list(pending[:JUDGE_CHUNK])
        if not chunk:
            return
        for row in chunk:
            judge(row)
            if row.verdict == Verdict.PENDING:  # every judge decides; never loop on a row
                row.verdict, row.reason = (
                    Verdict.REJECT,
                    gettext("the portal could not decide what to do with this row"),
                )
            if row.verdict in ImportRow.SKIPPING:
                row.outcome = ImportRow.Outcome.SKIPPED
            elif row.verdict == Verdict.REJECT:
                row.outcome = ImportRow.Outcome.REJECTED
        rows_update(chunk, fields)
        # A row that will not be sent has no reason to keep its secret.
        unsent = [row.pk for row in chunk if row.verdict not in ImportRow.SENDING]
        if unsent:
            ImportRow.objects.filter(pk__in=unsent).update(secret=b"")
        ImportJob.objects.filter(pk=job.pk).update(analysed_rows=F("analysed_rows") + len(chunk))
        renew()
        if on_progress is not None:
            on_progress(ImportJob.objects.get(pk=job.pk))


def _user_problem(upn: str, user: UserEntry | None) -> str | None:
    if user is None:
        return import_plan_text(Reason.USER_NOT_FOUND, upn=upn)
    if user.guest:
        return import_plan_text(Reason.GUEST_USER, upn=upn)
    return None


def _lease_keeping_wait(renew: Callable[[], object]) -> Callable[[float], None]:
    """The client's wait between tries: on the coordinating thread it keeps the lease meanwhile
    (on a pool thread the coordinator does, see `Parallel`)."""
    coordinator = threading.current_thread()

    def wait(seconds: float) -> None:
        if threading.current_thread() is not coordinator:
            time.sleep(seconds)
            return
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(SLICE_SECONDS, left))
            renew()

    return wait


def _seed_judge(job: ImportJob, client: GraphClient, parallel: Parallel) -> Judge:
    pending = job.rows.filter(verdict=Verdict.PENDING)
    serials = list(pending.values_list("serial", flat=True))
    inventory = inventory_by_serial(client, serials, parallel=parallel)
    users: dict[str, UserEntry | None] = {}
    if job.assign_allowed:
        upns = sorted(set(pending.exclude(assignee_upn="").values_list("assignee_upn", flat=True)))
        users = users_by_upn(client, upns, parallel=parallel)

    flagged = lifecycle_flagged_serials(serials)

    def judge(row: ImportRow) -> None:
        found = inventory.get(serial_normalise(row.serial))
        if found is not None:
            row.verdict, row.reason, row.device_id = Verdict.SKIP_EXISTS, _exists(found), found.device_id
        elif not row.assignee_upn:
            row.verdict = Verdict.CREATE
        elif not job.assign_allowed:
            _unassigned(row, Reason.FORBIDDEN_ASSIGN)
        else:
            user = users.get(row.assignee_upn)
            if user is None:
                _unassigned(row, Reason.USER_NOT_FOUND)
            elif user.guest:
                _unassigned(row, Reason.GUEST_USER)
            else:
                row.verdict, row.assignee_id = Verdict.CREATE_ASSIGN, user.id
        record = flagged.get(serial_normalise(row.serial))
        if record is not None and row.verdict in ImportRow.SENDING:
            # A lost, stolen or retired serial coming back: say so before anything is sent.
            row.reason = problems_text([part for part in (_flag(record), row.reason) if part])

    return judge


def _unassigned(row: ImportRow, because: Reason) -> None:
    """The token is created, and the assignment the row asks for is dropped: say why."""
    row.verdict, row.unassigned_because = Verdict.CREATE_UNASSIGNED, because
    row.reason = import_plan_text(because, upn=row.assignee_upn)


def _flag(record: TokenLifecycleEvent) -> str:
    """The dry run's note on a serial the portal recorded as lost, stolen or retired."""
    return import_plan_text(
        Reason.OUT_OF_SERVICE,
        known=Known.ACTOR if record.actor_upn else None,
        state=str(record.get_state_display()),
        date=date_format(timezone.localtime(record.at), "DATE_FORMAT"),
        by=record.actor_upn,
    )


def _exists(found: InventoryEntry) -> str:
    if found.assigned_to_name:
        return import_plan_text(Reason.DUPLICATE_SERIAL, known=Known.HOLDER, holder=found.assigned_to_name)
    return import_plan_text(Reason.DUPLICATE_SERIAL)


def _assignment_judge(job: ImportJob, client: GraphClient, parallel: Parallel) -> Judge:
    pending = job.rows.filter(verdict=Verdict.PENDING)
    serials = list(pending.values_list("serial", flat=True))
    inventory = inventory_by_serial(client, serials, parallel=parallel)
    upns = sorted(set(pending.values_list("assignee_upn", flat=True)))
    users = users_by_upn(client, upns, parallel=parallel)

    flagged = lifecycle_flagged_serials(serials)

    def judge(row: ImportRow) -> None:
        found = inventory.get(serial_normalise(row.serial))
        user = users.get(row.assignee_upn)
        problems = [] if found else [import_plan_text(Reason.UNKNOWN_SERIAL, serial=row.serial)]
        record = flagged.get(serial_normalise(row.serial))
        if record is not None:
            problems.append(_flag(record))
        user_problem = _user_problem(row.assignee_upn, user)
        if user_problem:
            problems.append(user_problem)
        if problems or found is None or user is None:
            row.verdict, row.reason = Verdict.REJECT, problems_text(problems)
            return
        row.device_id, row.assignee_id = found.device_id, user.id
        if found.assigned_to_id == user.id:
            row.verdict, row.reason = (
                Verdict.SKIP_ASSIGNED,
                import_plan_text(Reason.ALREADY_THEIRS, holder=user.display_name or ""),
            )
        elif found.assigned_to_id:
            row.verdict = Verdict.REJECT
            row.reason = import_plan_text(Reason.ALREADY_ASSIGNED, holder=found.assigned_to_name or "")
        else:
            row.verdict = Verdict.ASSIGN

    return judge
