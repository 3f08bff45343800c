"""The audit trail as CSV, streamed row by row (the trail can be long; memory stays flat).

Spreadsheet programs run a cell that starts with = + - @ (or a tab / carriage return) as a formula,
and a UPN or a display name is text someone outside IT can choose. Such cells get a leading `'`,
OWASP's advice for CSV injection, so the file opens as the data it is.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC

from django.db.models import QuerySet

from portal.audit.models import AuditEvent

#: action, outcome and reason in words, as the audit trail's page shows them; their stored codes
#: follow at the end (action_code, …) for scripts and filters.
COLUMNS = (
    "time_utc",
    "actor_upn",
    "actor_oid",
    "action",
    "outcome",
    "reason",
    "target_upn",
    "target_oid",
    "token_serial",
    "token_id",
    "graph_request_id",
    "client_ip",
    "action_code",
    "outcome_code",
    "reason_code",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class Echo:
    """A file-like object whose write() returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def audit_csv_rows(events: QuerySet[AuditEvent], *, reason_label: Callable[[str], str]) -> Iterator[str]:
    """The CSV lines of `events`; `reason_label` gives a recorded reason its words (the wording
    table lives above this layer: portal.core.wording.audit_label)."""
    writer = csv.writer(Echo())
    yield writer.writerow(COLUMNS)
    for event in _batched(events):
        at = event.at.astimezone(UTC)
        yield writer.writerow(
            [
                csv_safe(value)
                for value in (
                    at.strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor_upn,
                    event.actor_oid,
                    event.get_action_display(),
                    event.get_outcome_display(),
                    reason_label(event.reason) if event.reason else "",
                    event.target_upn,
                    event.target_oid,
                    event.token_serial,
                    event.token_id,
                    event.graph_request_id,
                    event.client_ip,
                    event.action,
                    event.outcome,
                    event.reason,
                )
            ]
        )


def _batched(events: QuerySet[AuditEvent]) -> Iterable[AuditEvent]:
    # iterator(): no result cache, rows fetched in chunks from the database cursor.
    return events.iterator(chunk_size=500)
