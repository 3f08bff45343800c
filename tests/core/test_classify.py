"""The one classifier: what each Graph answer means, given what the call was about.

Canned Graph error envelopes are the input here (the classifier's own unit); the journeys in
tests/selfservice and tests/tokenadmin show the same answers from the sandbox tenant end to end.
"""

from __future__ import annotations

import pytest
import requests

from portal.core.classify import classify, classify_answer
from portal.core.reasons import About, Reason
from portal.graph.errors import GraphError, GraphUnavailable

A = About
R = Reason
ADMIN_WRITES = (A.USER_TOKEN, A.INVENTORY_WRITE, A.INVENTORY_CREATE_ASSIGNED)


def answer(status: int, code: str = "") -> GraphError:
    body = {"error": {"code": code, "message": "developer text", "innerError": {"request-id": "rid-1"}}}
    return GraphError.from_parts(status, {"request-id": "rid-1"}, body if code else None)


# (status, Graph code, about, expected) — the same answer means one thing wherever it comes from...
SAME_EVERYWHERE = [
    (400, "invalidVerificationCode", R.WRONG_CODE),
    (409, "deviceAlreadyAssigned", R.ALREADY_ASSIGNED),
    (409, "", R.ALREADY_ASSIGNED),
    (409, "serialNumberAlreadyExists", R.DUPLICATE_SERIAL),
    (400, "deviceMustBeUnassigned", R.ASSIGNED),
    (400, "deviceAlreadyActivated", R.ALREADY_ACTIVE),
    (400, "deviceNotActivated", R.NOT_ACTIVE),
    (400, "guestUserNotSupported", R.GUEST_USER),
    (400, "methodLimitReached", R.METHOD_LIMIT),
    (400, "invalidRequest", R.INVALID_REQUEST),
    (400, "BadRequest", R.INVALID_REQUEST),
    (400, "somethingNew", R.UNEXPECTED),
    (404, "Request_ResourceNotFound", R.USER_NOT_FOUND),
    (401, "InvalidAuthenticationToken", R.REAUTHENTICATION_REQUIRED),
    (429, "TooManyRequests", R.THROTTLED),
    (429, "", R.THROTTLED),
    (503, "serviceNotAvailable", R.UNAVAILABLE),
    (500, "generalException", R.UNAVAILABLE),
    (424, "", R.UNEXPECTED),
]


@pytest.mark.parametrize(("status", "code", "expected"), SAME_EVERYWHERE)
@pytest.mark.parametrize("about", list(About))
def test_an_answer_that_names_its_meaning_means_it_for_every_caller(
    status: int, code: str, expected: Reason, about: About
) -> None:
    assert classify(answer(status, code), about=about) is expected


# ...while a bare 404 or 403 depends on what the call was about.
IN_CONTEXT = [
    (404, "itemNotFound", A.MY_NEW_TOKEN, True, R.UNKNOWN_SERIAL),  # by serial: not in the inventory
    (404, "itemNotFound", A.MY_TOKEN, True, R.TOKEN_NOT_FOUND),  # by id: not on the account
    (404, "", A.USER, True, R.USER_NOT_FOUND),
    (404, "", A.DIRECTORY, True, R.USER_NOT_FOUND),
    (404, "itemNotFound", A.USER_TOKEN, True, R.TOKEN_NOT_FOUND),
    (404, "itemNotFound", A.INVENTORY_READ, True, R.TOKEN_NOT_FOUND),
    (404, "", A.INVENTORY_WRITE, True, R.TOKEN_NOT_FOUND),
    (403, "accessDenied", A.USER, False, R.ADMIN_TARGET),
    (403, "accessDenied", A.USER_TOKEN, False, R.ADMIN_TARGET),
    (403, "accessDenied", A.USER_TOKEN, True, R.FORBIDDEN),
    (403, "accessDenied", A.IMPORT_ASSIGN, False, R.ADMIN_TARGET),
    (403, "accessDenied", A.INVENTORY_READ, False, R.FORBIDDEN),
    (403, "accessDenied", A.INVENTORY_WRITE, True, R.FORBIDDEN),
    (403, "accessDenied", A.INVENTORY_CREATE_ASSIGNED, True, R.FORBIDDEN_ASSIGN),
    (403, "Authorization_RequestDenied", A.MY_NEW_TOKEN, True, R.FORBIDDEN),
]


@pytest.mark.parametrize(("status", "code", "about", "manage_admin_targets", "expected"), IN_CONTEXT)
def test_a_bare_status_means_what_the_call_was_about(
    status: int, code: str, about: About, manage_admin_targets: bool, expected: Reason
) -> None:
    assert classify(answer(status, code), about=about, manage_admin_targets=manage_admin_targets) is expected


def test_a_lost_answer_to_a_write_may_or_may_not_have_happened() -> None:
    timeout = GraphUnavailable.from_exception(requests.Timeout("read timed out"))
    refused = GraphUnavailable.from_exception(requests.ConnectionError("refused"))
    assert classify(timeout, about=A.MY_NEW_TOKEN, write_in_flight=True) is R.UNCONFIRMED
    assert classify(timeout, about=A.MY_TOKEN) is R.UNAVAILABLE  # a read: simply not done
    assert classify(refused, about=A.MY_NEW_TOKEN, write_in_flight=True) is R.UNAVAILABLE  # never sent


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("noResult", R.UNCONFIRMED),
        ("serialNumberAlreadyExists", R.DUPLICATE_SERIAL),
        ("serviceNotAvailable", R.UNAVAILABLE),
        ("tooManyRequests", R.THROTTLED),
        ("itemNotFound", R.TOKEN_NOT_FOUND),
        ("invalidRequest", R.INVALID_REQUEST),
        ("accessDenied", R.FORBIDDEN),
        ("somethingNew", R.UNEXPECTED),
    ],
)
def test_a_bulk_item_answer_carries_a_code_only(code: str, expected: Reason) -> None:
    assert classify_answer(status=None, code=code, about=A.IMPORT_SEED) is expected


def test_behaviour_travels_with_the_reason() -> None:
    assert [r for r in Reason if r.counts_as_wrong_code] == [R.WRONG_CODE]
    assert {r for r in Reason if r.retry_later} == {R.THROTTLED, R.UNAVAILABLE}
    assert {r: r.status for r in Reason if r.status != 503} == {
        R.FORBIDDEN: 403,
        R.ADMIN_TARGET: 403,
        R.FORBIDDEN_ASSIGN: 403,
        R.USER_NOT_FOUND: 404,
        R.TOKEN_NOT_FOUND: 404,
        R.PAGE_EXPIRED: 400,
        R.INVALID_REQUEST: 400,
        R.OUT_OF_SERVICE: 400,
        R.PASS_DISABLED: 400,
        R.PASS_LIFETIME: 400,
    }
    assert R.WRONG_CODE.field == "code"
    assert R.UNKNOWN_SERIAL.field == "serial_number"


def test_temporary_access_pass_refusals_mean_something_only_when_issuing_a_pass() -> None:
    def reason(code: str, about: About = About.USER_PASS, *, manage: bool = True) -> Reason:
        return classify_answer(status=400, code=code, about=about, manage_admin_targets=manage)

    assert reason("temporaryAccessPassDisabledByPolicy") is R.PASS_DISABLED
    assert reason("temporaryAccessPassLifetimeOutOfRange") is R.PASS_LIFETIME
    # The same code on another call is nothing the portal knows: judged by its status.
    assert reason("temporaryAccessPassDisabledByPolicy", About.USER_TOKEN) is R.UNEXPECTED
    # A 403 on a pass for someone holding an admin role, when this admin can't manage them.
    refused = classify_answer(status=403, code="accessDenied", about=About.USER_PASS, manage_admin_targets=False)
    assert refused is R.ADMIN_TARGET
