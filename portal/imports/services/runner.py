"""Running a confirmed job: every row sent once, in row order, its result kept as soon as known.

Nothing lost, nothing twice — how:
1. Rows go in a fixed order (row number). Before a round is sent, its rows get `sent_at`
   (committed), so the database always knows which rows *may* have reached Graph.
2. As soon as a round's answers are in (its chunks go out together), its rows' outcomes are written
   (with the counters) in one transaction, and their secrets are erased in the same statement.
3. A row with `sent_at` but no outcome is "in doubt": its request went out, its answer never got
   recorded (a worker killed mid-chunk, a timeout, an item Graph did not answer). Before anything
   else — in particular when a new worker resumes a dead worker's job — in-doubt rows are looked up
   by serial (seed) or by device (assignment): found → recorded as done; not found → sent again.
4. Graph's own guard stays on top: a duplicate serial is refused with 409 serialNumberAlreadyExists,
   which is read as "already exists" (skipped, or created-earlier for a row that was in doubt),
   never as a failure.

Retries: the Graph client's own, tuned for jobs (`RetryPolicy.for_jobs`); the runner never tries
anything twice itself, it only handles outcomes. A row Graph did not process even then stays
pending for the rest of this run and is not sent again in it; when nothing else is left, such rows
are given up on with a sentence (import the file again later: rows already done are skipped).

Concurrency: up to IMPORT_CONCURRENCY chunks are in flight at once (`services.parallel`), each on
its own thread with its own GraphClient (sharing the process's requests.Session, which is safe: the
client never mutates it). This coordinating thread alone writes the portal's database, renews the
lease while it waits, and notices a cancel request (then threads stop at their next wait; what they
sent is still recorded).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from threading import Event
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from portal.core.events import TokenChange, TokenEvent, token_event_emit
from portal.core.serials import serial_normalise
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.retry import RetryPolicy
from portal.identity.delegation import DelegationExpired
from portal.identity.errors import IdentityUnavailable
from portal.identity.sealing import SealBroken, unseal_text
from portal.imports.models import ImportJob, ImportRow
from portal.imports.services import followup, jobs
from portal.imports.services.credentials import StoredDelegation, TokenSource
from portal.imports.services.jobs import JobFailure, LeaseLost
from portal.imports.services.lookups import chunked, devices_lookup, serials_lookup
from portal.imports.services.parallel import SLICE_SECONDS, Parallel
from portal.imports.services.rowstore import rows_update
from portal.imports.services.sending import (
    AssignItem,
    ChunkReport,
    Control,
    Finished,
    SeedItem,
    Sent,
    Stopped,
    Wait,
    assignment_chunk_send,
    seed_chunk_send,
)

logger = logging.getLogger("portal.imports")

Outcome = ImportRow.Outcome
Status = ImportJob.Status
BUSY = gettext_lazy(
    "Not sent: Microsoft Entra ID stayed busy for too long. Import the file again "
    "later (rows already done are skipped)."
)


def job_run(
    job_id: int,
    *,
    owner: str,
    tokens: TokenSource | None = None,
    on_progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob | None:
    """Run (or resume) a queued job to its end. Returns the finished job, None if not ours."""
    job = jobs.job_claim(job_id, owner=owner, phase="run")
    if job is None:
        return None
    try:
        source = tokens or StoredDelegation(job)
        JobRunner(job, owner=owner, tokens=source, on_progress=on_progress).run()
    except LeaseLost:
        return None
    except JobFailure as failure:
        return jobs.job_finish(
            job_id, status=Status.FAILED, owner=owner, error_code=failure.code, error=failure.message
        )
    except DelegationExpired as exc:
        logger.info("import job lost its delegated sign-in", extra={"job": str(job.public_id), "reason": exc.reason})
        return _failed_retry(
            job_id,
            owner,
            "signin_expired",
            gettext("the sign-in of the admin who confirmed the import could not be renewed."),
        )
    except Exception:
        # Logged without locals or arguments: the traceback holds code, not secrets.
        logger.exception("import job stopped unexpectedly", extra={"job": str(job.public_id)})
        return _failed_retry(
            job_id, owner, "unexpected", gettext("the import stopped because of an unexpected problem.")
        )
    cancelled = ImportJob.objects.filter(pk=job_id, cancel_requested=True).exists()
    return jobs.job_finish(job_id, status=Status.CANCELLED if cancelled else Status.DONE, owner=owner)


def _failed_retry(job_id: int, owner: str, error_code: str, what: str) -> ImportJob | None:
    """End the job as failed because of `what` (a sentence), telling the admin how to go on."""
    error = gettext("%(what)s Import the file again (rows already done are skipped).") % {"what": what}
    return jobs.job_finish(job_id, status=Status.FAILED, owner=owner, error_code=error_code, error=error)


class JobRunner:
    def __init__(
        self,
        job: ImportJob,
        *,
        owner: str,
        tokens: TokenSource,
        on_progress: Callable[[ImportJob], None] | None = None,
    ) -> None:
        self.job = job
        self.owner = owner
        self.tokens = tokens
        self.on_progress = on_progress
        self.chunk_size = max(1, int(settings.IMPORT_CHUNK_SIZE))
        self.concurrency = max(1, int(settings.IMPORT_CONCURRENCY))
        self.stop = Event()
        self.in_doubt_before: set[int] = set()
        #: Rows Graph did not process in this run: not sent again in it.
        self.deferred: set[int] = set()

    # -- the lease and the stop signal --------------------------------------------------------------

    def renew(self) -> bool:
        if jobs.lease_renew(self.job.pk, self.owner):
            self.stop.set()
        return self.stop.is_set()

    def wait_inline(self, seconds: float) -> None:
        """The client's wait on the coordinating thread itself (concurrency 1): keep the lease."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.renew():
                raise Stopped
            time.sleep(min(SLICE_SECONDS, left))

    def wait_looking_up(self, seconds: float) -> None:
        """The client's wait while looking rows up: keep the lease, and finish even if the job is
        being cancelled (what was sent must be accounted for)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.renew()
            time.sleep(min(SLICE_SECONDS, left))

    def wait_threaded(self, seconds: float) -> None:
        """The client's wait on a pool thread (the coordinator keeps the lease meanwhile)."""
        if self.stop.wait(max(0.0, seconds)):
            raise Stopped

    def client(self, token: str | None = None, wait: Wait | None = None) -> GraphClient:
        """A Graph client with the jobs tuning of the retry policy, waiting through `wait`."""
        return GraphClient(
            token or self.tokens.access_token(), policy=RetryPolicy.for_jobs(), sleep=wait or self.wait_inline
        )

    # -- the loop -----------------------------------------------------------------------------------

    def pending(self) -> Any:
        return self.job.rows.filter(outcome=Outcome.PENDING)

    def run(self) -> None:
        self.resolve_in_doubt()  # what a dead worker may have sent, before anything else
        unauthorized_rounds = 0
        while not self.renew():
            unsent = self.pending().filter(sent_at__isnull=True).exclude(pk__in=self.deferred)
            rows = list(unsent.order_by("row_number")[: self.chunk_size * self.concurrency])
            if not rows:
                if self.pending().filter(sent_at__isnull=False).exists():
                    self.resolve_in_doubt()
                    continue
                self.give_up_deferred()
                return
            reports = self.send_round(rows)
            to_check = self.record(reports)
            failure = next((report.failure for report in reports if report.failure is not None), None)
            unauthorized = any(report.unauthorized for report in reports)
            if to_check:
                self.resolve(to_check)
            if failure is not None:
                raise failure
            if unauthorized:
                unauthorized_rounds += 1
                if unauthorized_rounds > 1:
                    raise JobFailure(
                        "signin_rejected",
                        gettext(
                            "Microsoft Entra ID no longer accepts the sign-in of the admin who confirmed the import."
                        ),
                    )
                self.refresh_token()
            else:
                unauthorized_rounds = 0
            if self.on_progress is not None:
                self.on_progress(ImportJob.objects.get(pk=self.job.pk))

    def refresh_token(self) -> None:
        try:
            self.tokens.access_token(force_refresh=True)
        except IdentityUnavailable as exc:
            raise JobFailure(
                "identity_unavailable", gettext("Microsoft Entra ID sign-in could not be reached.")
            ) from exc

    # -- sending a round ----------------------------------------------------------------------------

    def send_round(self, rows: list[ImportRow]) -> list[ChunkReport]:
        try:
            token = self.tokens.access_token()  # before marking anything as sent
        except IdentityUnavailable as exc:
            raise JobFailure(
                "identity_unavailable", gettext("Microsoft Entra ID sign-in could not be reached.")
            ) from exc
        ImportRow.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=timezone.now())
        chunks = [list(chunk) for chunk in chunked(rows, self.chunk_size)]
        parallel = Parallel(self.concurrency, tick=self.renew, tick_seconds=max(1.0, jobs.lease_seconds() / 4))
        # Inline (one chunk at a time) the client's waits renew the lease; on threads, the
        # coordinator renews it while the chunks are in flight.
        wait: Wait = self.wait_inline if parallel.inline(chunks) else self.wait_threaded
        return parallel.map(lambda chunk: self.send_chunk(self.client(token, wait), chunk), chunks)

    def send_chunk(self, client: GraphClient, rows: list[ImportRow]) -> ChunkReport:
        if self.job.kind == ImportJob.Kind.ASSIGNMENT:
            items = [AssignItem(row.pk, row.assignee_id, row.device_id) for row in rows]
            return assignment_chunk_send(client, items)
        report = ChunkReport()
        seeds: list[SeedItem] = []
        for row in rows:
            try:
                seeds.append(self.seed_item(row))
            except SealBroken:
                report.sent.append(
                    Finished(
                        row.pk,
                        Outcome.FAILED,
                        gettext(
                            "Not sent: its stored secret could not be opened (the encryption key changed). "
                            "Import the file again."
                        ),
                    )
                )
        if seeds:
            sent = seed_chunk_send(client, seeds)
            report.sent.extend(sent.sent)
            report.unauthorized, report.failure = sent.unauthorized, sent.failure
        return report

    def seed_item(self, row: ImportRow) -> SeedItem:
        body: dict[str, Any] = {
            "serialNumber": row.serial,
            "secretKey": unseal_text(bytes(row.secret)),
            "timeIntervalInSeconds": row.time_interval or 30,
            "hashFunction": row.hash_function or "hmacsha1",
            "manufacturer": row.manufacturer,
            "model": row.model,
        }
        if row.display_name:
            body["displayName"] = row.display_name
        assigning = row.verdict == ImportRow.Verdict.CREATE_ASSIGN and bool(row.assignee_id)
        if assigning:
            body["assignTo"] = {"id": row.assignee_id}
        return SeedItem(row.pk, body, assigning)

    # -- recording ----------------------------------------------------------------------------------

    def record(self, reports: list[ChunkReport]) -> list[int]:
        """Write a round's final outcomes (one transaction); put rows Graph did not process back
        (deferred for this run, except a chunk whose token was refused: sent again once it is
        renewed); return rows to look up."""
        now = timezone.now()
        final: list[ImportRow] = []
        again: list[int] = []
        to_check: list[int] = []
        for report in reports:
            not_processed = self.sort_out(report.sent, now, final=final, to_check=to_check)
            if not report.unauthorized:
                self.deferred.update(not_processed)
            again.extend(not_processed)
        self.save(final, again=again)
        return to_check

    def sort_out(self, sent: list[Sent], now: Any, *, final: list[ImportRow], to_check: list[int]) -> list[int]:
        """Add a chunk's final outcomes to `final` and rows to look up to `to_check`; return the rows
        Graph did not process."""
        again: list[int] = []
        for item in sent:
            if isinstance(item, Finished):
                final.append(self.finished_row(item.row_id, item.outcome, item.detail, item.device_id, now))
            elif item.control is Control.EXISTS:
                if item.row_id in self.in_doubt_before:
                    detail = gettext(
                        "Created (its first answer was lost; Microsoft Entra ID then reported the serial as existing)."
                    )
                    final.append(self.finished_row(item.row_id, Outcome.CREATED, detail, item.device_id, now))
                else:
                    detail = gettext("Already in the inventory (added after the dry run).")
                    final.append(self.finished_row(item.row_id, Outcome.SKIPPED, detail, item.device_id, now))
            elif item.control is Control.NOT_PROCESSED:
                again.append(item.row_id)
            else:  # IN_DOUBT, CONFLICT
                to_check.append(item.row_id)
        return again

    def finished_row(self, row_id: int, outcome: str, detail: str, device_id: str, now: Any) -> ImportRow:
        return ImportRow(id=row_id, outcome=outcome, detail=detail, device_id=device_id, secret=b"", finished_at=now)

    def save(self, final: list[ImportRow], *, again: list[int] | None = None) -> None:
        assigned: list[int] = []
        with transaction.atomic():
            if final:
                # Only rows still pending: a resumed worker must never overwrite a recorded outcome.
                still_pending = set(
                    ImportRow.objects.filter(pk__in=[row.pk for row in final], outcome=Outcome.PENDING).values_list(
                        "pk", flat=True
                    )
                )
                final = [row for row in final if row.pk in still_pending]
                assigned = [row.pk for row in final if row.outcome == Outcome.ASSIGNED]
                rows_update(final, ["outcome", "detail", "device_id", "secret", "finished_at"], only_pending=True)
                ImportJob.objects.filter(pk=self.job.pk).update(processed_rows=F("processed_rows") + len(final))
                if self.job.kind == ImportJob.Kind.SEED:
                    # A token created without the assignment its row asked for says so in its result.
                    ImportRow.objects.filter(
                        pk__in=[row.pk for row in final],
                        verdict=ImportRow.Verdict.CREATE_UNASSIGNED,
                        outcome=Outcome.CREATED,
                    ).update(outcome=Outcome.CREATED_UNASSIGNED)
                followup.assignments_audit(job=self.job, row_ids=assigned)
            if again:
                ImportRow.objects.filter(pk__in=again, outcome=Outcome.PENDING).update(sent_at=None)
        announce_assigned(assigned)

    def give_up_deferred(self) -> None:
        """Nothing else left: rows Graph never processed in this run get their sentence (unless the job
        is stopping: then they stay pending and are counted as cancelled)."""
        if self.deferred and not self.stop.is_set():
            now = timezone.now()
            self.save([self.finished_row(row_id, Outcome.FAILED, str(BUSY), "", now) for row_id in self.deferred])

    # -- rows in doubt ------------------------------------------------------------------------------

    def resolve_in_doubt(self) -> None:
        ids = list(self.pending().filter(sent_at__isnull=False).values_list("pk", flat=True))
        for group in chunked(ids, self.chunk_size):
            self.resolve(list(group))

    def resolve(self, row_ids: list[int]) -> None:
        """Look up rows that may or may not have been applied, and settle each one."""
        self.in_doubt_before.update(row_ids)
        rows = list(self.pending().filter(pk__in=row_ids).defer("secret"))
        if not rows:
            return
        try:
            client = self.client(wait=self.wait_looking_up)
        except IdentityUnavailable as exc:
            raise JobFailure(
                "identity_unavailable", gettext("Microsoft Entra ID sign-in could not be reached.")
            ) from exc
        try:
            if self.job.kind == ImportJob.Kind.ASSIGNMENT:
                final, again = self.settle_assignments(client, rows)
            else:
                final, again = self.settle_seeds(client, rows)
        except GraphError as exc:
            raise JobFailure(
                "lookup_failed",
                gettext(
                    "some rows were sent without an answer, and looking them up failed (HTTP "
                    "%(status)s): check the inventory for them, then import the file again."
                )
                % {"status": exc.status},
            ) from exc
        with transaction.atomic():
            self.save(final)
            if again:
                # Looked up and not there: never applied, so safe to send again.
                ImportRow.objects.filter(pk__in=again, outcome=Outcome.PENDING).update(sent_at=None)

    def settle_seeds(self, client: GraphClient, rows: list[ImportRow]) -> tuple[list[ImportRow], list[int]]:
        serials = [row.serial for row in rows]
        found: dict[str, Any] = {}
        for group in chunked(serials, 20):
            found.update(serials_lookup(client, group))
        now = timezone.now()
        final: list[ImportRow] = []
        again: list[int] = []
        for row in rows:
            entry = found.get(serial_normalise(row.serial))
            if entry is None:
                again.append(row.pk)
            elif row.verdict == ImportRow.Verdict.CREATE_ASSIGN and entry.assigned_to_id == row.assignee_id:
                final.append(
                    self.finished_row(
                        row.pk,
                        Outcome.ASSIGNED,
                        gettext("Created and assigned (confirmed by looking it up: the first answer was lost)."),
                        entry.device_id,
                        now,
                    )
                )
            elif row.verdict == ImportRow.Verdict.CREATE_ASSIGN:
                final.append(
                    self.finished_row(
                        row.pk,
                        Outcome.CREATED,
                        gettext("Created, but not assigned to %(assignee_upn)s: assign it with a bulk assignment file.")
                        % {"assignee_upn": row.assignee_upn},
                        entry.device_id,
                        now,
                    )
                )
            else:
                final.append(
                    self.finished_row(
                        row.pk,
                        Outcome.CREATED,
                        gettext("Created (confirmed by looking it up: the first answer was lost)."),
                        entry.device_id,
                        now,
                    )
                )
        return final, again

    def settle_assignments(self, client: GraphClient, rows: list[ImportRow]) -> tuple[list[ImportRow], list[int]]:
        devices: dict[str, Any] = {}
        ids = [row.device_id for row in rows]
        for group in chunked(ids, 20):
            devices.update(devices_lookup(client, group))
        now = timezone.now()
        final: list[ImportRow] = []
        again: list[int] = []
        for row in rows:
            entry = devices.get(row.device_id)
            if entry is None:
                final.append(
                    self.finished_row(
                        row.pk,
                        Outcome.FAILED,
                        gettext("Not assigned: the token is no longer in the inventory."),
                        row.device_id,
                        now,
                    )
                )
            elif entry.assigned_to_id == row.assignee_id:
                final.append(self.finished_row(row.pk, Outcome.ASSIGNED, "", row.device_id, now))
            elif entry.assigned_to_id:
                final.append(
                    self.finished_row(
                        row.pk,
                        Outcome.FAILED,
                        gettext("Not assigned: the token was assigned to %(assigned_to_name)s after the dry run.")
                        % {"assigned_to_name": entry.assigned_to_name},
                        row.device_id,
                        now,
                    )
                )
            else:
                again.append(row.pk)
        return final, again


def announce_assigned(row_ids: list[int]) -> None:
    """Each token the job assigned to a person, announced once (portal.core.events): they hear of it."""
    if not row_ids:
        return
    rows = ImportRow.objects.filter(pk__in=row_ids).only("pk", "serial", "assignee_id", "assignee_upn", "device_id")
    for row in rows:
        token_event_emit(
            TokenEvent(
                change=TokenChange.ASSIGNED,
                person_oid=row.assignee_id,
                person_upn=row.assignee_upn,
                serial=row.serial,
                method_id=row.device_id,
                occurrence=f"import-row:{row.pk}",
            )
        )
