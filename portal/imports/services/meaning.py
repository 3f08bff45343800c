"""What a refused row means, in words for the admin's results table and CSV.

Graph documents no error codes for hardware tokens (reference §6.2, §9.1): the codes below are the
sandbox tenant's choices, the same ones portal.core.action_errors reads. An unknown code falls back
to a generic sentence that still names the code, so the helpdesk can look it up. Graph's own
`message` is never shown (it is developer text and may echo request content).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Answered instead of processing the request: the row can simply be sent again.
NOT_PROCESSED = frozenset({429, 503})
THROTTLE_CODES = frozenset({"TooManyRequests", "tooManyRequests", "serviceNotAvailable", "ServiceUnavailable"})

SERIAL_EXISTS = "serialNumberAlreadyExists"
ALREADY_ASSIGNED = "deviceAlreadyAssigned"


@dataclass(frozen=True)
class Refusal:
    #: True when the row cannot succeed as it is (fix the file); False for "try again later".
    final: bool
    text: str


_BY_CODE = {
    "accessDenied": "Microsoft Entra ID refused: your role does not allow this for this user "
    "(a user holding an admin role needs a Privileged Authentication Administrator).",
    "Authorization_RequestDenied": "Microsoft Entra ID refused: your role does not allow this.",
    "guestUserNotSupported": "guest accounts cannot hold a hardware token (a Microsoft Entra rule).",
    "methodLimitReached": "this user already has the maximum number of hardware tokens.",
    "Request_ResourceNotFound": "the user no longer exists in the directory.",
    "itemNotFound": "the token is no longer in the inventory.",
    ALREADY_ASSIGNED: "the token is already assigned to someone.",
    "invalidRequest": "Microsoft Entra ID rejected the token's fields.",
    "BadRequest": "Microsoft Entra ID rejected the request.",
}


def refusal(code: str | None, status: int | None = None) -> Refusal:
    """The meaning of an item's (or a $batch member's) error."""
    if (status in NOT_PROCESSED) or (code in THROTTLE_CODES):
        return Refusal(final=False, text="Microsoft Entra ID was busy and did not process it.")
    if code and code in _BY_CODE:
        return Refusal(final=True, text=_BY_CODE[code])
    if status == 403:
        return Refusal(final=True, text=_BY_CODE["accessDenied"])
    if status == 404:
        return Refusal(final=True, text="the user or the token no longer exists.")
    shown = f" (error code {code})" if code else ""
    return Refusal(final=True, text=f"Microsoft Entra ID refused it for a reason the portal does not know{shown}.")
