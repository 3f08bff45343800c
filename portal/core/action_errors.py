"""Turning Graph failures into what a person can understand and act on.

Services catch portal.graph.errors.GraphError, decide what it *means* for the action at hand
(wrong code? someone else's token?), and raise ActionError. Views show `message` and `next_step`
and keep what the person typed. The raw Graph message never reaches a page; the request id does,
so the helpdesk can find the call in Microsoft's logs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from portal.graph.errors import GraphError
from portal.identity.errors import ReauthenticationRequired


@dataclass
class ActionError(Exception):
    reason: str  # stable, for the audit trail and tests: "wrong_code", "throttled", ...
    message: str  # what happened, in plain words
    next_step: str  # what to do now
    field: str | None = None  # the form field the problem is about, if any
    retry_after_seconds: int | None = None
    request_id: str = ""

    def __str__(self) -> str:
        return self.reason


def common_action_error(exc: GraphError, *, admin: bool = False) -> ActionError:
    """Meaning of the failures every action shares. Raises ReauthenticationRequired for a 401."""
    if exc.status == 401:
        # An expired or revoked token, or a claims challenge (fresh MFA needed): back through sign-in.
        raise ReauthenticationRequired(admin=admin, claims_challenge=exc.claims_challenge) from exc
    if exc.status == 403:
        return ActionError(
            reason="forbidden",
            message="Microsoft Entra ID refused this change: your account is not allowed to make it.",
            next_step=(
                "If you think you should be allowed, ask your IT administrator to check your role, "
                "then sign out and in again."
                if admin
                else "Ask your IT helpdesk to check that hardware tokens are enabled for your account."
            ),
            request_id=exc.request_id or "",
        )
    if exc.status == 429:
        wait = max(1, math.ceil(exc.retry_after or 30))
        return ActionError(
            reason="throttled",
            message="Microsoft Entra ID is busy and asked us to slow down.",
            next_step=f"Nothing was changed. Try again in {wait} second{'s' if wait != 1 else ''}.",
            retry_after_seconds=wait,
            request_id=exc.request_id or "",
        )
    if exc.status == 0 or exc.status >= 500:
        return ActionError(
            reason="unavailable",
            message="Microsoft Entra ID could not be reached or did not answer in time.",
            next_step="Try again in a minute. If it keeps happening, contact your IT helpdesk.",
            request_id=exc.request_id or "",
        )
    return ActionError(
        reason="unexpected",
        message="Microsoft Entra ID rejected the request for a reason the portal does not recognise.",
        next_step="Try again. If it happens again, contact your IT helpdesk and quote the reference below.",
        request_id=exc.request_id or "",
    )


# Graph documents no error code for these hardware-token cases (reference §6.2, §9.1). The codes
# below are the sandbox tenant's choices (portal/sandbox/graph/errors.py); against a real tenant an
# unrecognised 4xx falls through to the generic wording of common_action_error, which is still
# correct, only less specific. When Microsoft documents its codes, add them here.
def token_action_error(exc: GraphError, *, admin: bool = False) -> ActionError:
    """What a failed token action (assign, activate, remove, …) means for the person doing it."""
    rid = exc.request_id or ""
    code = exc.code
    if code == "invalidVerificationCode":
        return ActionError(
            reason="wrong_code",
            message="That code was not accepted.",
            next_step=(
                "Codes change every 30 or 60 seconds. Press the token's button and type the code it shows "
                "now, without waiting."
            ),
            field="code",
            request_id=rid,
        )
    if exc.status == 404 and code != "Request_ResourceNotFound":
        return ActionError(
            reason="not_found",
            message=(
                "No token with that serial number is in your organisation's inventory."
                if not admin
                else "That token is not in the tenant's inventory (or no longer assigned to this user)."
            ),
            next_step=(
                "Check the serial number on the back of the token (letters and digits, no spaces). If it is "
                "right, the token has not been registered yet: contact your IT helpdesk."
                if not admin
                else "Check the serial number, or add the token to the inventory first."
            ),
            field="serial_number",
            request_id=rid,
        )
    if code == "Request_ResourceNotFound":
        return ActionError(
            reason="user_not_found",
            message="That user does not exist in the directory.",
            next_step="Search for the user again; they may have been deleted.",
            request_id=rid,
        )
    if code == "deviceAlreadyAssigned" or exc.status == 409:
        return ActionError(
            reason="assigned_elsewhere",
            message=(
                "This token is registered to someone else."
                if not admin
                else "This token is already assigned to a user."
            ),
            next_step=(
                "Check the serial number. If the token really is yours, ask your IT helpdesk to release it."
                if not admin
                else "Unassign it from its current holder first (open the token in the inventory)."
            ),
            field="serial_number",
            request_id=rid,
        )
    if code == "deviceAlreadyActivated":
        return ActionError(
            reason="already_active",
            message="This token is already active on " + ("your account." if not admin else "this account."),
            next_step="Nothing to do: it can be used to sign in." if not admin else "Nothing to do.",
            field="serial_number",
            request_id=rid,
        )
    if code == "deviceNotActivated":
        return ActionError(
            reason="not_activated",
            message="This token is not active, so it cannot be deactivated.",
            next_step="Nothing to do.",
            request_id=rid,
        )
    if code == "deviceMustBeUnassigned":
        return ActionError(
            reason="must_be_unassigned",
            message="This token is assigned to a user, and an assigned token cannot be edited or deleted.",
            next_step="Unassign it from its holder first, then try again.",
            request_id=rid,
        )
    if code == "serialNumberAlreadyExists":
        return ActionError(
            reason="serial_exists",
            message="A token with this serial number is already in the inventory.",
            next_step="Check the serial number; to replace the token, delete the old entry first.",
            field="serial_number",
            request_id=rid,
        )
    if code == "guestUserNotSupported":
        return ActionError(
            reason="guest",
            message="Guest accounts cannot hold hardware tokens (a Microsoft Entra rule).",
            next_step="Assign the token to the person's account in their own organisation instead.",
            request_id=rid,
        )
    if code == "methodLimitReached":
        return ActionError(
            reason="method_limit",
            message="This account already has the maximum number of hardware tokens.",
            next_step="Remove a token that is no longer used, then try again.",
            request_id=rid,
        )
    if exc.status == 403 and admin:
        return ActionError(
            reason="forbidden",
            message="Microsoft Entra ID refused this change for this user.",
            next_step=(
                "If the user holds an administrator role, only a Privileged Authentication Administrator can "
                "change their tokens. Otherwise check that your role covers this action."
            ),
            request_id=rid,
        )
    return common_action_error(exc, admin=admin)
