"""What a Graph failure means for an admin action, in words an administrator can act on.

Graph documents no error code of its own for hardware OATH tokens; the codes matched here are the
ones the sandbox tenant answers (portal/sandbox/graph/errors.py), chosen to be specific where the
docs are silent. Where a real tenant answers differently, the status-based fallbacks still say
something true, and portal.core.action_errors covers what every action shares (401, 403, 429, 5xx).
"""

from __future__ import annotations

from portal.core.action_errors import ActionError, common_action_error
from portal.core.actions import Meaning
from portal.graph.errors import GraphError

PAA = "Privileged Authentication Administrator"


def _error(exc: GraphError, reason: str, message: str, next_step: str, field: str | None = None) -> ActionError:
    return ActionError(
        reason=reason, message=message, next_step=next_step, field=field, request_id=exc.request_id or ""
    )


def _state_error(exc: GraphError) -> ActionError | None:
    """Token state conflicts that mean the same whichever action ran into them."""
    code = exc.code
    if code == "deviceAlreadyAssigned" or (exc.status == 409 and code != "serialNumberAlreadyExists"):
        return _error(
            exc,
            "already_assigned",
            "This token is already assigned to someone.",
            "A token belongs to one person at a time. Open the token in the inventory to see who holds "
            "it, and unassign it from them first.",
        )
    if code == "deviceMustBeUnassigned":
        return _error(
            exc,
            "assigned",
            "This token is assigned to a user, and Microsoft Entra ID only lets you change or delete "
            "unassigned tokens.",
            "Unassign it from its holder first (from their user page), then try again.",
        )
    if code == "deviceAlreadyActivated":
        return _error(
            exc,
            "already_active",
            "This token is already active for this user.",
            "Nothing needs doing: the user can sign in with it.",
        )
    if code == "deviceNotActivated":
        return _error(
            exc,
            "not_active",
            "This token is not active, so there is nothing to deactivate.",
            "Reload the user's page to see the token's current state.",
        )
    if code == "guestUserNotSupported":
        return _error(
            exc,
            "guest_user",
            "Hardware tokens can't be given to guest users.",
            "Ask the guest's own organisation to issue them a token in their home tenant.",
        )
    if code == "methodLimitReached":
        return _error(
            exc,
            "method_limit",
            "This user already has as many hardware tokens as Microsoft Entra ID allows.",
            "Unassign a token they no longer use, then try again.",
        )
    return None


def user_read_error(exc: GraphError, *, manage_admin_targets: bool) -> ActionError:
    """Reading a user's profile or tokens."""
    if exc.status == 404:
        return _error(
            exc,
            "user_not_found",
            "There is no user with this id or name in the directory.",
            "They may have been deleted or renamed. Search for them again.",
        )
    if exc.status == 403 and not manage_admin_targets:
        return _error(
            exc,
            "admin_target",
            "Microsoft Entra ID did not let you see this user's tokens. This usually means the user holds "
            f"an admin role: only a {PAA} (or a Global Reader, to look) can see them.",
            f"Ask a {PAA} to help this user.",
        )
    return common_action_error(exc, admin=True)


def user_token_error(exc: GraphError, *, manage_admin_targets: bool) -> ActionError:
    """Assign, assign-and-activate, activate, deactivate or unassign a user's token."""
    if exc.code == "invalidVerificationCode":
        return _error(
            exc,
            "wrong_code",
            "Microsoft Entra ID did not accept that code for this token.",
            "Press the token's button and type the new code it shows. Codes change every 30 or 60 "
            "seconds; check the token's clock has not drifted if it keeps failing.",
            field="code",
        )
    state = _state_error(exc)
    if state is not None:
        return state
    if exc.status == 404:
        if exc.code == "Request_ResourceNotFound":
            return user_read_error(exc, manage_admin_targets=manage_admin_targets)
        return _error(
            exc,
            "token_not_found",
            "That token is not (or no longer) there: it may have been unassigned or deleted meanwhile.",
            "Reload the user's page to see their tokens as they are now.",
        )
    if exc.status == 403:
        if not manage_admin_targets:
            return _error(
                exc,
                "admin_target",
                f"Microsoft Entra ID refused: this user holds an admin role, and only a {PAA} can change their tokens.",
                f"Ask a {PAA} (or a Global Administrator) to do this. Nothing was changed.",
            )
        return common_action_error(exc, admin=True)
    if exc.status == 400 and exc.code == "invalidRequest":
        return _error(
            exc,
            "invalid_request",
            "Microsoft Entra ID rejected the request as invalid.",
            "Check the serial number and the code, then try again.",
        )
    return common_action_error(exc, admin=True)


def user_token_meaning(manage_admin_targets: bool) -> Meaning:
    """`user_token_error` with the admin's reach fixed, for portal.core.actions.failure."""

    def explain(exc: GraphError) -> ActionError:
        return user_token_error(exc, manage_admin_targets=manage_admin_targets)

    return explain


def inventory_read_error(exc: GraphError) -> ActionError:
    if exc.status == 404:
        return _error(
            exc,
            "token_not_found",
            "There is no such token in the inventory: it may have been deleted meanwhile.",
            "Go back to the inventory and look it up by its serial number.",
        )
    if exc.status == 403:
        return _error(
            exc,
            "forbidden",
            "Microsoft Entra ID did not let you read the token inventory.",
            "Reading it needs the Authentication Policy Administrator, Global Reader or Global "
            "Administrator role. If you were given one recently, sign out and in again.",
        )
    return common_action_error(exc, admin=True)


def inventory_write_error(exc: GraphError, *, assigning: bool = False) -> ActionError:
    """Create, edit or delete an inventory token (`assigning`: a create that also assigns it)."""
    if exc.code == "serialNumberAlreadyExists":
        return _error(
            exc,
            "duplicate_serial",
            "A token with this serial number is already in the inventory.",
            "Check the serial number. To replace that token, delete the old one first.",
            field="serial_number",
        )
    state = _state_error(exc)
    if state is not None:
        return state
    if exc.status == 404:
        if exc.code == "Request_ResourceNotFound":
            return _error(
                exc,
                "user_not_found",
                "There is no user with this name in the directory.",
                "Check the user principal name (it usually looks like an email address).",
                field="assign_to",
            )
        return inventory_read_error(exc)
    if exc.status == 403:
        if assigning:
            return _error(
                exc,
                "forbidden_assign",
                "Microsoft Entra ID refused: creating a token that is already assigned to someone also needs "
                f"the Authentication Administrator role ({PAA} if that person holds an admin role).",
                "Leave “Assign to” empty to add the token to the inventory, then ask an Authentication "
                "Administrator to assign it. Nothing was created.",
            )
        return _error(
            exc,
            "forbidden",
            "Microsoft Entra ID refused: your account may not change the token inventory.",
            "That needs the Authentication Policy Administrator or Global Administrator role. If you were "
            "given one recently, sign out and in again. Nothing was changed.",
        )
    if exc.status == 400 and exc.code == "invalidRequest":
        return _error(
            exc,
            "invalid_request",
            "Microsoft Entra ID rejected the token's details.",
            "Check the secret (Base32 or hex), the time interval (30 or 60 s) and the other fields.",
        )
    return common_action_error(exc, admin=True)
