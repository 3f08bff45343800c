"""Adding a token by serial number and code: the employee's main journey, and every way it fails."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from portal.audit.models import AuditEvent
from portal.core.models import CodeAttempt
from portal.sandbox.requestlog import count_graph_calls
from tests.support.sandbox import sandbox, sandbox_with
from tests.support.signin import complete_sign_in, sign_in
from tests.support.tokens import code_for, holder_of, status_of, token_id, wrong_code_for

pytestmark = pytest.mark.django_db

FREE_SERIAL = "60200104"  # in the demo inventory, unassigned
ALEX_ACTIVE = "SI-01000101"  # Alex's active token


def add(client: Client, serial: str, code: str, name: str = "", *, htmx: bool = False):  # type: ignore[no-untyped-def]
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post("/tokens/add", {"serial_number": serial, "code": code, "display_name": name}, headers=headers)


def test_add_token_makes_it_active_and_listed(employee_client: Client) -> None:
    with count_graph_calls() as graph:
        response = add(employee_client, FREE_SERIAL, code_for(FREE_SERIAL), "Blue keyring")
    assert response.status_code == 302
    assert response["Location"] == "/tokens/"
    assert len(graph.requests) == 1  # one Graph round trip for the submission
    assert status_of(FREE_SERIAL) == "activated"
    assert holder_of(FREE_SERIAL) == "adele.vance@contoso-sandbox.example"

    page = employee_client.get("/tokens/")
    text = page.content.decode()
    assert "Blue keyring" in text and FREE_SERIAL in text and "Active" in text
    assert f"Token {FREE_SERIAL} is now active" in text


def test_code_may_be_typed_with_spaces_and_serial_with_padding(employee_client: Client) -> None:
    code = code_for(FREE_SERIAL)
    response = add(employee_client, f"  {FREE_SERIAL} ", f"{code[:3]} {code[3:]}")
    assert response.status_code == 302
    assert status_of(FREE_SERIAL) == "activated"


def test_wrong_code_is_explained_keeps_the_form_and_never_echoes_the_code(employee_client: Client) -> None:
    wrong = wrong_code_for(FREE_SERIAL)
    response = add(employee_client, FREE_SERIAL, wrong, "Blue keyring")
    text = response.content.decode()
    assert response.status_code == 400
    assert "That code was not accepted" in text
    assert "type the code it shows now" in text
    assert f'value="{FREE_SERIAL}"' in text and 'value="Blue keyring"' in text
    assert wrong not in text
    event = AuditEvent.objects.get(action="self.assign_activate")
    assert (event.outcome, event.reason, event.token_serial) == ("failure", "wrong_code", FREE_SERIAL)
    assert event.graph_request_id
    assert wrong not in str(AuditEvent.objects.values())


def test_unknown_serial(employee_client: Client) -> None:
    response = add(employee_client, "NO-SUCH-1", "123456")
    assert "No token with that serial number" in response.content.decode()


def test_someone_elses_token_is_refused_without_naming_them(employee_client: Client) -> None:
    response = add(employee_client, ALEX_ACTIVE, "123456")
    text = response.content.decode()
    assert "registered to someone else" in text
    assert "Alex" not in text and "alex@" not in text
    assert holder_of(ALEX_ACTIVE) == "alex.wilber@contoso-sandbox.example"


def test_already_mine_and_active(demo_tenant: None) -> None:
    client = Client()
    sign_in(client, "alex.wilber@contoso-sandbox.example")
    response = add(client, ALEX_ACTIVE, code_for(ALEX_ACTIVE))
    assert "already active on your account" in response.content.decode()


def test_guest_cannot_hold_a_token(demo_tenant: None) -> None:
    client = Client()
    sign_in(client, "pradeep.gupta_fabrikam.example#EXT#@contoso-sandbox.example")
    response = add(client, FREE_SERIAL, code_for(FREE_SERIAL))
    assert "Guest accounts cannot hold hardware tokens" in response.content.decode()
    assert status_of(FREE_SERIAL) == "available"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the 6-digit code"),
        ("12345", "The code is 6 digits"),
        ("12a456", "The code is 6 digits"),
        ("1234567", "The code is 6 digits"),
    ],
)
def test_malformed_code_never_reaches_graph(employee_client: Client, code: str, message: str) -> None:
    with count_graph_calls() as graph:
        response = add(employee_client, FREE_SERIAL, code)
    assert message in response.content.decode()
    assert graph.requests == []


def test_missing_serial(employee_client: Client) -> None:
    response = add(employee_client, "   ", "123456")
    assert "Enter the serial number printed on the back" in response.content.decode()


@override_settings(CODE_ATTEMPT_LIMIT=3)
def test_wrong_codes_are_limited_before_graph_is_asked(employee_client: Client) -> None:
    for _ in range(3):
        assert (
            "That code was not accepted"
            in add(employee_client, FREE_SERIAL, wrong_code_for(FREE_SERIAL)).content.decode()
        )
    with count_graph_calls() as graph:
        response = add(employee_client, FREE_SERIAL, code_for(FREE_SERIAL))
    text = response.content.decode()
    assert "Too many wrong codes" in text and "you can try again" in text
    assert graph.requests == []  # the right code isn't even sent while locked
    assert AuditEvent.objects.filter(reason="too_many_attempts", outcome="denied").count() == 1


@override_settings(CODE_ATTEMPT_LIMIT=2)
def test_limit_is_per_serial_across_people(demo_tenant: None) -> None:
    adele, megan = Client(), Client()
    sign_in(adele, "adele.vance@contoso-sandbox.example")
    sign_in(megan, "megan.bowen@contoso-sandbox.example")
    add(adele, FREE_SERIAL, wrong_code_for(FREE_SERIAL))
    add(megan, FREE_SERIAL, wrong_code_for(FREE_SERIAL))
    assert "Too many wrong codes" in add(megan, FREE_SERIAL, code_for(FREE_SERIAL)).content.decode()


def test_throttled_says_when_to_retry(employee_client: Client) -> None:
    with override_settings(SANDBOX=sandbox_with(THROTTLE_RATE=1.0, RETRY_AFTER_SECONDS=30)):
        response = add(employee_client, FREE_SERIAL, code_for(FREE_SERIAL))
    text = response.content.decode()
    assert "asked us to slow down" in text and "Try again in 30 seconds" in text
    assert status_of(FREE_SERIAL) == "available"


def test_graph_unreachable_answers_quickly_with_next_step(employee_client: Client) -> None:
    with override_settings(SANDBOX=sandbox_with(UNAVAILABLE_RATE=1.0, RETRY_AFTER_SECONDS=30)):
        response = add(employee_client, FREE_SERIAL, code_for(FREE_SERIAL), "Kept name")
    text = response.content.decode()
    assert "could not be reached" in text and "Try again in a minute" in text
    assert 'value="Kept name"' in text


def test_htmx_answers_in_place(employee_client: Client) -> None:
    response = add(employee_client, FREE_SERIAL, wrong_code_for(FREE_SERIAL), htmx=True)
    text = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx only
    assert "<html" not in text and 'id="add-form"' in text and "That code was not accepted" in text
    ok = add(employee_client, FREE_SERIAL, code_for(FREE_SERIAL), htmx=True)
    assert ok["HX-Redirect"] == "/tokens/"


def eleven_minutes_after_the_sign_in(settings: Any) -> None:
    """Entra asks for a fresh sign-in before a self-service write once the last one is 10 minutes old:
    the sandbox tenant's clock moves on 11 minutes (no waiting), and the sign-in the step-up leads to
    is stamped on that same clock."""
    sandbox(settings, STEP_UP_AFTER_SECONDS=10 * 60, CLOCK_OFFSET_SECONDS=11 * 60)


def test_step_up_sends_the_person_through_sign_in_and_back_to_the_form(employee_client: Client, settings: Any) -> None:
    eleven_minutes_after_the_sign_in(settings)
    response = add(employee_client, FREE_SERIAL, code_for(FREE_SERIAL), "After MFA")
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/sign-in?next=%2Ftokens%2Fadd")
    to_idp = employee_client.get(response["Location"])
    # The claims challenge travels to the identity provider (and the sandbox asks for a fresh sign-in).
    assert "claims=" in to_idp["Location"]
    back_to = complete_sign_in(employee_client, to_idp["Location"], "adele.vance@contoso-sandbox.example")
    assert back_to == "/tokens/add"
    # The refused write is on the audit trail, and it did not use up a code attempt.
    assert AuditEvent.objects.filter(reason="reauthentication_required").count() == 1
    assert not CodeAttempt.objects.exists()
    form = employee_client.get(back_to).content.decode()
    assert f'value="{FREE_SERIAL}"' in form and 'value="After MFA"' in form
    assert "You signed in again to confirm it's you, so the form was not sent" in form
    assert "You signed in again" not in employee_client.get(back_to).content.decode()  # said once
    assert status_of(FREE_SERIAL) == "available"
    response = add(employee_client, FREE_SERIAL, code_for(FREE_SERIAL), "After MFA")
    assert response.status_code == 302
    assert status_of(FREE_SERIAL) == "activated"


def test_step_up_on_activate_says_why_the_code_is_gone(employee_client: Client, settings: Any) -> None:
    pre_assigned = "60200101"
    url = f"/tokens/{token_id(pre_assigned)}/activate"
    eleven_minutes_after_the_sign_in(settings)
    response = employee_client.post(url, {"code": code_for(pre_assigned)}, headers={"HX-Request": "true"})
    to_sign_in = response["HX-Redirect"]
    to_idp = employee_client.get(to_sign_in)
    back_to = complete_sign_in(employee_client, to_idp["Location"], "adele.vance@contoso-sandbox.example")
    assert back_to == url
    page = employee_client.get(back_to).content.decode()
    assert "You signed in again to confirm it's you, so the form was not sent and nothing has changed yet" in page
    assert status_of(pre_assigned) == "assigned"


def test_lost_answer_to_a_write_is_never_reported_as_a_plain_failure(employee_client: Client) -> None:
    # Graph is slower than our timeout: the write happens, its answer never arrives.
    with override_settings(GRAPH_TIMEOUT_SECONDS=0.3, SANDBOX=sandbox_with(LATENCY_MS=600)):
        response = add(employee_client, FREE_SERIAL, code_for(FREE_SERIAL))
    text = response.content.decode()
    assert "so we can&#x27;t tell whether your token was added" in text
    assert "Open My tokens to check" in text
    assert status_of(FREE_SERIAL) == "activated"  # it did happen
    event = AuditEvent.objects.get(action="self.assign_activate")
    assert event.reason == "unconfirmed"
