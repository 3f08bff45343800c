"""What happens to the sandbox tenant outside Graph's hardware OATH API: an administrator disables,
deletes or restores an account (in Microsoft's admin center, which the sandbox has no copy of), and
a person signs in with their token (which is what sets a method's `lastUsedDateTime`).

Used by the sandbox's browser pages and its management commands, so a demo or a test can put the
tenant in each state the portal's "needs attention" queue looks for.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.sandbox import totp
from portal.sandbox.config import sandbox_bool, sandbox_int
from portal.sandbox.models import DirectoryUser, HardwareToken
from portal.sandbox.router import SANDBOX_DB


class SignInRefused(Exception):
    """A simulated sign-in with a token that Entra would not accept; the message says why."""


def user_enabled_set(*, user: DirectoryUser, enabled: bool) -> None:
    """Block or allow sign-in (`accountEnabled`): the person's tokens stay assigned either way."""
    user.account_enabled = enabled
    user.save(update_fields=["account_enabled"])


def user_delete(*, user: DirectoryUser, now: datetime | None = None) -> None:
    """Delete an account. Entra keeps a deleted user restorable for 30 days and documents nothing
    about its hardware tokens; the sandbox's choice (README's sandbox table): the device keeps
    naming its holder, unless SANDBOX_DELETED_USER_RELEASES_TOKENS puts them back in the inventory."""
    with transaction.atomic(using=SANDBOX_DB):
        user.deleted_at = now or timezone.now()
        user.save(update_fields=["deleted_at"])
        if sandbox_bool("DELETED_USER_RELEASES_TOKENS"):
            HardwareToken.objects.filter(assigned_to=user).update(
                assigned_to=None, assigned_at=None, status=HardwareToken.Status.AVAILABLE
            )


def user_restore(*, user: DirectoryUser) -> None:
    user.deleted_at = None
    user.save(update_fields=["deleted_at"])


def token_sign_in(*, token: HardwareToken, code: str | None = None, at: datetime | None = None) -> None:
    """A sign-in with the token's code at `at` (now by default): sets `lastUsedDateTime`.

    `code` None means the person types what the token shows at that moment. The sign-in window is
    Entra's narrow one (SANDBOX_TOTP_WINDOW_STEPS), not activation's ±1 day.
    """
    when = at or timezone.now()
    holder = token.assigned_to
    if token.status != HardwareToken.Status.ACTIVATED or holder is None:
        raise SignInRefused(gettext("Only an activated token can be used to sign in."))
    if holder.deleted_at is not None:
        raise SignInRefused(gettext("The token's holder no longer exists in the directory."))
    if not holder.account_enabled:
        raise SignInRefused(gettext("The token's holder is disabled and cannot sign in."))
    instant = when.timestamp()
    typed = (
        code
        if code is not None
        else totp.code_at(token.secret_key, interval=token.time_interval, hash_function=token.hash_function, at=instant)
    )
    if not totp.verify(
        token.secret_key,
        typed,
        interval=token.time_interval,
        hash_function=token.hash_function,
        window_steps=sandbox_int("TOTP_WINDOW_STEPS"),
        at=instant,
    ):
        raise SignInRefused(gettext("That code is not the one the token shows now."))
    token.last_used_at = when
    token.save(update_fields=["last_used_at"])
