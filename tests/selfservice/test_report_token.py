"""'I lost my token / it's broken': the token leaves the person's account at once, the portal
remembers why, the page says what happens next, and the token is never taken back as stock."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.audit.models import AuditEvent
from portal.lifecycle.models import TokenLifecycleEvent
from portal.sandbox.requestlog import count_graph_calls
from tests.support.signin import signed_in_client
from tests.support.tokens import code_for, holder_of, status_of, token_id

pytestmark = pytest.mark.django_db

ALEX = "alex.wilber@contoso-sandbox.example"
KEYRING = "SI-01000101"  # Alex's active token


@pytest.fixture
def alex(demo_tenant: None) -> Client:
    return signed_in_client(ALEX)


def test_my_tokens_offers_to_report_each_token(alex: Client) -> None:
    page = alex.get("/tokens/").content.decode()
    assert f'href="/tokens/{token_id(KEYRING)}/report"' in page
    assert f"Report token {KEYRING}" in page


def test_reporting_a_lost_token_removes_it_and_says_what_happens_next(alex: Client) -> None:
    url = f"/tokens/{token_id(KEYRING)}/report"
    confirm = alex.get(url).content.decode()
    assert KEYRING in confirm
    assert "removed from your account at once" in confirm
    assert holder_of(KEYRING) == ALEX  # nothing happens before the confirmation

    with count_graph_calls() as graph:
        done = alex.post(url, {"state": "lost", "note": "Left on the train"})

    assert len(graph.requests) == 1  # read + delete in one $batch
    assert done.status_code == 302
    assert holder_of(KEYRING) is None
    event = TokenLifecycleEvent.objects.get()
    assert (event.serial_number, event.state, event.note) == (KEYRING, "lost", "Left on the train")
    assert (event.actor_upn, event.holder_upn, event.device_id) == (ALEX, ALEX, token_id(KEYRING))
    audit = AuditEvent.objects.get(action="self.report")
    assert (audit.outcome, audit.token_serial) == ("success", KEYRING)
    assert audit.extra == {"flow_id": event.flow_id, "lifecycle": "lost"}

    next_page = alex.get(done["Location"]).content.decode()
    assert "Token removed from your account" in next_page
    assert "recorded it as <strong>“Lost”</strong>" in next_page
    assert "Temporary Access Pass" in next_page
    assert "Contact your IT helpdesk" in next_page  # settings.HELPDESK_CONTACT
    assert KEYRING not in alex.get("/tokens/").content.decode()


def test_the_reason_is_required_and_nothing_happens_without_it(alex: Client) -> None:
    response = alex.post(f"/tokens/{token_id(KEYRING)}/report", {"note": "?"})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert holder_of(KEYRING) == ALEX
    assert not TokenLifecycleEvent.objects.exists()


def test_someone_elses_token_cannot_be_reported(alex: Client) -> None:
    adeles = token_id("60200101")

    response = alex.post(f"/tokens/{adeles}/report", {"state": "stolen"})

    assert response.status_code == 400
    assert "not on your account" in response.content.decode()
    assert holder_of("60200101") == "adele.vance@contoso-sandbox.example"
    assert not TokenLifecycleEvent.objects.exists()
    assert AuditEvent.objects.get(action="self.report").outcome == "failure"


def test_only_the_reporter_sees_the_next_steps_page(alex: Client) -> None:
    done = alex.post(f"/tokens/{token_id(KEYRING)}/report", {"state": "broken"})
    other = signed_in_client("megan.bowen@contoso-sandbox.example")

    assert other.get(done["Location"]).status_code == 302


def test_a_reported_token_cannot_be_added_by_whoever_finds_it(alex: Client) -> None:
    alex.post(f"/tokens/{token_id(KEYRING)}/report", {"state": "lost"})
    finder = signed_in_client("megan.bowen@contoso-sandbox.example")

    with count_graph_calls() as graph:
        response = finder.post(
            "/tokens/add", {"serial_number": KEYRING.lower(), "display_name": "", "code": code_for(KEYRING)}
        )

    assert response.status_code == 400
    assert "reported lost, broken or stolen" in response.content.decode()
    assert len(graph.requests) == 0
    assert status_of(KEYRING) == "available" and holder_of(KEYRING) is None
    refused = AuditEvent.objects.get(action="self.assign_activate")
    assert (refused.outcome, refused.reason) == ("failure", "out_of_service")


def test_the_person_is_told_in_a_mail_that_the_token_was_recorded_lost(alex: Client) -> None:
    from portal.notifications.delivery import notification_message
    from portal.notifications.models import Kind, Notification

    alex.post(f"/tokens/{token_id(KEYRING)}/report", {"state": "stolen", "note": ""})

    [told] = Notification.objects.filter(kind=Kind.TOKEN_LOST_OR_BROKEN)
    assert told.to_address == ALEX
    assert notification_message(told).subject == f"Your hardware token {KEYRING} was recorded as “Stolen”"
