"""The helpdesk lifts a person's pause on code entry from their admin page (issue 12, point 4):
shown to everyone who may read the page, lifted only by those who may change people's tokens,
and recorded in the audit trail."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from portal.audit.models import AuditEvent
from portal.sandbox import seed
from tests.support.admins import AUTH_ADMIN, EMPLOYEE, READER, SignedIn, events, only_event, text_of
from tests.support.tokens import code_for, status_of, wrong_code_for

pytestmark = pytest.mark.django_db

FREE_SERIAL = "60200104"
USER_PAGE = f"/admin/users/{seed.ADELE}/"
LIFT = f"/admin/users/{seed.ADELE}/lockout/lift"


@override_settings(CODE_ATTEMPT_LIMIT=2)
def test_the_helpdesk_sees_the_pause_and_lifts_it_audited(signed_in: SignedIn) -> None:
    adele = signed_in(EMPLOYEE, admin=False)
    for _ in range(2):
        adele.post("/tokens/add", {"serial_number": FREE_SERIAL, "code": wrong_code_for(FREE_SERIAL)})
    isaiah = signed_in(AUTH_ADMIN)
    page = text_of(isaiah.get(USER_PAGE))
    said = re.search(r"Adding tokens is paused until (.+?) \(2 wrong codes today\)\.", page)
    assert said and "UTC" not in said.group(1)
    assert "Lift the pause" in page

    response = isaiah.post(LIFT)
    assert response.status_code == 302 and response["Location"] == USER_PAGE
    event = only_event(AuditEvent.Action.LOCKOUT_LIFT)
    assert (event.actor_upn, event.target_oid, event.outcome) == (AUTH_ADMIN, seed.ADELE, "success")
    assert event.extra == {"wrong_attempts_forgotten": 2}
    after = text_of(isaiah.get(USER_PAGE))
    assert "The pause was lifted" in after and "Adding tokens is paused" not in after
    # Adele may type a code again, and it works.
    adele.post("/tokens/add", {"serial_number": FREE_SERIAL, "code": code_for(FREE_SERIAL)})
    assert status_of(FREE_SERIAL) == "activated"
    # Lifting again: nothing to lift, nothing recorded.
    again = text_of(isaiah.post(LIFT, follow=True))
    assert "That pause had already ended." in again
    assert len(events(AuditEvent.Action.LOCKOUT_LIFT)) == 1


@override_settings(CODE_ATTEMPT_LIMIT=1)
def test_a_global_reader_sees_the_pause_but_cannot_lift_it(signed_in: SignedIn) -> None:
    adele = signed_in(EMPLOYEE, admin=False)
    adele.post("/tokens/add", {"serial_number": FREE_SERIAL, "code": wrong_code_for(FREE_SERIAL)})
    grady = signed_in(READER)
    page = text_of(grady.get(USER_PAGE))
    assert "Adding tokens is paused until" in page and "(1 wrong code today)" in page
    assert "Lift the pause" not in page
    assert grady.post(LIFT).status_code == 403
    assert events(AuditEvent.Action.LOCKOUT_LIFT) == []
    assert "Adding tokens is paused until" in text_of(signed_in(AUTH_ADMIN).get(USER_PAGE))


def test_no_pause_no_panel(signed_in: SignedIn) -> None:
    assert "Adding tokens is paused" not in text_of(signed_in(AUTH_ADMIN).get(USER_PAGE))
