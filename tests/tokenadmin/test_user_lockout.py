"""The helpdesk lifts a person's pause on code entry from their admin page (issue 12, point 4):
shown to everyone who may read the page, lifted only by those who may change people's tokens,
and recorded in the audit trail."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.core.attempts import attempt_begin, attempt_finish
from portal.sandbox import seed
from tests.support.admins import AUTH_ADMIN, EMPLOYEE, READER, SignedIn, events, only_event, text_of
from tests.support.tokens import code_for, status_of, token_id, wrong_code_for

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


# -- the administrators' code forms while code entry is paused ------------------------------------

PRE_ASSIGNED = "60200101"  # Adele's, assigned by IT, not activated yet


def wrong_codes(person: str, serial: str, count: int, *, at: datetime) -> None:
    """`count` wrong codes typed at `at` (the attempt code's own clock: no waiting in tests)."""
    for n in range(count):
        attempt_finish(attempt_begin(person_oid=person, serial=serial, now=at + timedelta(seconds=n)), wrong_code=True)


def fieldset_disabled(html: str) -> bool:
    found = re.search(r'<fieldset class="form-fields"( disabled)?>', html)
    assert found, "no fieldset"
    return bool(found.group(1))


@override_settings(CODE_ATTEMPT_LIMIT=2, CODE_ATTEMPT_WINDOW_SECONDS=15 * 60)
def test_activating_a_paused_token_shows_the_pause_disabled_and_the_helpdesk_lifts_it_there(
    signed_in: SignedIn,
) -> None:
    # Adele's own wrong codes for her token: she and the token are paused (the queue lists her only).
    wrong_codes(seed.ADELE, PRE_ASSIGNED, 2, at=timezone.now() - timedelta(minutes=1))
    isaiah = signed_in(AUTH_ADMIN)
    url = f"/admin/users/{seed.ADELE}/tokens/{token_id(PRE_ASSIGNED)}/activate"
    response = isaiah.get(url)
    page = text_of(response)
    assert response.status_code == 200
    assert "Too many wrong codes were entered for this token (or by you) in a short time" in page
    assert re.search(r'<time datetime="[^"]+" data-countdown>[^<]+</time>', page)
    assert fieldset_disabled(page) and re.search(r'data-label="Activate">Paused until [^<]+</button>', page)
    lift = re.search(
        r'<button type="submit" class="secondary" name="key" value="(s:[0-9a-f]+)" formaction="([^"]+)"', page
    )
    assert lift and lift.group(2) == LIFT
    assert "The pause is on this token. Lift it once you know the wrong codes were not someone guessing" in page

    # The lift button is part of the code form: what it sends is the form's, with its key.
    response = isaiah.post(LIFT, {"key": lift.group(1), "code": ""})
    assert response.status_code == 302 and response["Location"] == USER_PAGE
    event = only_event(AuditEvent.Action.LOCKOUT_LIFT)
    assert (event.actor_upn, event.outcome, event.extra) == (AUTH_ADMIN, "success", {"wrong_attempts_forgotten": 2})
    page = text_of(isaiah.get(url))
    assert not fieldset_disabled(page) and "data-code-pause" not in page
    isaiah.post(url, {"code": code_for(PRE_ASSIGNED)})
    assert status_of(PRE_ASSIGNED) == "activated"


@override_settings(CODE_ATTEMPT_LIMIT=2, CODE_ATTEMPT_WINDOW_SECONDS=15 * 60)
def test_the_admins_activate_page_is_normal_once_the_pause_has_passed(signed_in: SignedIn) -> None:
    wrong_codes(seed.ADELE, PRE_ASSIGNED, 2, at=timezone.now() - timedelta(minutes=16))
    isaiah = signed_in(AUTH_ADMIN)
    page = text_of(isaiah.get(f"/admin/users/{seed.ADELE}/tokens/{token_id(PRE_ASSIGNED)}/activate"))
    assert not fieldset_disabled(page) and "data-code-pause" not in page and "There is a problem" not in page


@override_settings(CODE_ATTEMPT_LIMIT=2)
def test_an_administrators_own_pause_keeps_the_code_but_a_token_can_still_be_given(signed_in: SignedIn) -> None:
    isaiah = signed_in(AUTH_ADMIN)
    wrong_codes(seed.ISAIAH, "SOME-OTHER-1", 2, at=timezone.now() - timedelta(minutes=1))
    page = text_of(isaiah.get(f"/admin/users/{seed.ALEX}/assign"))
    assert "Too many wrong codes" in page and "data-code-pause" in page
    assert fieldset_disabled(page)  # the code field only: the serial and the name stay open
    assert re.search(r'<input type="text" name="serial_number"[^>]*>', page)
    assert 'name="key"' not in page  # no token of theirs is paused: the helpdesk route, not a lift
    assert "Can't wait? Contact" in page
    # A code sent anyway is refused, and nothing goes to Graph with it.
    refused = text_of(
        isaiah.post(f"/admin/users/{seed.ALEX}/assign", {"serial_number": FREE_SERIAL, "code": code_for(FREE_SERIAL)})
    )
    assert "Too many wrong codes" in refused and fieldset_disabled(refused)
    assert status_of(FREE_SERIAL) == "available"
    # Given without a code, for Alex to activate: the pause is about codes only.
    response = isaiah.post(f"/admin/users/{seed.ALEX}/assign", {"serial_number": FREE_SERIAL})
    assert response.status_code == 302 and status_of(FREE_SERIAL) == "assigned"


@override_settings(CODE_ATTEMPT_LIMIT=2)
def test_giving_a_paused_token_with_its_code_shows_the_pause_with_the_lift(signed_in: SignedIn) -> None:
    wrong_codes("someone", FREE_SERIAL, 1, at=timezone.now() - timedelta(minutes=1))
    wrong_codes("someone-else", FREE_SERIAL, 1, at=timezone.now() - timedelta(minutes=1))
    isaiah = signed_in(AUTH_ADMIN)
    assert "data-code-pause" not in text_of(isaiah.get(f"/admin/users/{seed.ALEX}/assign"))  # no token picked yet
    data = {"serial_number": FREE_SERIAL, "code": code_for(FREE_SERIAL)}
    page = text_of(isaiah.post(f"/admin/users/{seed.ALEX}/assign", data, headers={"HX-Request": "true"}))
    assert "Too many wrong codes" in page and fieldset_disabled(page)
    assert re.search(r'name="key" value="s:[0-9a-f]+" formaction="/admin/users/[^"]+/lockout/lift"', page)
    assert status_of(FREE_SERIAL) == "available"
