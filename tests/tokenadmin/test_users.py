"""Finding users and managing their tokens from the admin area, against the sandbox tenant."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.sandbox.models import DirectoryUser
from portal.sandbox.requestlog import count_graph_calls
from portal.tokenadmin.paging import page_token_make
from tests.support.admins import (
    ALEX,
    ALEX_ACTIVE,
    ALEX_FAILED,
    AUTH_ADMIN,
    FREE,
    PATTI,
    PATTI_ACTIVE,
    PRIV_AUTH_ADMIN,
    SignedIn,
    events,
    only_event,
    text_of,
)
from tests.support.sandbox import sandbox
from tests.support.tokens import code_for, holder_of, status_of, token_id, wrong_code_for

pytestmark = pytest.mark.django_db

ALEX_UPN = "alex.wilber@contoso-sandbox.example"
PATTI_UPN = "patti.fernandez@contoso-sandbox.example"


# -- finding people -------------------------------------------------------------------------------


def test_search_finds_by_name_upn_and_mail(isaiah: Client) -> None:
    for query in ("alex", "Wilber", "alex.wilber@contoso"):
        page = text_of(isaiah.get("/admin/users/", {"q": query}))
        assert ALEX_UPN in page, query
        assert reverse("tokenadmin:user", args=[ALEX]) in page
    assert "No user matches" in text_of(isaiah.get("/admin/users/", {"q": "zzzz-nobody"}))


def test_search_pages_through_results_with_a_signed_page_token(isaiah: Client) -> None:
    DirectoryUser.objects.bulk_create(
        DirectoryUser(user_principal_name=f"temp{n:02d}@contoso-sandbox.example", display_name=f"Temp Worker {n:02d}")
        for n in range(30)
    )
    first = text_of(isaiah.get("/admin/users/", {"q": "temp"}))
    assert first.count("@contoso-sandbox.example</dd>") == 25
    link = re.search(r'href="(\?q=temp&amp;page=[^"]+)" hx-get', first)
    assert link, "no next-page link"
    assert "graph.microsoft.com" not in first  # the nextLink itself never reaches the browser
    # Following the link with htmx answers the results part only, in place.
    second = text_of(isaiah.get("/admin/users/" + link.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"}))
    assert second.startswith('\n<div id="results"') or second.lstrip().startswith('<div id="results"')
    assert second.count("@contoso-sandbox.example</dd>") == 5
    assert "First page" in second
    assert "Next page" not in second


def test_page_tokens_cannot_be_forged_or_reused_by_someone_else(isaiah: Client, signed_in: SignedIn) -> None:
    forged = isaiah.get("/admin/users/", {"q": "alex", "page": "https://evil.example/users"})
    assert forged.status_code == 400
    assert "This results page has expired" in text_of(forged)
    # Signed, but made for another admin: refused as well.
    other = page_token_make(
        next_link="https://graph.microsoft.com/beta/users?$skiptoken=x",
        actor_oid="someone",
        scope="users:alex",
    )
    assert isaiah.get("/admin/users/", {"q": "alex", "page": other}).status_code == 400


def test_a_signed_link_to_another_host_is_never_followed(isaiah: Client) -> None:
    oid = str(DirectoryUser.objects.get(user_principal_name=AUTH_ADMIN).id)
    evil = page_token_make(next_link="https://evil.example/beta/users?x=1", actor_oid=oid, scope="users:alex")
    with count_graph_calls() as graph:
        response = isaiah.get("/admin/users/", {"q": "alex", "page": evil})
    assert response.status_code == 503
    assert graph.requests == []


# -- the user page --------------------------------------------------------------------------------


def test_user_page_shows_profile_and_tokens_in_one_round_trip(isaiah: Client) -> None:
    with count_graph_calls() as graph:
        response = isaiah.get(f"/admin/users/{ALEX}/")
    assert response.status_code == 200
    assert len(graph.requests) == 1, graph.describe()
    assert len(graph.batch_items) == 2  # the profile and the tokens
    page = text_of(response)
    for expected in (
        "Alex Wilber",
        ALEX_UPN,
        "Marketing Assistant",
        ALEX_ACTIVE,
        ALEX_FAILED,
        "Activation failed",
        "Active",
        "Give a token",
    ):
        assert expected in page, expected


def test_admin_role_holder_tokens_are_explained_to_an_authentication_administrator(isaiah: Client) -> None:
    response = isaiah.get(f"/admin/users/{PATTI}/")
    page = text_of(response)
    assert response.status_code == 200  # the profile is still worth showing
    assert PATTI_UPN in page
    assert "holds an admin role" in page
    assert "Privileged Authentication Administrator" in page
    assert "Reference for the helpdesk" in page
    assert PATTI_ACTIVE not in page


def test_unknown_user_is_a_404_with_a_next_step(isaiah: Client) -> None:
    response = isaiah.get("/admin/users/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert "Search for them again" in text_of(response)


# -- assign without activating -------------------------------------------------------------------


def test_assign_a_token_from_stock(isaiah: Client) -> None:
    form = text_of(isaiah.get(f"/admin/users/{ALEX}/assign"))
    assert form.count('name="serial_number"') == 1  # one serial field, not a picker and a field
    response = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": FREE})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/users/{ALEX}/"
    assert (status_of(FREE), holder_of(FREE)) == ("assigned", ALEX_UPN)
    event = only_event("user.assign")
    assert (
        event.outcome,
        event.actor_upn,
        event.target_oid,
        event.target_upn,
        event.token_serial,
        event.token_id,
    ) == ("success", AUTH_ADMIN, ALEX, ALEX_UPN, FREE, token_id(FREE))
    assert event.graph_request_id
    assert event.client_ip == "127.0.0.1"
    assert f"Token {FREE} is assigned to Alex Wilber" in text_of(isaiah.get(response["Location"]))


def test_assign_by_typed_serial(isaiah: Client) -> None:
    response = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": f" {FREE[:4]} {FREE[4:]} "})
    assert response.status_code == 302
    assert holder_of(FREE) == ALEX_UPN


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the serial number printed on the back of the token."),
        ({"serial_number": FREE, "code": "12ab"}, "The code is 6 digits"),
    ],
)
def test_assign_form_errors_are_on_the_field(isaiah: Client, data: dict[str, str], message: str) -> None:
    with count_graph_calls() as graph:
        response = isaiah.post(f"/admin/users/{ALEX}/assign", data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert len(graph.requests) == 1  # only re-reading the person's name: nothing was attempted
    assert not AuditEvent.objects.exists()


def test_assign_unknown_serial(isaiah: Client) -> None:
    response = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": "NOPE-404"})
    assert response.status_code == 400
    assert "There is no token with serial number NOPE-404" in text_of(response)
    event = only_event("user.assign")
    assert (event.outcome, event.reason, event.token_serial) == ("failure", "unknown_serial", "NOPE-404")


def test_assign_someone_elses_token_says_who_holds_it(isaiah: Client) -> None:
    response = isaiah.post(f"/admin/users/{PATTI}/assign", {"serial_number": ALEX_ACTIVE})
    assert response.status_code == 400
    assert "already assigned to Alex Wilber" in text_of(response)
    assert holder_of(ALEX_ACTIVE) == ALEX_UPN
    assert only_event("user.assign").reason == "already_assigned"


def test_authentication_administrator_on_an_admin_target_gets_an_explained_403(isaiah: Client) -> None:
    response = isaiah.post(f"/admin/users/{PATTI}/assign", {"serial_number": FREE})
    page = text_of(response)
    assert response.status_code == 400
    assert "this user holds an admin role, and only a Privileged Authentication Administrator" in page
    assert "Reference for the helpdesk" in page
    assert status_of(FREE) == "available"
    event = only_event("user.assign")
    assert (event.outcome, event.reason, event.target_upn) == ("denied", "admin_target", PATTI_UPN)
    assert event.graph_request_id


def test_privileged_authentication_administrator_may_change_an_admins_tokens(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    assert lynne.post(f"/admin/users/{PATTI}/assign", {"serial_number": FREE}).status_code == 302
    assert holder_of(FREE) == PATTI_UPN


# -- assign and activate ---------------------------------------------------------------------------


def test_assign_and_activate_with_the_code_in_hand(isaiah: Client) -> None:
    code = code_for(FREE)
    response = isaiah.post(
        f"/admin/users/{ALEX}/assign",
        {"serial_number": FREE, "code": code, "display_name": "Spare"},
    )
    assert response.status_code == 302
    assert (status_of(FREE), holder_of(FREE)) == ("activated", ALEX_UPN)
    event = only_event("user.assign_activate")
    assert (event.outcome, event.token_serial, event.target_upn) == ("success", FREE, ALEX_UPN)
    assert code not in str(AuditEvent.objects.values())


def test_assign_and_activate_with_a_wrong_code_changes_nothing(isaiah: Client) -> None:
    wrong = wrong_code_for(FREE)
    response = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": FREE, "code": wrong})
    page = text_of(response)
    assert response.status_code == 400
    assert "did not accept that code" in page
    assert f'value="{FREE}"' in page
    assert wrong not in page
    assert status_of(FREE) == "available"
    event = only_event("user.assign_activate")
    assert (event.outcome, event.reason) == ("failure", "wrong_code")
    assert wrong not in str(AuditEvent.objects.values())


def test_code_attempts_are_limited_per_admin_and_serial(isaiah: Client, settings: Any) -> None:
    settings.CODE_ATTEMPT_LIMIT = 2
    wrong = wrong_code_for(FREE)
    url = f"/admin/users/{ALEX}/assign"
    for _ in range(2):
        assert "did not accept" in text_of(isaiah.post(url, {"serial_number": FREE, "code": wrong}))
    response = isaiah.post(url, {"serial_number": FREE, "code": code_for(FREE)})
    assert "Too many wrong codes" in text_of(response)
    assert status_of(FREE) == "available"
    assert [event.outcome for event in events("user.assign_activate")] == ["denied", "failure", "failure"]


def test_assign_and_activate_code_is_validated_by_the_form(isaiah: Client) -> None:
    response = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": FREE, "code": "12ab"})
    assert response.status_code == 400
    assert "The code is 6 digits" in text_of(response)
    assert not AuditEvent.objects.exists()


# -- activate, deactivate, unassign --------------------------------------------------------------


def test_activate_a_held_token(isaiah: Client) -> None:
    method = token_id(ALEX_FAILED)
    page = text_of(isaiah.get(f"/admin/users/{ALEX}/tokens/{method}/activate"))
    assert ALEX_FAILED in page
    assert "Alex Wilber" in page
    wrong = wrong_code_for(ALEX_FAILED)
    failed = isaiah.post(f"/admin/users/{ALEX}/tokens/{method}/activate", {"code": wrong})
    assert failed.status_code == 400
    assert "did not accept that code" in text_of(failed)
    done = isaiah.post(f"/admin/users/{ALEX}/tokens/{method}/activate", {"code": code_for(ALEX_FAILED)})
    assert done.status_code == 302
    assert status_of(ALEX_FAILED) == "activated"
    assert [(e.outcome, e.reason, e.token_serial) for e in events("user.activate")] == [
        ("success", "", ALEX_FAILED),
        ("failure", "wrong_code", ALEX_FAILED),
    ]


def test_deactivate_and_explain_when_not_active(isaiah: Client) -> None:
    url = f"/admin/users/{ALEX}/tokens/{token_id(ALEX_ACTIVE)}/deactivate"
    assert "Deactivate token" in text_of(isaiah.get(url))
    assert isaiah.post(url).status_code == 302
    assert status_of(ALEX_ACTIVE) == "assigned"
    again = isaiah.post(url)
    assert again.status_code == 400
    assert "not active, so there is nothing to deactivate" in text_of(again)
    assert [(e.outcome, e.reason) for e in events("user.deactivate")] == [
        ("failure", "not_active"),
        ("success", ""),
    ]


def test_unassign_asks_first_then_returns_the_token_to_the_inventory(isaiah: Client) -> None:
    url = f"/admin/users/{ALEX}/tokens/{token_id(ALEX_ACTIVE)}/unassign"
    confirm = text_of(isaiah.get(url))
    assert f'Take token <span class="serial">{ALEX_ACTIVE}</span> away from Alex Wilber?' in confirm
    assert holder_of(ALEX_ACTIVE) == ALEX_UPN  # asking changed nothing
    with count_graph_calls() as graph:
        response = isaiah.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/admin/users/{ALEX}/"
    assert len(graph.requests) == 1  # read and unassign in one $batch
    assert (status_of(ALEX_ACTIVE), holder_of(ALEX_ACTIVE)) == ("available", None)
    event = only_event("user.unassign")
    assert (event.outcome, event.token_serial, event.target_upn) == ("success", ALEX_ACTIVE, ALEX_UPN)


def test_unassign_a_token_that_is_gone(isaiah: Client) -> None:
    response = isaiah.post(f"/admin/users/{ALEX}/tokens/{token_id(FREE)}/unassign")
    assert response.status_code == 400
    assert "not (or no longer) there" in text_of(response)
    assert only_event("user.unassign").reason == "token_not_found"


def test_throttling_is_explained_with_when_to_try_again(isaiah: Client, settings: Any) -> None:
    sandbox(settings, THROTTLE_RATE=1.0, RETRY_AFTER_SECONDS=30)
    response = isaiah.post(f"/admin/users/{ALEX}/tokens/{token_id(ALEX_ACTIVE)}/unassign")
    page = text_of(response)
    assert response.status_code == 400
    assert "asked us to slow down" in page
    assert "Try again in 30 seconds" in page
    assert holder_of(ALEX_ACTIVE) == ALEX_UPN
    assert only_event("user.unassign").reason == "throttled"


def test_htmx_gets_the_results_part_but_a_history_restore_gets_the_whole_page(isaiah: Client) -> None:
    part = text_of(isaiah.get("/admin/users/", {"q": "alex"}, headers={"HX-Request": "true"}))
    assert "<html" not in part
    assert ALEX_UPN in part
    restore = isaiah.get(
        "/admin/users/", {"q": "alex"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in text_of(restore)
    assert "HX-Request" in restore["Vary"]


def test_search_with_quotes_and_backslashes_finds_people(isaiah: Client) -> None:
    # Before: a `"` in the search box gave a 503 "try again" page. Quotes and backslashes are
    # literal text in the `$filter` Graph is sent (a single quote doubled, as OData writes it).
    DirectoryUser.objects.create(
        user_principal_name="dwayne.q@contoso-sandbox.example",
        display_name='"The Rock" Dwayne',
        given_name="Dwayne",
        surname="O'Brien\\Ops",
    )
    for query in ('"the rock', '"The', "o'brien", "O'Brien\\ops", 'O"Brien', "'"):
        response = isaiah.get("/admin/users/", {"q": query})
        assert response.status_code == 200, query
        page = text_of(response)
        if query in ('O"Brien', "'"):
            assert "No user matches" in page
        else:
            assert "dwayne.q@contoso-sandbox.example" in page, query
