"""The token inventory: browsing, counting, adding, editing, deleting and assigning by reference."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client

from portal.audit.models import AuditEvent
from portal.identity.roles import Role
from portal.identity.signin import WIDS_KEY
from portal.sandbox.models import HardwareToken
from portal.sandbox.requestlog import count_graph_calls
from portal.sandbox.seed import TOKENS
from portal.tokenadmin.paging import page_token_make
from tests.support.admins import (
    ALEX,
    ALEX_ACTIVE,
    FREE,
    GLOBAL_ADMIN,
    PATTI,
    POLICY_ADMIN,
    SignedIn,
    only_event,
    text_of,
)
from tests.support.tokens import holder_of, status_of, token_id

pytestmark = pytest.mark.django_db

ALEX_UPN = "alex.wilber@contoso-sandbox.example"
SERIAL_LINK = re.compile(r'<a class="serial" href="/admin/inventory/[0-9a-f-]+/">([^<]+)</a>')
# A secret nobody would type by accident: if it shows up anywhere but the sandbox, it leaked.
CANARY_SECRET = "JBSWY3DPEHPK3PXPCANARYQQ"


def new_token(**overrides: str) -> dict[str, str]:
    data = {
        "serial_number": "NEW-0001",
        "manufacturer": "Token2",
        "model": "C202",
        "display_name": "",
        "secret_format": "base32",
        "secret": CANARY_SECRET,
        "time_interval": "30",
        "hash_function": "hmacsha1",
        "assign_to": "",
    }
    data.update(overrides)
    return data


# -- browsing ---------------------------------------------------------------------------------------


def test_inventory_page_lists_tokens_and_counts_in_one_round_trip(nestor: Client) -> None:
    with count_graph_calls() as graph:
        response = nestor.get("/admin/inventory/")
    page = text_of(response)
    assert response.status_code == 200
    assert len(graph.requests) == 1, graph.describe()
    assert len(graph.batch_items) == 6  # the page + four status counts + the total
    assert set(SERIAL_LINK.findall(page)) == {token.serial for token in TOKENS}
    assert f"{len(TOKENS)} in total" in page
    available = sum(1 for token in TOKENS if token.status == "available")
    assert re.search(rf'>Not assigned</a></th>\s*<td class="num">{available}</td>', page)


def test_filters(nestor: Client) -> None:
    page = text_of(nestor.get("/admin/inventory/", {"status": "activated"}))
    assert set(SERIAL_LINK.findall(page)) == {t.serial for t in TOKENS if t.status == "activated"}
    page = text_of(nestor.get("/admin/inventory/", {"serial_number": "6020 0104"}))
    assert SERIAL_LINK.findall(page) == [FREE]
    page = text_of(nestor.get("/admin/inventory/", {"manufacturer": "Feitian", "model": "OTP c200"}))
    assert set(SERIAL_LINK.findall(page)) == {t.serial for t in TOKENS if t.manufacturer == "Feitian"}
    bad = nestor.get("/admin/inventory/", {"status": "lost"})
    assert bad.status_code == 400
    assert "Select a valid choice" in text_of(bad)


def test_paging_through_well_over_a_thousand_tokens(nestor: Client) -> None:
    HardwareToken.objects.bulk_create(
        HardwareToken(serial_number=f"BULK-{n:05d}", manufacturer="Bulk", model="B1", secret_key="JBSWY3DPEHPK3PXP")
        for n in range(1100)
    )
    seen: list[str] = []
    url = "/admin/inventory/"
    pages = 0
    while url:
        with count_graph_calls() as graph:
            page = text_of(nestor.get(url, headers={"HX-Request": "true"}))
        assert len(graph.requests) == 1
        pages += 1
        seen += SERIAL_LINK.findall(page)
        link = re.search(
            r'href="(\?[^"]*page=[^"]+)" hx-get="[^"]*" hx-target="#results" hx-swap="outerHTML" '
            r'hx-push-url="true" rel="next"',
            page,
        )
        url = "/admin/inventory/" + link.group(1).replace("&amp;", "&") if link else ""
        assert pages < 40, "paging does not end"
    assert len(seen) == len(set(seen)) == 1100 + len(TOKENS)
    assert pages == -(-len(seen) // 50)


def test_page_tokens_are_tied_to_their_filters(nestor: Client) -> None:
    first = text_of(nestor.get("/admin/inventory/", {"status": "available"}))
    assert 'rel="next"' not in first  # only 18 available tokens: one page
    oid = "8c33451d-5c05-44e2-889e-f3bb8e2acc6a"
    other_filters = page_token_make(
        next_link="https://graph.microsoft.com/beta/x",
        actor_oid=oid,
        scope='inventory:{"status": "activated"}',
    )
    response = nestor.get("/admin/inventory/", {"status": "available", "page": other_filters})
    assert response.status_code == 400
    assert "expired" in text_of(response)


def test_token_page_shows_holder_and_last_use(isaiah: Client) -> None:
    page = text_of(isaiah.get(f"/admin/inventory/{token_id(ALEX_ACTIVE)}/"))
    assert f'href="/admin/users/{ALEX}/">Alex Wilber</a>' in page
    assert "Last used to sign in" in page
    assert "Never" not in page
    missing = isaiah.get("/admin/inventory/00000000-0000-4000-8000-000000000000/")
    assert missing.status_code == 404
    assert "no such token" in text_of(missing)


# -- creating ---------------------------------------------------------------------------------------


def test_create_a_token_normalises_the_base32_secret_and_never_shows_it(nestor: Client) -> None:
    messy = " ".join(CANARY_SECRET.lower()[i : i + 4] for i in range(0, len(CANARY_SECRET), 4))
    response = nestor.post("/admin/inventory/new", new_token(secret=messy, display_name="Spare 1"))
    assert response.status_code == 302
    token = HardwareToken.objects.get(serial_number="NEW-0001")
    assert token.secret_key == CANARY_SECRET
    assert (token.status, token.display_name, token.time_interval) == ("available", "Spare 1", 30)
    assert response["Location"] == f"/admin/inventory/{token.id}/"
    page = text_of(nestor.get(response["Location"]))
    assert "NEW-0001 was added to the inventory" in page
    assert CANARY_SECRET not in page
    event = only_event("inventory.create")
    assert (event.outcome, event.token_serial, event.token_id, event.actor_upn) == (
        "success",
        "NEW-0001",
        str(token.id),
        POLICY_ADMIN,
    )


def test_create_with_a_hex_seed_converts_it(nestor: Client) -> None:
    seed = "3132333435363738393031323334353637383930"  # RFC 4226's test seed
    response = nestor.post(
        "/admin/inventory/new",
        new_token(secret_format="hex", secret=seed, time_interval="60", hash_function="hmacsha256"),
    )
    assert response.status_code == 302
    token = HardwareToken.objects.get(serial_number="NEW-0001")
    assert token.secret_key == base64.b32encode(bytes.fromhex(seed)).decode().rstrip("=")
    assert (token.time_interval, token.hash_function) == (60, "hmacsha256")


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"secret": "JBSWY3DPEHPK3PX1"}, "Character 16 of the secret is not allowed"),
        ({"secret": "3132333435363738393031323334353637383930"}, "choose “Hexadecimal”"),
        ({"secret": "JBSWY3DP"}, "at least 80 bits"),
        ({"secret_format": "hex", "secret": "31323g"}, "Character 6 of the secret is not allowed"),
        ({"secret": ""}, "Enter the token"),
        ({"time_interval": "45"}, "every 30 or 60 seconds only"),
        ({"hash_function": "md5"}, "Choose SHA-1 or SHA-256"),
        ({"serial_number": ""}, "Enter the serial number"),
        ({"assign_to": "not an upn"}, "looks like an email address"),
    ],
)
def test_create_rejects_bad_input_on_the_field(nestor: Client, overrides: dict[str, str], field_message: str) -> None:
    with count_graph_calls() as graph:
        response = nestor.post("/admin/inventory/new", new_token(**overrides))
    page = text_of(response)
    assert response.status_code == 400
    assert field_message in page
    assert graph.requests == []
    assert not AuditEvent.objects.exists()
    # The secret field is never filled in again.
    assert re.search(r'<input type="password" name="secret"[^>]*>', page)
    assert not re.search(r'<input type="password" name="secret"[^>]*value=', page)
    secret = overrides.get("secret", CANARY_SECRET)
    if secret:
        assert secret not in page


def test_create_duplicate_serial_is_a_field_error(nestor: Client) -> None:
    response = nestor.post("/admin/inventory/new", new_token(serial_number=FREE))
    assert response.status_code == 400
    assert "already in the inventory" in text_of(response)
    event = only_event("inventory.create")
    assert (event.outcome, event.reason, event.token_serial) == ("failure", "duplicate_serial", FREE)
    assert event.graph_request_id


def test_create_and_assign_needs_a_user_manager_role_too(nestor: Client, signed_in: SignedIn) -> None:
    refused = nestor.post("/admin/inventory/new", new_token(assign_to=ALEX_UPN))
    assert refused.status_code == 400
    assert "also needs the Authentication Administrator role" in text_of(refused)
    assert not HardwareToken.objects.filter(serial_number="NEW-0001").exists()
    event = only_event("inventory.create")
    assert (event.outcome, event.reason, event.target_upn, event.target_oid) == (
        "denied",
        "forbidden_assign",
        ALEX_UPN,
        ALEX,
    )
    miriam = signed_in(GLOBAL_ADMIN)
    assert miriam.post("/admin/inventory/new", new_token(assign_to=ALEX_UPN)).status_code == 302
    assert (status_of("NEW-0001"), holder_of("NEW-0001")) == ("assigned", ALEX_UPN)


def test_create_and_assign_to_an_unknown_user(signed_in: SignedIn) -> None:
    miriam = signed_in(GLOBAL_ADMIN)
    response = miriam.post("/admin/inventory/new", new_token(assign_to="nobody@contoso-sandbox.example"))
    assert response.status_code == 400
    assert "There is no user nobody@contoso-sandbox.example" in text_of(response)
    assert only_event("inventory.create").reason == "user_not_found"


# -- editing and deleting -------------------------------------------------------------------------


def test_edit_an_unassigned_token(nestor: Client) -> None:
    url = f"/admin/inventory/{token_id(FREE)}/edit"
    form = text_of(nestor.get(url))
    assert 'value="Token2"' in form
    assert 'value="C202"' in form
    data = {
        "display_name": "Desk spare",
        "manufacturer": "Token2",
        "model": "C202-B",
        "time_interval": "60",
        "hash_function": "hmacsha1",
    }
    assert nestor.post(url, data).status_code == 302
    token = HardwareToken.objects.get(serial_number=FREE)
    assert (token.model, token.time_interval, token.display_name) == ("C202-B", 60, "Desk spare")
    event = only_event("inventory.update")
    assert (event.outcome, event.token_serial, event.extra["fields"]) == (
        "success",
        FREE,
        ["display_name", "hash_function", "manufacturer", "model", "time_interval"],
    )


def test_edit_rejects_interval_45(nestor: Client) -> None:
    data = {"manufacturer": "Token2", "model": "C202", "time_interval": "45", "hash_function": "hmacsha1"}
    response = nestor.post(f"/admin/inventory/{token_id(FREE)}/edit", data)
    assert response.status_code == 400
    assert "every 30 or 60 seconds only" in text_of(response)
    assert HardwareToken.objects.get(serial_number=FREE).time_interval == 30


def test_an_assigned_token_cannot_be_edited_and_the_page_says_why(nestor: Client) -> None:
    url = f"/admin/inventory/{token_id(ALEX_ACTIVE)}/edit"
    page = text_of(nestor.get(url))
    assert "is assigned to Alex Wilber" in page
    assert "Unassign it from its holder first" in page
    assert "Save changes" not in page
    data = {"manufacturer": "X", "model": "Y", "time_interval": "30", "hash_function": "hmacsha1"}
    response = nestor.post(url, data)
    assert response.status_code == 400
    assert "only unassigned tokens can be edited" in text_of(response)
    assert HardwareToken.objects.get(serial_number=ALEX_ACTIVE).manufacturer == "Deepnet"
    assert only_event("inventory.update").reason == "assigned"


def test_delete_asks_first_then_deletes(nestor: Client) -> None:
    url = f"/admin/inventory/{token_id(FREE)}/delete"
    assert f'Delete token <span class="serial">{FREE}</span>' in text_of(nestor.get(url))
    assert HardwareToken.objects.filter(serial_number=FREE).exists()
    response = nestor.post(url)
    assert response.status_code == 302
    assert response["Location"] == "/admin/inventory/"
    assert not HardwareToken.objects.filter(serial_number=FREE).exists()
    event = only_event("inventory.delete")
    assert (event.outcome, event.token_serial, event.token_id) == ("success", FREE, token_id_cache[FREE])


token_id_cache = {token.serial: str(token.id) for token in TOKENS}


def test_deleting_an_assigned_token_shows_the_reason_and_the_way_out(nestor: Client) -> None:
    url = f"/admin/inventory/{token_id(ALEX_ACTIVE)}/delete"
    page = text_of(nestor.get(url))
    assert "only unassigned tokens can be deleted" in page
    assert "Delete token</button>" not in page
    response = nestor.post(url)
    page = text_of(response)
    assert response.status_code == 400
    assert "is assigned to Alex Wilber" in page
    assert HardwareToken.objects.filter(serial_number=ALEX_ACTIVE).exists()
    assert only_event("inventory.delete").reason == "assigned"


def test_graph_refusal_of_a_delete_is_explained(isaiah: Client) -> None:
    # The ID token's roles are a sign-in-time snapshot; Graph decides on its own. Simulated by an
    # Authentication Administrator whose session claims the Policy Administrator role: the portal
    # lets the request through, Graph refuses it, and the page explains the refusal.
    session = isaiah.session
    session[WIDS_KEY] = [Role.AUTHENTICATION_POLICY_ADMINISTRATOR.value]
    session.save()
    response = isaiah.post(f"/admin/inventory/{token_id(FREE)}/delete")
    page = text_of(response)
    assert response.status_code == 400
    assert "your account may not change the token inventory" in page
    assert "Authentication Policy Administrator" in page
    assert "Reference for the helpdesk" in page
    assert HardwareToken.objects.filter(serial_number=FREE).exists()
    event = only_event("inventory.delete")
    assert (event.outcome, event.reason) == ("denied", "forbidden")


# -- assigning by reference -----------------------------------------------------------------------


def test_assign_a_token_by_reference_from_its_page(isaiah: Client) -> None:
    page = text_of(isaiah.get(f"/admin/inventory/{token_id(FREE)}/"))
    assert "Assign to a user" in page
    response = isaiah.post(f"/admin/inventory/{token_id(FREE)}/assign", {"upn": ALEX_UPN})
    assert response.status_code == 302
    assert (status_of(FREE), holder_of(FREE)) == ("assigned", ALEX_UPN)
    event = only_event("device.assign")
    assert (event.outcome, event.target_oid, event.target_upn, event.token_serial) == (
        "success",
        ALEX,
        ALEX_UPN,
        FREE,
    )


def test_assign_by_reference_failures(isaiah: Client) -> None:
    url = f"/admin/inventory/{token_id(FREE)}/assign"
    unknown = isaiah.post(url, {"upn": "ghost@contoso-sandbox.example"}, headers={"HX-Request": "true"})
    assert unknown.status_code == 200  # htmx swaps the form in place with the field's message
    assert "There is no user ghost@contoso-sandbox.example" in text_of(unknown)
    patti = isaiah.post(url, {"upn": "patti.fernandez@contoso-sandbox.example"})
    assert patti.status_code == 400
    assert "holds an admin role" in text_of(patti)
    bad = isaiah.post(url, {"upn": "just-a-name"})
    assert bad.status_code == 400
    assert "looks like an email address" in text_of(bad)
    assert status_of(FREE) == "available"
    assert [(e.outcome, e.reason) for e in AuditEvent.objects.filter(action="device.assign")] == [
        ("denied", "admin_target"),
        ("failure", "user_not_found"),
    ]
    assert PATTI  # the admin-role holder of the demo tenant
