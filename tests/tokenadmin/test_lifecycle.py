"""The inventory remembers: lifecycle records on a token's page, "returned" puts it back in stock,
"retired" deletes it from Entra after a confirmation, and the inventory filters by recorded state."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from portal.audit.models import AuditEvent
from portal.lifecycle.models import TokenLifecycleEvent
from portal.sandbox.models import HardwareToken
from tests.support.admins import ALEX, ALEX_ACTIVE, FREE, SignedIn, snapshot_refreshed, text_of
from tests.support.tokens import holder_of, token_id

pytestmark = pytest.mark.django_db


def device_url(serial: str) -> str:
    return f"/admin/inventory/{token_id(serial)}/"


def report_lost(client: Client, serial: str = ALEX_ACTIVE) -> None:
    url = f"/admin/users/{ALEX}/tokens/{token_id(serial)}/replace"
    flow_id = re.search(r'name="flow_id" value="([^"]+)"', text_of(client.get(url)))
    assert flow_id is not None
    client.post(url, {"flow_id": flow_id.group(1), "state": "lost", "note": "Lost at the airport"})


def offered_stock(client: Client, typed: str) -> str:
    """What the serial type-ahead of "Give a token" suggests for `typed`."""
    return text_of(client.get("/admin/stock/", {"serial_number": typed}))


@pytest.mark.django_db(transaction=True)  # the real db_worker closes the connection
def test_a_reported_token_shows_its_history_and_is_not_offered(isaiah: Client) -> None:
    report_lost(isaiah)

    page = text_of(isaiah.get(device_url(ALEX_ACTIVE)))

    assert "Recorded as <strong>“Lost”</strong>: it is not handed out as stock." in page
    assert "Lost at the airport" in page and "isaiah.langer@contoso-sandbox.example" in page
    assert "Assign to a user" not in page
    snapshot_refreshed(isaiah)
    assert ALEX_ACTIVE not in offered_stock(isaiah, ALEX_ACTIVE)


@pytest.mark.django_db(transaction=True)  # the real db_worker closes the connection
def test_returned_makes_a_token_available_again(isaiah: Client) -> None:
    report_lost(isaiah)

    done = isaiah.post(device_url(ALEX_ACTIVE) + "lifecycle", {"state": "returned", "note": "Found in a drawer"})

    assert done.status_code == 302
    assert "available as stock again" in text_of(isaiah.get(device_url(ALEX_ACTIVE)))
    snapshot_refreshed(isaiah)
    assert ALEX_ACTIVE in offered_stock(isaiah, ALEX_ACTIVE)
    event = AuditEvent.objects.get(action="inventory.lifecycle")
    assert (event.outcome, event.token_serial, event.extra) == ("success", ALEX_ACTIVE, {"lifecycle": "returned"})


def test_a_token_someone_holds_is_reported_through_replace_not_the_inventory(isaiah: Client) -> None:
    answer = isaiah.post(device_url(ALEX_ACTIVE) + "lifecycle", {"state": "broken"})

    assert answer.status_code == 400
    assert "only unassigned tokens can be marked" in text_of(answer)
    assert not TokenLifecycleEvent.objects.exists()


def test_retire_asks_then_deletes_from_entra_and_remembers_the_serial(signed_in: SignedIn) -> None:
    nestor = signed_in("nestor.wilke@contoso-sandbox.example")
    confirm = text_of(nestor.get(device_url(FREE) + "retire"))
    assert "Retire token" in confirm and HardwareToken.objects.filter(serial_number=FREE).exists()

    done = nestor.post(device_url(FREE) + "retire", {"note": "Battery dead"})

    assert done.status_code == 302
    assert not HardwareToken.objects.filter(serial_number=FREE).exists()
    record = TokenLifecycleEvent.objects.get()
    assert (record.serial_number, record.state, record.note) == (FREE, "retired", "Battery dead")
    assert AuditEvent.objects.get(action="inventory.retire").outcome == "success"
    listed = text_of(nestor.get("/admin/inventory/", {"lifecycle": "retired"}))
    assert FREE in listed and "Battery dead" in listed


def test_retire_refuses_a_held_token(signed_in: SignedIn) -> None:
    miriam = signed_in("miriam.graham@contoso-sandbox.example")

    answer = miriam.post(device_url(ALEX_ACTIVE) + "retire", {})

    assert answer.status_code == 400
    assert holder_of(ALEX_ACTIVE) == "alex.wilber@contoso-sandbox.example"


def test_inventory_filters_by_recorded_state(isaiah: Client) -> None:
    report_lost(isaiah)

    lost = text_of(isaiah.get("/admin/inventory/", {"lifecycle": "lost"}))
    stolen = text_of(isaiah.get("/admin/inventory/", {"lifecycle": "stolen"}))

    assert "1 token recorded as “Lost”" in lost and ALEX_ACTIVE in lost
    assert "No token is recorded as “Stolen”" in stolen
    assert "No token is recorded" not in text_of(isaiah.get("/admin/inventory/"))
