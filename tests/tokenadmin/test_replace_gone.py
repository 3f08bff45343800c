""" "Replace token" for a person whose token is already gone (they reported it on My tokens): the
helpdesk issues the Temporary Access Pass the "reported" page promised and gives a replacement from
stock — the same steps, checks and audit rules as Replace, linked to the person's report."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from portal.audit.models import AuditEvent
from portal.lifecycle.models import LifecycleState, TokenLifecycleEvent
from portal.lifecycle.services import lifecycle_record
from portal.sandbox.models import TemporaryAccessPass
from portal.sandbox.requestlog import count_graph_calls
from tests.support.admins import (
    ALEX,
    ALEX_ACTIVE,
    FREE,
    FREE_2,
    PATTI,
    PRIV_AUTH_ADMIN,
    SignedIn,
    text_of,
)
from tests.support.sandbox import sandbox
from tests.support.signin import signed_in_client
from tests.support.tokens import code_for, holder_of, status_of, token_id, wrong_code_for

pytestmark = pytest.mark.django_db

ALEX_UPN = "alex.wilber@contoso-sandbox.example"
URL = f"/admin/users/{ALEX}/replace"


def alex_reports_lost(note: str = "Left it on the train") -> TokenLifecycleEvent:
    """Alex, on My tokens: "I lost my token"."""
    alex = signed_in_client(ALEX_UPN)
    answer = alex.post(f"/tokens/{token_id(ALEX_ACTIVE)}/report", {"state": "lost", "note": note})
    assert answer.status_code == 302, text_of(answer)
    assert holder_of(ALEX_ACTIVE) is None
    return TokenLifecycleEvent.objects.get(serial_number=ALEX_ACTIVE)


def start(client: Client, url: str = URL) -> dict[str, str]:
    """Open the form; returns its hidden fields (flow id and mark)."""
    page = client.get(url)
    assert page.status_code == 200, text_of(page)
    hidden = dict(re.findall(r'type="hidden" name="(flow_id|mark)" value="([^"]*)"', text_of(page)))
    assert set(hidden) == {"flow_id", "mark"}, text_of(page)
    return hidden


def shown_pass(response: Any) -> str:
    pattern = r'id="access-pass"><span class="visually-hidden">[^<]*</span><code>([^<]+)</code>'
    found = re.search(pattern, text_of(response))
    assert found is not None, text_of(response)
    return found.group(1)


def linked(flow_id: str) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(extra__flow_id=flow_id).order_by("id").values_list("action", "outcome"))


def test_the_user_page_offers_a_pass_even_without_a_token(isaiah: Client) -> None:
    alex_reports_lost()
    page = text_of(isaiah.get(f"/admin/users/{ALEX}/"))
    assert ALEX_ACTIVE not in page
    assert f'href="{URL}"' in page and "Issue a Temporary Access Pass" in page


def test_a_reader_is_not_offered_it(signed_in: SignedIn) -> None:
    grady = signed_in("grady.archie@contoso-sandbox.example")
    assert f'href="{URL}"' not in text_of(grady.get(f"/admin/users/{ALEX}/"))
    assert grady.get(URL).status_code == 403


def test_after_a_report_the_helpdesk_issues_the_pass_and_a_replacement_linked_to_it(isaiah: Client) -> None:
    report = alex_reports_lost()
    form = start(isaiah)
    page = text_of(isaiah.get(URL))
    # The report is shown for context, and the form continues its flow.
    assert ALEX_ACTIVE in page and "“Lost”" in page and "Left it on the train" in page
    assert "Between 60 and 480 minutes" in page  # the tenant's pass policy bounds the lifetime
    assert 'hx-get="/admin/stock/"' in page  # the serial field offers stock as it is typed
    assert form["flow_id"] == report.flow_id

    done = isaiah.post(
        URL,
        {
            **form,
            "issue_pass": "on",
            "pass_lifetime": "120",
            "pass_usable_once": "on",
            "replacement_serial": FREE,
            "replacement_code": code_for(FREE),
        },
    )

    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    text = text_of(done)
    assert "<h1>Done</h1>" in text
    value = shown_pass(done)
    assert (holder_of(FREE), status_of(FREE)) == (ALEX_UPN, "activated")
    tap = TemporaryAccessPass.objects.get(user_id=ALEX)
    assert (tap.lifetime_minutes, tap.is_usable_once) == (120, True)
    # Alex's report, the pass and the replacement: one flow in the audit trail.
    assert linked(report.flow_id) == [
        ("self.report", "success"),
        ("user.pass_create", "success"),
        ("user.assign_activate", "success"),
    ]
    # The pass is on that one page only: not in the trail, the record, or any page after it.
    for event in AuditEvent.objects.all():
        assert value not in str(event.__dict__)
    assert value not in str(TokenLifecycleEvent.objects.get().__dict__)
    assert value not in text_of(isaiah.get(f"/admin/users/{ALEX}/"))
    assert value not in text_of(isaiah.get(URL))  # "back" to the form


def test_sending_the_form_again_does_nothing_again(isaiah: Client) -> None:
    report = alex_reports_lost()
    data = {**start(isaiah), "issue_pass": "on", "replacement_serial": FREE}
    first = isaiah.post(URL, data)
    again = isaiah.post(URL, data)  # the browser's reload of the page that showed the pass

    assert shown_pass(first)
    assert "Already done" in text_of(again) and "access-pass" not in text_of(again)
    assert AuditEvent.objects.filter(action="user.pass_create").count() == 1
    assert len(linked(report.flow_id)) == 3


def test_a_report_can_be_continued_again_later(isaiah: Client) -> None:
    """A pass today, the replacement tomorrow: a fresh form adds to the same flow."""
    report = alex_reports_lost()
    assert shown_pass(isaiah.post(URL, {**start(isaiah), "issue_pass": "on"}))
    assert "They already hold a Temporary Access Pass, usable until" in text_of(isaiah.get(URL))
    later = isaiah.post(URL, {**start(isaiah), "replacement_serial": FREE})

    assert "is assigned to Alex Wilber" in text_of(later)
    assert "access-pass" not in text_of(later)
    assert [action for action, _ in linked(report.flow_id)] == ["self.report", "user.pass_create", "user.assign"]


def test_without_a_report_the_flow_has_its_own_id(isaiah: Client) -> None:
    form = start(isaiah)
    assert "No lost, broken or stolen token is on record" in text_of(isaiah.get(URL))

    done = isaiah.post(URL, {**form, "issue_pass": "on"})

    assert shown_pass(done)
    assert holder_of(ALEX_ACTIVE) == ALEX_UPN  # nothing was taken away
    assert "No replacement yet" in text_of(done) and "No lost, broken or stolen token is on record" in text_of(done)
    assert linked(form["flow_id"]) == [("user.pass_create", "success")]
    assert "Already done" in text_of(isaiah.post(URL, {**form, "issue_pass": "on"}))


def test_a_token_returned_since_is_no_longer_the_context(isaiah: Client) -> None:
    report = alex_reports_lost()
    lifecycle_record(
        device_id=report.device_id, serial_number=report.serial_number, state=LifecycleState.RETURNED, actor=None
    )
    form = start(isaiah)
    assert form["flow_id"] != report.flow_id
    assert ALEX_ACTIVE not in text_of(isaiah.get(URL))


def test_another_persons_flow_is_never_joined(isaiah: Client, signed_in: SignedIn) -> None:
    report = alex_reports_lost()
    # The form of someone else, with Alex's flow id typed in: treated as sent before, nothing done.
    other = f"/admin/users/{PATTI}/replace"
    answer = signed_in(PRIV_AUTH_ADMIN).post(other, {"flow_id": report.flow_id, "mark": "999999", "issue_pass": "on"})

    assert "Already done" in text_of(answer)
    assert not TemporaryAccessPass.objects.exists()
    assert linked(report.flow_id) == [("self.report", "success")]


def test_choosing_nothing_is_explained_and_nothing_is_done(isaiah: Client) -> None:
    answer = isaiah.post(URL, start(isaiah))

    assert answer.status_code == 400
    assert "Choose what to do" in text_of(answer)
    assert not AuditEvent.objects.exists()


def test_lifetime_outside_the_policy_is_caught_on_the_form(isaiah: Client) -> None:
    answer = isaiah.post(URL, {**start(isaiah), "issue_pass": "on", "pass_lifetime": "5000"})

    assert answer.status_code == 400
    assert "allows 60 to 480 minutes" in text_of(answer)
    assert not TemporaryAccessPass.objects.exists()


def test_a_failing_step_says_what_was_done_and_what_was_not(isaiah: Client) -> None:
    report = alex_reports_lost()
    data = {**start(isaiah), "issue_pass": "on", "replacement_serial": FREE, "replacement_code": wrong_code_for(FREE)}

    text = text_of(isaiah.post(URL, data))

    assert "Done in part" in text and "did not accept that code" in text
    assert "The old token is removed and the pass above is valid" in text
    assert holder_of(FREE) is None
    assert dict(linked(report.flow_id)) == {
        "self.report": "success",
        "user.pass_create": "success",
        "user.assign_activate": "failure",
    }


def test_a_disabled_pass_policy_is_explained_and_the_replacement_still_given(isaiah: Client, settings: Any) -> None:
    sandbox(settings, TAP_STATE="disabled")
    alex_reports_lost()
    form = start(isaiah)
    assert "switched off" in text_of(isaiah.get(URL))

    text = text_of(isaiah.post(URL, {**form, "issue_pass": "on", "replacement_serial": FREE_2}))

    assert "switched off" in text and "access-pass" not in text
    assert holder_of(FREE_2) == ALEX_UPN


def test_the_page_is_one_graph_round_trip(isaiah: Client) -> None:
    with count_graph_calls() as graph:
        page = isaiah.get(URL)

    assert page.status_code == 200
    assert "Alex Wilber" in text_of(page)
    assert len(graph.requests) == 1, graph.describe()
    assert graph.requests[0].path.endswith("/$batch")
    assert len(graph.batch_items) == 3  # the person, their pass, the tenant's pass policy


def test_an_admin_target_needs_a_privileged_admin(isaiah: Client, signed_in: SignedIn) -> None:
    url = f"/admin/users/{PATTI}/replace"
    page = isaiah.get(url)
    assert page.status_code == 403  # said up front: her methods are out of his reach
    assert "Privileged Authentication Administrator" in text_of(page)
    refused = isaiah.post(url, {**start(signed_in(PRIV_AUTH_ADMIN), url), "issue_pass": "on"})
    assert "access-pass" not in text_of(refused)
    assert AuditEvent.objects.get(action="user.pass_create").outcome == "denied"  # the create call refused too

    lynne = signed_in(PRIV_AUTH_ADMIN)
    assert shown_pass(lynne.post(url, {**start(lynne, url), "issue_pass": "on"}))
