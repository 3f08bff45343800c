"""Every reason a person can meet has words for them, and the sentences say what the journeys expect."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.core.action_errors import ActionError
from portal.core.classify import classify_answer
from portal.core.reasons import About, Reason
from portal.core.wording import (
    ADMIN,
    AUDIT_LABEL,
    EMPLOYEE,
    IMPORT_PLAN,
    Audience,
    audit_label,
    import_plan_text,
    import_row_text,
    lockout_params,
    throttle_params,
)

STATUSES = (None, 0, 400, 401, 403, 404, 409, 424, 429, 500, 503)
CODES = (
    None,
    "invalidVerificationCode",
    "serialNumberAlreadyExists",
    "deviceAlreadyAssigned",
    "deviceMustBeUnassigned",
    "deviceAlreadyActivated",
    "deviceNotActivated",
    "guestUserNotSupported",
    "methodLimitReached",
    "Request_ResourceNotFound",
    "itemNotFound",
    "noResult",
    "invalidRequest",
    "BadRequest",
    "accessDenied",
    "Authorization_RequestDenied",
    "TooManyRequests",
    "serviceNotAvailable",
    "temporaryAccessPassDisabledByPolicy",
    "temporaryAccessPassLifetimeOutOfRange",
    "somethingNew",
)
EMPLOYEE_CALLS = (About.MY_TOKENS, About.MY_TOKEN, About.MY_NEW_TOKEN)
ADMIN_CALLS = (
    About.USER,
    About.USER_TOKEN,
    About.INVENTORY_READ,
    About.INVENTORY_WRITE,
    About.INVENTORY_CREATE_ASSIGNED,
    About.DIRECTORY,
    About.USER_PASS,
)
IMPORT_CALLS = (About.IMPORT_SEED, About.IMPORT_ASSIGN)
#: Refusals the portal words itself, without asking Graph.
OWN = {
    Audience.EMPLOYEE: {Reason.TOO_MANY_ATTEMPTS, Reason.UNCONFIRMED, Reason.OUT_OF_SERVICE},
    Audience.ADMIN: {
        Reason.TOO_MANY_ATTEMPTS,
        Reason.UNKNOWN_SERIAL,
        Reason.ALREADY_THEIRS,
        Reason.PAGE_EXPIRED,
        Reason.UNCONFIRMED,
        Reason.OUT_OF_SERVICE,
    },
}
#: Never shown as a message: a 401 sends the person back through sign-in.
NOT_SHOWN = {Reason.REAUTHENTICATION_REQUIRED}


def reachable(abouts: tuple[About, ...]) -> set[Reason]:
    return {
        classify_answer(status=status, code=code, about=about, manage_admin_targets=manage)
        for status in STATUSES
        for code in CODES
        for about in abouts
        for manage in (True, False)
    } - NOT_SHOWN


PARAMS = {
    "serial": "SN-1",
    "holder": "Alex Wilber",
    "upn": "x@example.com",
    "state": "lost",
    **lockout_params(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)),
    **throttle_params(30),
}


@pytest.mark.parametrize(("audience", "abouts"), [(Audience.EMPLOYEE, EMPLOYEE_CALLS), (Audience.ADMIN, ADMIN_CALLS)])
def test_every_reason_a_page_can_show_has_words_for_its_audience(audience: Audience, abouts: tuple[About, ...]) -> None:
    table = EMPLOYEE if audience is Audience.EMPLOYEE else ADMIN
    wanted = reachable(abouts) | OWN[audience]
    assert not {reason for reason in wanted if reason not in table}, "add these to portal.core.wording"
    for reason in wanted:
        for about in abouts:
            error = ActionError.of(reason, audience, about=about, params=PARAMS)
            assert error.message and error.next_step
            assert "{" not in error.message + error.next_step, (reason, about)


@pytest.mark.parametrize("about", IMPORT_CALLS)
def test_every_reason_an_import_row_can_fail_with_has_words(about: About) -> None:
    for reason in reachable(IMPORT_CALLS):
        text = import_row_text(reason, about=about, code="someCode")
        assert text.startswith("Not created: " if about is About.IMPORT_SEED else "Not assigned: ")
        assert "{" not in text


def test_every_reason_has_an_audit_label() -> None:
    assert set(AUDIT_LABEL) == set(Reason)
    assert len({str(label) for label in AUDIT_LABEL.values()}) == len(Reason), "two reasons share a label"
    assert audit_label("wrong_code") == "Wrong code"
    assert audit_label("graph_418") == "graph_418"  # a value the portal never knew is shown as it is


def test_an_unknown_graph_code_is_named_on_the_import_row_for_the_helpdesk() -> None:
    text = import_row_text(Reason.UNEXPECTED, about=About.IMPORT_ASSIGN, code="somethingNew")
    assert text == (
        "Not assigned: Microsoft Entra ID refused it for a reason the portal does not know (error code somethingNew)."
    )
    assert import_row_text(Reason.UNEXPECTED, about=About.IMPORT_SEED, code=None) == (
        "Not created: Microsoft Entra ID refused it for a reason the portal does not know."
    )
    assert import_row_text(Reason.ALREADY_ASSIGNED, about=About.IMPORT_SEED, code="deviceAlreadyAssigned") == (
        "Not created: the token is already assigned to someone."
    )


def test_the_wait_is_said_in_whole_seconds() -> None:
    one = ActionError.of(Reason.THROTTLED, Audience.EMPLOYEE, params=throttle_params(0.2))
    assert one.next_step == "Nothing was changed. Try again in 1 second."
    assert ActionError.of(Reason.THROTTLED, Audience.ADMIN, params=throttle_params(None)).next_step.endswith(
        "Try again in 30 seconds."
    )


def test_every_dry_run_note_fills_its_placeholders() -> None:
    for key in IMPORT_PLAN:
        reason, known = key if isinstance(key, tuple) else (key, None)
        note = import_plan_text(
            reason,
            known=known,
            holder="Alex Wilber",
            serial="SN-1",
            upn="x@example.com",
            state="stolen",
            date="1 Dec 2026",
            by=" by Isaiah",
        )
        assert note and "{" not in note, key
