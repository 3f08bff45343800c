"""The token state machine (reference §5.7) and the rules of who may hold a token (§5.5).

available ──assign──▶ assigned ──activate(code ok)──▶ activated ──deactivate──▶ assigned
    ▲                    │  ▲
    │                    │  └──activate(code ok)── failedActivation ◀──activate(code wrong)
    └──────unassign──────┴─────────────────── (from any assigned state) ──────────────────

Functions here change rows and are called inside the endpoint's `transaction.atomic(using="sandbox")`
block on a row fetched with `select_for_update()`. They never commit a failure half-way: a check that
fails raises before anything is written, except `record_wrong_code()`, which the endpoint calls and
commits *before* raising the error (a rollback would undo the `failedActivation` status).
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from portal.sandbox import totp
from portal.sandbox.config import sandbox_bool, sandbox_int
from portal.sandbox.graph import errors
from portal.sandbox.models import DirectoryUser, HardwareToken

Status = HardwareToken.Status
DB = "sandbox"


def atomic() -> transaction.Atomic:
    return transaction.atomic(using=DB)


def parse_id(value: str) -> uuid.UUID | None:
    """A token id from a URL or body; None for anything that is not a GUID (it then matches nothing)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def lock_token(token_id: str) -> HardwareToken:
    """The token row, locked for this transaction; 404 when the id is unknown or not a GUID."""
    key = parse_id(token_id)
    token = HardwareToken.objects.select_for_update().filter(pk=key).first() if key else None
    if token is None:
        raise errors.ITEM_NOT_FOUND()
    return token


def lock_method(user: DirectoryUser, method_id: str) -> HardwareToken:
    """The user's method (= a token assigned to them), locked; 404 when they have no such method."""
    token = lock_token(method_id)
    if token.assigned_to_id != user.id:
        raise errors.ITEM_NOT_FOUND()
    return token


def check_can_receive(user: DirectoryUser) -> None:
    """May `user` be given one more token? Guests may not (§5.5); optional per-user limit."""
    if user.user_type.strip().lower() == "guest":
        raise errors.GUEST_NOT_SUPPORTED()
    limit = sandbox_int("MAX_METHODS_PER_USER")
    if limit > 0 and HardwareToken.objects.filter(assigned_to=user).count() >= limit:
        raise errors.METHOD_LIMIT_REACHED()


def assign(token: HardwareToken, user: DirectoryUser) -> None:
    if token.assigned_to_id is not None:
        # Never say to whom: the caller may not be allowed to know.
        raise errors.DEVICE_ALREADY_ASSIGNED()
    check_can_receive(user)
    token.assigned_to = user
    token.assigned_at = timezone.now()
    token.status = Status.ASSIGNED
    token.save(update_fields=["assigned_to", "assigned_at", "status"])


def unassign(token: HardwareToken) -> None:
    token.assigned_to = None
    token.assigned_at = None
    token.status = Status.AVAILABLE
    token.save(update_fields=["assigned_to", "assigned_at", "status"])


def code_is_valid(token: HardwareToken, code: str) -> bool:
    """The activation check: Entra documents a generous drift there (about ±1 day for 30-second
    tokens, ±2 days for 60-second ones), far wider than at sign-in (portal.sandbox.signins)."""
    return totp.verify(
        token.secret_key,
        code,
        interval=token.time_interval,
        hash_function=token.hash_function,
        window_steps=sandbox_int("ACTIVATION_WINDOW_STEPS"),
    )


def activate(token: HardwareToken, display_name: str | None) -> None:
    token.status = Status.ACTIVATED
    fields = ["status"]
    if display_name:
        token.display_name = display_name
        fields.append("display_name")
    token.save(update_fields=fields)


def record_wrong_code(token: HardwareToken) -> None:
    """A wrong code on an assigned token marks it `failedActivation` (switchable, §3.11)."""
    if sandbox_bool("WRONG_CODE_SETS_FAILED_ACTIVATION") and token.assigned_to_id is not None:
        token.status = Status.FAILED_ACTIVATION
        token.save(update_fields=["status"])


def deactivate(token: HardwareToken) -> None:
    if token.status != Status.ACTIVATED:
        raise errors.DEVICE_NOT_ACTIVATED()
    token.status = Status.ASSIGNED
    token.save(update_fields=["status"])


def check_unassigned(token: HardwareToken) -> None:
    """Update and delete of an inventory token need it unassigned (§3.5/§3.6)."""
    if token.assigned_to_id is not None:
        raise errors.DEVICE_MUST_BE_UNASSIGNED()
