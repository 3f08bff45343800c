"""What a Graph answer means: the only code in the portal that reads Graph's error codes.

Graph documents no error code of its own for hardware OATH tokens (reference §6.2, §9.1). The codes
matched here are the sandbox tenant's choices (portal/sandbox/graph/errors.py), chosen to be
specific where the docs are silent; against a real tenant an unknown code falls back on its HTTP
status, which still says something true, only less specific. When Microsoft documents its codes,
add them here.

Context that changes the meaning of the same answer is passed as arguments: what the call was about
(`About`), whether the admin may manage admin-role targets (a 403 then means "admin target"), and
whether the call carried a write whose answer may have been lost.
"""

from __future__ import annotations

from portal.core.reasons import About, Reason
from portal.graph.errors import GraphError, GraphUnavailable

#: Error codes that mean one thing whatever the call was about.
_BY_CODE: dict[str, Reason] = {
    "invalidVerificationCode": Reason.WRONG_CODE,
    "serialNumberAlreadyExists": Reason.DUPLICATE_SERIAL,
    "deviceAlreadyAssigned": Reason.ALREADY_ASSIGNED,
    "deviceMustBeUnassigned": Reason.ASSIGNED,
    "deviceAlreadyActivated": Reason.ALREADY_ACTIVE,
    "deviceNotActivated": Reason.NOT_ACTIVE,
    "guestUserNotSupported": Reason.GUEST_USER,
    "methodLimitReached": Reason.METHOD_LIMIT,
    "Request_ResourceNotFound": Reason.USER_NOT_FOUND,
    # A bulk create's item that got no answer of its own: it may or may not have been created.
    "noResult": Reason.UNCONFIRMED,
    # Answered instead of processing the request.
    "TooManyRequests": Reason.THROTTLED,
    "tooManyRequests": Reason.THROTTLED,
    "serviceNotAvailable": Reason.UNAVAILABLE,
    "ServiceUnavailable": Reason.UNAVAILABLE,
}
#: Codes that only Temporary Access Pass calls answer (the sandbox's choices: Graph documents none).
_PASS_CODES: dict[str, Reason] = {
    "temporaryAccessPassDisabledByPolicy": Reason.PASS_DISABLED,
    "temporaryAccessPassLifetimeOutOfRange": Reason.PASS_LIFETIME,
}
_INVALID = frozenset({"invalidRequest", "BadRequest"})
#: Calls about someone else's tokens, where a 403 usually means the target holds an admin role.
_ABOUT_A_USER = frozenset({About.USER, About.USER_TOKEN, About.IMPORT_ASSIGN, About.USER_PASS})
#: A 404 on these is about the person, not a token.
_ABOUT_A_PERSON = frozenset({About.USER, About.DIRECTORY})
_DENIED = frozenset({"accessDenied", "Authorization_RequestDenied"})  # also on a bulk item, without a status
_NOT_FOUND = "itemNotFound"  # also a bulk item's answer, which carries no status
_TRANSPORT_TIMEOUT = "timeout"  # portal.graph.errors.GraphUnavailable.code when no answer came in time


def classify(
    exc: GraphError,
    *,
    about: About,
    manage_admin_targets: bool = True,
    write_in_flight: bool = False,
) -> Reason:
    """The reason behind a failed Graph call. `write_in_flight`: the call carried a write, so a
    timeout means "may or may not have happened" rather than "not done"."""
    if write_in_flight and isinstance(exc, GraphUnavailable) and exc.code == _TRANSPORT_TIMEOUT:
        return Reason.UNCONFIRMED
    return classify_answer(
        status=exc.status, code=exc.code or None, about=about, manage_admin_targets=manage_admin_targets
    )


def classify_answer(
    *,
    status: int | None,
    code: str | None,
    about: About,
    manage_admin_targets: bool = True,
) -> Reason:
    """The reason behind one answer: a status and/or a Graph error code (a bulk item's answer has
    a code only; a transport failure has status 0)."""
    if status == 401:
        return Reason.REAUTHENTICATION_REQUIRED
    if about is About.USER_PASS and code in _PASS_CODES:
        return _PASS_CODES[code]
    by_code = _BY_CODE.get(code or "")
    if by_code is not None:
        return by_code
    if code in _INVALID and status in (400, None):
        return Reason.INVALID_REQUEST
    if status == 409:
        return Reason.ALREADY_ASSIGNED
    if status == 429:
        return Reason.THROTTLED
    if status is not None and (status == 0 or status >= 500):
        return Reason.UNAVAILABLE
    if status == 404 or code == _NOT_FOUND:
        if about in _ABOUT_A_PERSON:
            return Reason.USER_NOT_FOUND
        if about is About.MY_NEW_TOKEN:
            return Reason.UNKNOWN_SERIAL
        return Reason.TOKEN_NOT_FOUND
    if status == 403 or code in _DENIED:
        if about in _ABOUT_A_USER and not manage_admin_targets:
            return Reason.ADMIN_TARGET
        if about is About.INVENTORY_CREATE_ASSIGNED:
            return Reason.FORBIDDEN_ASSIGN
        return Reason.FORBIDDEN
    return Reason.UNEXPECTED
