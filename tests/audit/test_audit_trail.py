"""The audit trail: one event per write with the right fields and no secret, filters, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.sandbox.models import HardwareToken
from tests.support.admins import (
    ALEX,
    ALEX_ACTIVE,
    ALEX_FAILED,
    AUTH_ADMIN,
    FREE,
    FREE_2,
    GLOBAL_ADMIN,
    READER,
    SignedIn,
)
from tests.support.tokens import code_for, token_id, wrong_code_for

pytestmark = pytest.mark.django_db

ALEX_UPN = "alex.wilber@contoso-sandbox.example"
CANARY_SECRET = "KRSXG5CTMVRXEZLUCANARYQQ"


def export(client: Client, **filters: str) -> list[dict[str, str]]:
    response = client.get("/admin/audit/export.csv", filters)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_every_write_is_one_event_with_its_fields_and_never_a_code_or_secret(signed_in: SignedIn) -> None:
    miriam = signed_in(GLOBAL_ADMIN)  # may do every kind of write
    codes: list[str] = []
    writes: list[tuple[str, Any]] = []

    def write(action: str, url: str, data: dict[str, str]) -> None:
        before = AuditEvent.objects.count()
        miriam.post(url, data)
        assert AuditEvent.objects.count() == before + 1, f"{action}: expected exactly one event"
        writes.append((action, AuditEvent.objects.order_by("-id").first()))

    for code_of in (wrong_code_for, code_for):  # a refused attempt, then the one that works
        code = code_of(FREE)
        codes.append(code)
        write(
            "user.assign_activate",
            f"/admin/users/{ALEX}/assign",
            {"serial_number": FREE, "code": code},
        )
    write("user.deactivate", f"/admin/users/{ALEX}/tokens/{token_id(FREE)}/deactivate", {})
    code = code_for(FREE)
    codes.append(code)
    write("user.activate", f"/admin/users/{ALEX}/tokens/{token_id(FREE)}/activate", {"code": code})
    write("user.unassign", f"/admin/users/{ALEX}/tokens/{token_id(FREE)}/unassign", {})
    write("user.assign", f"/admin/users/{ALEX}/assign", {"serial_number": FREE_2})
    write(
        "inventory.create",
        "/admin/inventory/new",
        {
            "serial_number": "AUD-1",
            "manufacturer": "M",
            "model": "X",
            "secret_format": "base32",
            "secret": CANARY_SECRET,
            "time_interval": "30",
            "hash_function": "hmacsha1",
            "assign_to": "",
        },
    )
    new_id = str(HardwareToken.objects.get(serial_number="AUD-1").id)
    write(
        "inventory.update",
        f"/admin/inventory/{new_id}/edit",
        {"manufacturer": "M2", "model": "X", "time_interval": "60", "hash_function": "hmacsha1"},
    )
    write("device.assign", f"/admin/inventory/{new_id}/assign", {"upn": ALEX_UPN})
    write("user.unassign", f"/admin/users/{ALEX}/tokens/{new_id}/unassign", {})
    write("inventory.delete", f"/admin/inventory/{new_id}/delete", {})

    assert [action for action, _ in writes] == [event.action for _, event in writes]
    for action, event in writes:
        assert event.actor_upn == GLOBAL_ADMIN, action
        assert event.actor_oid, action
        assert event.graph_request_id, action
        assert event.client_ip == "127.0.0.1", action
        assert event.token_serial in (FREE, FREE_2, "AUD-1"), action
        if action.startswith(("user.", "device.")):
            assert (event.target_oid, event.target_upn) == (ALEX, ALEX_UPN), action
    assert [event.outcome for _, event in writes].count("success") == len(writes) - 1
    assert writes[0][1].reason == "wrong_code"

    # No verification code and no secret anywhere in the stored trail or its export.
    stored = str(list(AuditEvent.objects.values()))
    exported = str(export(miriam))
    for canary in (*codes, CANARY_SECRET, CANARY_SECRET.lower()):
        assert canary not in stored
        assert canary not in exported


def test_filters_and_paging(signed_in: SignedIn) -> None:
    grady = signed_in(READER)
    now = timezone.now()
    audit_event_record(
        actor=None, action="user.assign", outcome="success", target_upn=ALEX_UPN, token_serial="60200104"
    )
    audit_event_record(
        actor=None,
        action="user.unassign",
        outcome="failure",
        reason="throttled",
        target_upn="megan.bowen@contoso-sandbox.example",
        token_serial="SI-01000103",
    )
    old = audit_event_record(actor=None, action="inventory.delete", outcome="denied", token_serial="OLD-1")
    AuditEvent.objects.filter(pk=old.pk).update(at=now - timedelta(days=40), actor_upn=AUTH_ADMIN)

    def serials(**filters: str) -> set[str]:
        page = grady.get("/admin/audit/", filters).content.decode()
        return {s for s in ("60200104", "SI-01000103", "OLD-1") if f'<span class="serial">{s}</span>' in page}

    assert serials() == {"60200104", "SI-01000103", "OLD-1"}
    assert serials(target="alex.wil") == {"60200104"}
    assert serials(actor="isaiah") == {"OLD-1"}
    assert serials(serial="SI-0100 0103") == {"SI-01000103"}
    assert serials(action="user.unassign") == {"SI-01000103"}
    assert serials(outcome="denied") == {"OLD-1"}
    assert serials(since=(now - timedelta(days=1)).date().isoformat()) == {"60200104", "SI-01000103"}
    assert serials(until=(now - timedelta(days=30)).date().isoformat()) == {"OLD-1"}
    bad = grady.get("/admin/audit/", {"since": "yesterday"})
    assert bad.status_code == 400
    assert "Enter a date like" in bad.content.decode()
    backwards = grady.get("/admin/audit/", {"since": "2025-02-01", "until": "2025-01-01"})
    assert "The end date is before the start date" in backwards.content.decode()

    # Paged by 50, newest first; the export holds the whole filtered set.
    for n in range(60):
        audit_event_record(actor=None, action="inventory.create", outcome="success", token_serial=f"P-{n:03d}")
    first = grady.get("/admin/audit/", {"action": "inventory.create"}).content.decode()
    assert "P-059" in first
    assert "P-009" not in first
    assert "page 1 of 2" in first
    second = grady.get("/admin/audit/", {"action": "inventory.create", "p": "2"}).content.decode()
    assert "P-009" in second
    assert "P-059" not in second
    rows = export(grady, action="inventory.create")
    assert [row["Token serial number"] for row in rows] == [f"P-{n:03d}" for n in range(60)]


def test_csv_export_neutralises_formulas(signed_in: SignedIn) -> None:
    client = signed_in(AUTH_ADMIN)
    audit_event_record(
        actor=None,
        action="user.assign",
        outcome="success",
        target_upn='=HYPERLINK("https://evil.example","click")',
        token_serial="+1-555",
        reason="-bad",
        graph_request_id="@SUM(A1)",
    )
    (row,) = export(client)
    assert row["Done to"] == '\'=HYPERLINK("https://evil.example","click")'
    assert row["Token serial number"] == "'+1-555"
    assert row["Reason"] == "'-bad"
    assert row["Graph request ID"] == "'@SUM(A1)"
    assert list(row) == [
        "When (UTC)",
        "Done by",
        "Done by (object ID)",
        "Action",
        "Outcome",
        "Reason",
        "Done to",
        "Done to (object ID)",
        "Token serial number",
        "Token ID",
        "Graph request ID",
        "IP address",
        "Action (code)",
        "Outcome (code)",
        "Reason (code)",
    ]


def test_export_with_a_mistyped_filter_exports_nothing(signed_in: SignedIn) -> None:
    client = signed_in(AUTH_ADMIN)
    audit_event_record(actor=None, action="user.assign", outcome="success", token_serial="X-1")
    response = client.get("/admin/audit/export.csv", {"since": "not-a-date"})
    assert response.status_code == 400
    assert "Enter a date like" in response.content.decode()


def test_employee_self_service_events_show_in_the_trail(signed_in: SignedIn) -> None:
    # The trail covers both areas: the self-service app records with the same helper.
    audit_event_record(
        actor=None, action="self.remove", outcome="success", target_upn=ALEX_UPN, token_serial=ALEX_ACTIVE
    )
    page = signed_in(READER).get("/admin/audit/", {"target": ALEX_UPN}).content.decode()
    assert "Removed own token" in page
    assert ALEX_ACTIVE in page
    assert ALEX_FAILED not in page
