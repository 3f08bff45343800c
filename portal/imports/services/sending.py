"""Sending one chunk of rows to Graph: what runs on a worker thread (no database access here).

Seed rows go as one bulk `PATCH …/hardwareOathDevices` with an OData delta payload (reference
§3.3): one round trip for up to IMPORT_CHUNK_SIZE tokens, each item answered on its own. A row
naming a user carries `assignTo` in its item — created and assigned in one request, so a worker
dying in between can never leave a token created but not assigned; the price is that an item whose
assignment Graph refuses is not created either (its row says why).

Assignment rows go as `POST /users/{id}/authentication/hardwareOathMethods` members of `$batch`
calls, 20 per call (reference §6.4).

Every row comes back with one of:
* a final outcome (created, assigned, failed with a reason);
* AGAIN — Graph did not process it (throttled, stopped by a cancel): send it again;
* IN_DOUBT — it was sent and no usable answer came back: look it up before sending it again;
* EXISTS / CONFLICT — Graph says the serial exists / the token is assigned: the coordinator decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portal.core.classify import classify, classify_answer
from portal.core.reasons import About, Reason
from portal.core.wording import import_row_text
from portal.graph import calls
from portal.graph.batch import MAX_BATCH_SIZE
from portal.graph.client import GraphClient
from portal.graph.errors import GraphBadResponse, GraphError
from portal.imports.models import ImportRow
from portal.imports.services.jobs import JobFailure
from portal.imports.services.patience import wait_for

Outcome = ImportRow.Outcome

#: Answered instead of processing the request: the rows can simply be sent again.
NOT_PROCESSED = frozenset({429, 503})

AGAIN = "again"
IN_DOUBT = "in_doubt"
EXISTS = "exists"
CONFLICT = "conflict"

#: Tries per chunk while Graph keeps answering 429/503 (on top of the client's own retries).
CHUNK_ATTEMPTS = 8
BUSY = (
    "Not sent: Microsoft Entra ID stayed busy for too long. "
    "Import the file again later (rows already done are skipped)."
)

#: Waits `seconds` unless the job is stopping; returns False when it is.
Pause = Callable[[float], bool]


@dataclass(frozen=True)
class Sent:
    row_id: int
    outcome: str
    detail: str = ""
    device_id: str = ""


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


def _whole_chunk_failed(exc: GraphError, row_ids: list[int], report: ChunkReport) -> None:
    """A request-level error that is not "busy": decide for every row of the chunk."""
    if exc.status == 401:
        report.unauthorized = True
        report.sent.extend(Sent(row_id, AGAIN) for row_id in row_ids)
    elif isinstance(exc, GraphBadResponse) or exc.status == 0 or exc.status >= 500:
        # It may have been processed (timeout, gateway error, unreadable answer): look before resending.
        report.sent.extend(Sent(row_id, IN_DOUBT) for row_id in row_ids)
    else:
        report.sent.extend(Sent(row_id, AGAIN) for row_id in row_ids)
        if exc.status == 403:
            report.failure = JobFailure(
                Reason.FORBIDDEN,
                "Microsoft Entra ID refused: your account may not add tokens to the inventory or assign them "
                "(check your role, then sign out and in again).",
            )
        else:
            report.failure = JobFailure(
                Reason.UNEXPECTED, f"Microsoft Entra ID rejected the request (HTTP {exc.status} {exc.code})."
            )


def seed_chunk_send(client: GraphClient, items: list[SeedItem], pause: Pause) -> ChunkReport:
    report = ChunkReport()
    todo = list(items)
    attempt = 0
    while todo:
        attempt += 1
        try:
            results = client.devices_bulk_create([item.body for item in todo])
        except GraphError as exc:
            if exc.status in NOT_PROCESSED:
                if attempt >= CHUNK_ATTEMPTS:
                    report.sent.extend(Sent(item.row_id, Outcome.FAILED, BUSY) for item in todo)
                    return report
                if not pause(wait_for(exc, attempt)):
                    report.sent.extend(Sent(item.row_id, AGAIN) for item in todo)
                    return report
                continue
            _whole_chunk_failed(exc, [item.row_id for item in todo], report)
            return report
        again: list[SeedItem] = []
        for item, result in zip(todo, results, strict=True):
            if result.ok and result.device is not None:
                outcome = Outcome.ASSIGNED if item.assigning else Outcome.CREATED
                report.sent.append(Sent(item.row_id, outcome, device_id=result.device.id))
                continue
            reason = classify_answer(status=None, code=result.error_code, about=About.IMPORT_SEED)
            if reason is Reason.UNCONFIRMED:
                report.sent.append(Sent(item.row_id, IN_DOUBT))
            elif reason is Reason.DUPLICATE_SERIAL:
                report.sent.append(Sent(item.row_id, EXISTS))
            elif reason.retry_later:
                again.append(item)
            else:
                text = import_row_text(reason, about=About.IMPORT_SEED, code=result.error_code)
                report.sent.append(Sent(item.row_id, Outcome.FAILED, text))
        todo = again
        if todo and (attempt >= CHUNK_ATTEMPTS or not pause(wait_for(None, attempt))):
            report.sent.extend(
                Sent(item.row_id, Outcome.FAILED if attempt >= CHUNK_ATTEMPTS else AGAIN, BUSY) for item in todo
            )
            return report
    return report


def assignment_chunk_send(client: GraphClient, items: list[AssignItem], pause: Pause) -> ChunkReport:
    report = ChunkReport()
    # One $batch call at a time: a lost answer then leaves at most 20 rows in doubt.
    for start in range(0, len(items), MAX_BATCH_SIZE):
        _assignment_group(client, items[start : start + MAX_BATCH_SIZE], pause, report)
        if report.failure or report.unauthorized:
            rest = items[start + MAX_BATCH_SIZE :]
            report.sent.extend(Sent(item.row_id, AGAIN) for item in rest)
            break
    return report


def _assignment_group(client: GraphClient, group: list[AssignItem], pause: Pause, report: ChunkReport) -> None:
    todo = list(group)
    attempt = 0
    while todo:
        attempt += 1
        try:
            answers = client.batch(*[calls.method_assign(item.user_id, item.device_id) for item in todo])
        except GraphError as exc:
            if exc.status in NOT_PROCESSED and attempt < CHUNK_ATTEMPTS:
                if pause(wait_for(exc, attempt)):
                    continue
                report.sent.extend(Sent(item.row_id, AGAIN) for item in todo)
                return
            if exc.status in NOT_PROCESSED:
                report.sent.extend(Sent(item.row_id, Outcome.FAILED, BUSY) for item in todo)
                return
            _whole_chunk_failed(exc, [item.row_id for item in todo], report)
            return
        again: list[AssignItem] = []
        for item, answer in zip(todo, answers, strict=True):
            error = answer.error
            if error is None:
                report.sent.append(Sent(item.row_id, Outcome.ASSIGNED, device_id=item.device_id))
                continue
            reason = classify(error, about=About.IMPORT_ASSIGN)
            if reason is Reason.ALREADY_ASSIGNED:
                report.sent.append(Sent(item.row_id, CONFLICT, device_id=item.device_id))
            elif reason is Reason.REAUTHENTICATION_REQUIRED:
                report.unauthorized = True
                report.sent.append(Sent(item.row_id, AGAIN))
            elif reason.retry_later:
                again.append(item)
            else:
                text = import_row_text(reason, about=About.IMPORT_ASSIGN, code=error.code)
                report.sent.append(Sent(item.row_id, Outcome.FAILED, text))
        todo = again
        if todo:
            stop = attempt >= CHUNK_ATTEMPTS
            if stop or not pause(wait_for(None, attempt)):
                report.sent.extend(Sent(item.row_id, Outcome.FAILED if stop else AGAIN, BUSY) for item in todo)
                return
