"""The audit trail as CSV, streamed row by row (the trail can be long; memory stays flat), and the
CSV machinery every export of the portal shares (`Column`, `csv_lines`, `csv_safe`).

Every export is written for the person who downloads it: its headings and its words are in their
language. A column's heading and its cell are defined together, once (`Column`); the order of the
columns is fixed, so a script reads a column by its place, and the `… (code)` columns hold the
stored values, the same in every language.

Spreadsheet programs run a cell that starts with = + - @ (or a tab / carriage return) as a formula,
and a UPN or a display name is text someone outside IT can choose. Such cells get a leading `'`,
OWASP's advice for CSV injection, so the file opens as the data it is.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.audit.models import AuditEvent

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Text
else:
    Text = str

Item = TypeVar("Item")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class Echo:
    """A file-like object whose write() returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Column(Generic[Item]):
    """One column of an export: its heading (words, translated when written) and its cell."""

    heading: Text | str
    cell: Callable[[Item], object]


def csv_lines(columns: Sequence[Column[Item]], items: Iterable[Item]) -> Iterator[str]:
    """The heading line, then one line per item, in the language active now.

    A streamed answer is read after its view has returned, so the language is taken now and made
    active again while each line is written (and only then: nothing leaks between lines)."""
    return _lines(columns, items, translation.get_language())


def _lines(columns: Sequence[Column[Item]], items: Iterable[Item], language: str | None) -> Iterator[str]:
    writer = csv.writer(Echo())
    with translation.override(language):
        heading = writer.writerow([str(column.heading) for column in columns])
    yield heading
    for item in items:
        with translation.override(language):
            line = writer.writerow([csv_safe(column.cell(item)) for column in columns])
        yield line


def audit_columns(*, reason_label: Callable[[str], str]) -> tuple[Column[AuditEvent], ...]:
    """The audit trail's columns: action, outcome and reason in words, as the audit trail's page
    shows them; their stored codes follow at the end for scripts and filters. `reason_label` gives a
    recorded reason its words (the wording table lives above this layer: portal.core.wording)."""
    return (
        # Translators: a column of the audit trail's CSV export: when it happened, in UTC.
        Column(_("When (UTC)"), lambda e: e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")),
        Column(_("Done by"), lambda e: e.actor_upn),
        # Translators: a column of the audit trail's CSV export: the Microsoft Entra object ID of who did it.
        Column(_("Done by (object ID)"), lambda e: e.actor_oid),
        Column(_("Action"), lambda e: e.get_action_display()),
        Column(_("Outcome"), lambda e: e.get_outcome_display()),
        Column(_("Reason"), lambda e: reason_label(e.reason) if e.reason else ""),
        Column(_("Done to"), lambda e: e.target_upn),
        # Translators: a column of the audit trail's CSV export: the Entra object ID of the user it was done to.
        Column(_("Done to (object ID)"), lambda e: e.target_oid),
        Column(_("Token serial number"), lambda e: e.token_serial),
        # Translators: a column of the audit trail's CSV export: the token's ID in Microsoft Graph.
        Column(_("Token ID"), lambda e: e.token_id),
        # Translators: a column of the audit trail's CSV export: the request-id Microsoft Graph gave its answer.
        Column(_("Graph request ID"), lambda e: e.graph_request_id),
        # Translators: a column of the audit trail's CSV export: the IP address the request came from.
        Column(_("IP address"), lambda e: e.client_ip),
        # Translators: a column of the audit trail's CSV export, for scripts: the action's stored code
        # (the same in every language), e.g. "user.assign".
        Column(_("Action (code)"), lambda e: e.action),
        # Translators: the outcome's stored code, e.g. "success" (see "Action (code)").
        Column(_("Outcome (code)"), lambda e: e.outcome),
        # Translators: the reason's stored code, e.g. "wrong_code" (see "Action (code)").
        Column(_("Reason (code)"), lambda e: e.reason),
    )


def audit_csv_rows(events: QuerySet[AuditEvent], *, reason_label: Callable[[str], str]) -> Iterator[str]:
    """The CSV lines of `events`, in the language active now."""
    # iterator(): no result cache, rows fetched in chunks from the database cursor.
    return csv_lines(audit_columns(reason_label=reason_label), events.iterator(chunk_size=500))
