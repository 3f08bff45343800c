"""Sending one chunk of rows to Graph: what runs on a worker thread (no database access here).

Seed rows go as one bulk `PATCH …/hardwareOathDevices` with an OData delta payload (reference
§3.3): one round trip for up to IMPORT_CHUNK_SIZE tokens, each item answered on its own. A row
naming a user carries `assignTo` in its item — created and assigned in one request, so a worker
dying in between can never leave a token created but not assigned; the price is that an item whose
assignment Graph refuses is not created either (its row says why).

Assignment rows go as `POST /users/{id}/authentication/hardwareOathMethods` members of `$batch`
calls, 20 per call (reference §6.4).

Retrying is the Graph client's alone: the runner gives it the jobs tuning of the one retry policy
(`portal.graph.retry.RetryPolicy.for_jobs`), which waits out 429/503 and resends throttled `$batch`
members. Each chunk is sent once here; every row comes back as

* `Finished` — a stored outcome (created, assigned, failed with a reason), or
* `Unsettled` with a `Control` — what the runner must do before the row has an outcome.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from portal.core.classify import classify, classify_answer
from portal.core.reasons import About, Reason
from portal.core.wording import import_row_text
from portal.graph import calls
from portal.graph.batch import MAX_BATCH_SIZE
from portal.graph.client import GraphClient
from portal.graph.errors import GraphBadResponse, GraphError
from portal.imports.models import ImportRow
from portal.imports.services.jobs import JobFailure

Outcome = ImportRow.Outcome

#: Answered instead of processing the request: the rows can simply be sent again.
NOT_PROCESSED = frozenset({429, 503})


class Control(enum.Enum):
    """What the runner does with a row that has no outcome yet (never stored on the row)."""

    #: Graph did not process it (still busy when the client's policy gave up, or the job stopped):
    #: it stays pending, to be sent again later.
    NOT_PROCESSED = enum.auto()
    #: It was sent and no usable answer came back: look it up before sending it again.
    IN_DOUBT = enum.auto()
    #: Graph says the serial exists: created by this job (an earlier lost answer) or by someone else.
    EXISTS = enum.auto()
    #: Graph says the token is assigned: look up to whom.
    CONFLICT = enum.auto()


class Stopped(Exception):
    """Raised by a job's wait (the client's `sleep`) when the job is stopping: give up the call."""


#: A job's wait between the client's tries: sleeps, keeps the lease, raises Stopped when stopping.
Wait = Callable[[float], object]


@dataclass(frozen=True)
class Finished:
    row_id: int
    outcome: Outcome
    detail: str = ""
    device_id: str = ""


@dataclass(frozen=True)
class Unsettled:
    row_id: int
    control: Control
    device_id: str = ""


Sent = Finished | Unsettled


@dataclass
class ChunkReport:
    sent: list[Sent] = field(default_factory=list)
    #: Graph answered 401: the access token was refused (the rows were not processed).
    unauthorized: bool = False
    #: The whole job cannot go on (e.g. the admin may not write the inventory at all).
    failure: JobFailure | None = None


@dataclass(frozen=True)
class SeedItem:
    row_id: int
    body: dict[str, Any] = field(repr=False)  # holds the secret
    assigning: bool


@dataclass(frozen=True)
class AssignItem:
    row_id: int
    user_id: str
    device_id: str


def _whole_call_failed(exc: GraphError, row_ids: list[int], report: ChunkReport) -> None:
    """A request-level error the client did not (or could no longer) retry: decide for every row."""
    if exc.status in NOT_PROCESSED:
        report.sent.extend(Unsettled(row_id, Control.NOT_PROCESSED) for row_id in row_ids)
    elif exc.status == 401:
        report.unauthorized = True
        report.sent.extend(Unsettled(row_id, Control.NOT_PROCESSED) for row_id in row_ids)
    elif isinstance(exc, GraphBadResponse) or exc.status == 0 or exc.status >= 500:
        # It may have been processed (timeout, gateway error, unreadable answer): look before resending.
        report.sent.extend(Unsettled(row_id, Control.IN_DOUBT) for row_id in row_ids)
    else:
        report.sent.extend(Unsettled(row_id, Control.NOT_PROCESSED) for row_id in row_ids)
        if exc.status == 403:
            report.failure = JobFailure(
                Reason.FORBIDDEN,
                gettext(
                    "Microsoft Entra ID refused: your account may not add tokens to the inventory or "
                    "assign them (check your role, then sign out and in again)."
                ),
            )
        else:
            report.failure = JobFailure(
                Reason.UNEXPECTED,
                gettext("Microsoft Entra ID rejected the request (HTTP %(status)s %(code)s).")
                % {"status": exc.status, "code": exc.code},
            )


def seed_chunk_send(client: GraphClient, items: list[SeedItem]) -> ChunkReport:
    report = ChunkReport()
    try:
        results = client.devices_bulk_create([item.body for item in items])
    except Stopped:
        # The client only waits after 429/503, which Graph answers instead of processing.
        report.sent.extend(Unsettled(item.row_id, Control.NOT_PROCESSED) for item in items)
        return report
    except GraphError as exc:
        _whole_call_failed(exc, [item.row_id for item in items], report)
        return report
    for item, result in zip(items, results, strict=True):
        if result.ok and result.device is not None:
            outcome = Outcome.ASSIGNED if item.assigning else Outcome.CREATED
            report.sent.append(Finished(item.row_id, outcome, device_id=result.device.id))
            continue
        reason = classify_answer(status=None, code=result.error_code, about=About.IMPORT_SEED)
        if reason is Reason.UNCONFIRMED:
            report.sent.append(Unsettled(item.row_id, Control.IN_DOUBT))
        elif reason is Reason.DUPLICATE_SERIAL:
            report.sent.append(Unsettled(item.row_id, Control.EXISTS))
        else:
            _not_sent(report, item.row_id, reason, about=About.IMPORT_SEED, code=result.error_code)
    return report


def assignment_chunk_send(client: GraphClient, items: list[AssignItem]) -> ChunkReport:
    report = ChunkReport()
    # One $batch call at a time: a lost answer then leaves at most 20 rows in doubt.
    for start in range(0, len(items), MAX_BATCH_SIZE):
        _assignment_group(client, items[start : start + MAX_BATCH_SIZE], report)
        if report.failure or report.unauthorized:
            rest = items[start + MAX_BATCH_SIZE :]
            report.sent.extend(Unsettled(item.row_id, Control.NOT_PROCESSED) for item in rest)
            break
    return report


def _assignment_group(client: GraphClient, group: list[AssignItem], report: ChunkReport) -> None:
    try:
        answers = client.batch(*[calls.method_assign(item.user_id, item.device_id) for item in group])
    except Stopped:
        # Stopped while resending throttled members: the others may have been applied.
        report.sent.extend(Unsettled(item.row_id, Control.IN_DOUBT, item.device_id) for item in group)
        return
    except GraphError as exc:
        _whole_call_failed(exc, [item.row_id for item in group], report)
        return
    for item, answer in zip(group, answers, strict=True):
        error = answer.error
        if error is None:
            report.sent.append(Finished(item.row_id, Outcome.ASSIGNED, device_id=item.device_id))
            continue
        reason = classify(error, about=About.IMPORT_ASSIGN)
        if reason is Reason.ALREADY_ASSIGNED:
            report.sent.append(Unsettled(item.row_id, Control.CONFLICT, item.device_id))
        elif reason is Reason.REAUTHENTICATION_REQUIRED:
            report.unauthorized = True
            report.sent.append(Unsettled(item.row_id, Control.NOT_PROCESSED))
        else:
            _not_sent(report, item.row_id, reason, about=About.IMPORT_ASSIGN, code=error.code)


def _not_sent(report: ChunkReport, row_id: int, reason: Reason, *, about: About, code: str | None) -> None:
    """A member Graph refused for a reason neither kind handles itself: left for a later pass if the
    reason passes, otherwise failed with the words the results table shows for it."""
    if reason.retry_later:
        report.sent.append(Unsettled(row_id, Control.NOT_PROCESSED))
    else:
        report.sent.append(Finished(row_id, Outcome.FAILED, import_row_text(reason, about=about, code=code)))
