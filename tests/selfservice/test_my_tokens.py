"""Seeing my tokens, activating one an administrator assigned, removing one."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.audit.models import AuditEvent
from portal.sandbox.requestlog import count_graph_calls
from tests.support.signin import sign_in
from tests.support.tokens import code_for, holder_of, status_of, token_id, wrong_code_for

pytestmark = pytest.mark.django_db

PRE_ASSIGNED = "60200101"  # assigned to Adele by IT, not activated


def test_list_shows_my_tokens_in_plain_words_with_one_graph_call(employee_client: Client) -> None:
    with count_graph_calls() as graph:
        page = employee_client.get("/tokens/")
    text = page.content.decode()
    assert len(graph.requests) == 1
    assert PRE_ASSIGNED in text and "2100040001" in text
    assert "Not activated yet" in text and "Activate" in text
    assert "Token2 C202" in text  # manufacturer and model
    assert "SI-01000101" not in text  # Alex's


def test_empty_state_tells_how_to_add_a_token(demo_tenant: None) -> None:
    client = Client()
    sign_in(client, "megan.bowen@contoso-sandbox.example")
    text = client.get("/tokens/").content.decode()
    assert "You have no hardware tokens yet" in text
    assert "serial number printed on its back" in text


def test_anonymous_is_sent_to_sign_in_and_back(db: None) -> None:
    response = Client().get("/tokens/")
    assert response.status_code == 302
    assert response["Location"] == "/auth/sign-in?next=%2Ftokens%2F"


def test_activate_a_pre_assigned_token(employee_client: Client) -> None:
    url = f"/tokens/{token_id(PRE_ASSIGNED)}/activate"
    with count_graph_calls() as graph:
        form = employee_client.get(url)
    assert len(graph.requests) == 1
    assert PRE_ASSIGNED in form.content.decode()

    wrong = employee_client.post(url, {"code": wrong_code_for(PRE_ASSIGNED)})
    assert "That code was not accepted" in wrong.content.decode()
    assert status_of(PRE_ASSIGNED) == "failedActivation"
    listed = employee_client.get("/tokens/").content.decode()
    assert "Activation failed" in listed

    with count_graph_calls() as graph:
        done = employee_client.post(url, {"code": code_for(PRE_ASSIGNED)})
    # Read first (the code limit counts per serial, so the serial must be known), then activate.
    assert [r.method for r in graph.requests] == ["GET", "POST"]
    assert done.status_code == 302
    assert status_of(PRE_ASSIGNED) == "activated"
    events = list(
        AuditEvent.objects.filter(action="self.activate").order_by("id").values_list("outcome", "token_serial")
    )
    assert events == [("failure", PRE_ASSIGNED), ("success", PRE_ASSIGNED)]


def test_cannot_activate_someone_elses_token_by_changing_the_id(employee_client: Client) -> None:
    alex_token = token_id("60200102")  # Alex's, failed activation
    response = employee_client.post(f"/tokens/{alex_token}/activate", {"code": code_for("60200102")})
    assert "not on your account" in response.content.decode()
    assert status_of("60200102") == "failedActivation"
    assert employee_client.get(f"/tokens/{alex_token}/remove").status_code == 400
    employee_client.post(f"/tokens/{alex_token}/remove")
    assert holder_of("60200102") == "alex.wilber@contoso-sandbox.example"


def test_remove_asks_for_confirmation_then_returns_token_to_stock(employee_client: Client) -> None:
    url = f"/tokens/{token_id(PRE_ASSIGNED)}/remove"
    confirm = employee_client.get(url).content.decode()
    assert "Remove token" in confirm and PRE_ASSIGNED in confirm
    assert status_of(PRE_ASSIGNED) == "assigned"  # nothing happens on GET
    with count_graph_calls() as graph:
        response = employee_client.post(url)
    assert len(graph.requests) == 1
    assert response.status_code == 302
    assert status_of(PRE_ASSIGNED) == "available" and holder_of(PRE_ASSIGNED) is None
    assert "The token was removed" in employee_client.get("/tokens/").content.decode()
    assert AuditEvent.objects.get(action="self.remove").token_serial == PRE_ASSIGNED


def test_remove_with_htmx_returns_the_fresh_list_in_one_round_trip(employee_client: Client) -> None:
    url = f"/tokens/{token_id(PRE_ASSIGNED)}/remove"
    with count_graph_calls() as graph:
        response = employee_client.post(url, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert len(graph.requests) == 1 and len(graph.batch_items) == 3
    assert 'id="token-list"' in text and "<html" not in text
    assert PRE_ASSIGNED not in text and "2100040001" in text


def test_unknown_token_id_is_a_plain_message(employee_client: Client) -> None:
    response = employee_client.get("/tokens/00000000-0000-0000-0000-000000000000/activate")
    assert "not on your account" in response.content.decode()
    assert Client().get("/tokens/not-a-uuid/activate").status_code == 404
