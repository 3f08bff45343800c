"""The audit trail speaks words: no stored code (a reason, an outcome, an action) is ever shown as it
is, on the page or in the CSV export."""

from __future__ import annotations

import csv
import io
import itertools
from html.parser import HTMLParser

import pytest
from django.utils import translation

from portal.audit.export import audit_columns
from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.core.reasons import Reason
from portal.core.wording import audit_label
from tests.support.admins import READER, SignedIn

pytestmark = pytest.mark.django_db

CODES = {*Reason, *AuditEvent.Action.values, *AuditEvent.Outcome.values}


class VisibleText(HTMLParser):
    """Every piece of text a person sees (not attributes, scripts or styles)."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.pieces.append(data.strip())


def record_every_code() -> None:
    """One event per reason, with every action and every outcome among them."""
    actions = itertools.cycle(AuditEvent.Action.values)
    outcomes = itertools.cycle(AuditEvent.Outcome.values)
    for reason in Reason:
        audit_event_record(
            actor=None,
            action=next(actions),
            outcome=next(outcomes),
            reason=reason.value,
            target_upn="someone@contoso-sandbox.example",
            token_serial="S-1",
        )
    assert len(Reason) >= len(AuditEvent.Action.values)  # so every action is among them


def test_the_audit_page_shows_no_raw_code(signed_in: SignedIn) -> None:
    record_every_code()
    page = signed_in(READER).get("/admin/audit/").content.decode()
    parser = VisibleText()
    parser.feed(page)
    shown = parser.pieces
    assert "Wrong code" in shown and "Done" in shown  # the words are there ...
    raw = [piece for piece in shown if piece in CODES]
    assert not raw, raw  # ... and no code stands on its own
    text = " ".join(shown)
    assert not [code for code in CODES if ("_" in code or "." in code) and code in text]


def test_the_audit_export_gives_action_outcome_and_reason_in_words(signed_in: SignedIn) -> None:
    record_every_code()
    response = signed_in(READER).get("/admin/audit/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert len(rows) == len(Reason)
    for row in rows:
        assert row["Action"] not in CODES and row["Outcome"] not in CODES and row["Reason"] not in CODES, row
        assert row["Action"] == AuditEvent.Action(row["Action (code)"]).label
        assert row["Reason (code)"] in {reason.value for reason in Reason}
    wrong = next(row for row in rows if row["Reason (code)"] == "wrong_code")
    assert wrong["Reason"] == "Wrong code"


def test_the_audit_export_is_written_in_the_downloaders_language(signed_in: SignedIn) -> None:
    """Headings and words in German for a German reader, also when the server reads the stream after
    the view has returned (and its thread has moved on to another language); the code columns stay."""
    record_every_code()
    response = signed_in(READER).get("/admin/audit/export.csv", HTTP_ACCEPT_LANGUAGE="de")
    with translation.override("en"):
        body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    heading, *rows = list(csv.reader(io.StringIO(body)))
    with translation.override("de"):
        assert heading == [str(column.heading) for column in audit_columns(reason_label=audit_label)]
    assert heading[1] == "Ausgeführt von" and heading[3:6] == ["Aktion", "Ergebnis", "Grund"]
    wrong = next(row for row in rows if row[-1] == "wrong_code")
    with translation.override("de"):
        assert wrong[5] == audit_label("wrong_code") != "Wrong code"
