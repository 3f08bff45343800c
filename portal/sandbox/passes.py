"""Temporary Access Pass in the sandbox tenant: the tenant's policy, issuing, usability, sign-in.

Shared by the Graph emulator (portal.sandbox.graph.passes: create, read, delete, policy) and the
sandbox's sign-in page (sign in with a pass). Facts from graph-temporary-access-pass.md §2-§4:
at most one pass per user; lifetime 10-43200 minutes and within the policy's min/max; the policy's
`isUsableOnce` makes every pass one-time; `isUsable`/`methodUsabilityReason` follow the clock
(portal.sandbox.clock, shiftable in tests). The pass itself exists only in the create answer:
the database keeps its sha256.
"""

from __future__ import annotations

import enum
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from portal.sandbox import clock
from portal.sandbox.config import sandbox_bool, sandbox_int, sandbox_str
from portal.sandbox.identity.hashing import sha256_hex
from portal.sandbox.models import DirectoryUser, TemporaryAccessPass
from portal.sandbox.router import SANDBOX_DB

# Documented absolute bounds of lifetimeInMinutes and of the policy's defaultLength.
LIFETIME_FLOOR = 10
LIFETIME_CEILING = 43200
LENGTH_FLOOR = 8
LENGTH_CEILING = 48
# Docs silent on the alphabet (the admin center shows letters, digits and symbols): the sandbox uses
# letters and digits without look-alikes (0/O, 1/l/I), so a pass read aloud at the desk survives.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


class Usability(enum.StrEnum):
    """`methodUsabilityReason` values (reference §3)."""

    ENABLED_BY_POLICY = "EnabledByPolicy"
    DISABLED_BY_POLICY = "DisabledByPolicy"
    EXPIRED = "Expired"
    NOT_YET_VALID = "NotYetValid"
    ONE_TIME_USED = "OneTimeUsed"


@dataclass(frozen=True)
class Policy:
    """The tenant's temporaryAccessPassAuthenticationMethodConfiguration (SANDBOX["TAP_*"])."""

    enabled: bool
    default_lifetime: int
    minimum_lifetime: int
    maximum_lifetime: int
    default_length: int
    is_usable_once: bool

    @classmethod
    def current(cls) -> Policy:
        minimum = max(LIFETIME_FLOOR, sandbox_int("TAP_MIN_LIFETIME_MINUTES"))
        maximum = min(LIFETIME_CEILING, max(minimum, sandbox_int("TAP_MAX_LIFETIME_MINUTES")))
        default = min(maximum, max(minimum, sandbox_int("TAP_DEFAULT_LIFETIME_MINUTES")))
        length = min(LENGTH_CEILING, max(LENGTH_FLOOR, sandbox_int("TAP_DEFAULT_LENGTH")))
        return cls(
            enabled=sandbox_str("TAP_STATE").strip().lower() == "enabled",
            default_lifetime=default,
            minimum_lifetime=minimum,
            maximum_lifetime=maximum,
            default_length=length,
            is_usable_once=sandbox_bool("TAP_USABLE_ONCE"),
        )


class PassRefused(Exception):
    """Create refused by the tenant; `reason` says which rule (the Graph layer picks the answer)."""

    class Reason(enum.Enum):
        DISABLED_BY_POLICY = enum.auto()
        LIFETIME_OUT_OF_RANGE = enum.auto()
        ALREADY_EXISTS = enum.auto()

    def __init__(self, reason: PassRefused.Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def usability(tap: TemporaryAccessPass, *, at: datetime | None = None) -> Usability:
    now = at or clock.now()
    if not Policy.current().enabled:
        return Usability.DISABLED_BY_POLICY
    if now < tap.start_at:
        return Usability.NOT_YET_VALID
    if now >= tap.start_at + timedelta(minutes=tap.lifetime_minutes):
        return Usability.EXPIRED
    if tap.is_usable_once and tap.last_used_at is not None:
        return Usability.ONE_TIME_USED
    return Usability.ENABLED_BY_POLICY


def issue(
    user: DirectoryUser,
    *,
    start: datetime | None,
    lifetime_minutes: int | None,
    usable_once: bool | None,
) -> tuple[TemporaryAccessPass, str]:
    """A new pass for `user` (replacing a current one when TAP_REPLACE_EXISTING); the pass in clear
    is returned to the caller once and never stored."""
    policy = Policy.current()
    if not policy.enabled:
        raise PassRefused(
            PassRefused.Reason.DISABLED_BY_POLICY,
            "The Temporary Access Pass authentication method is disabled by the tenant's policy.",
        )
    lifetime = policy.default_lifetime if lifetime_minutes is None else lifetime_minutes
    if not policy.minimum_lifetime <= lifetime <= policy.maximum_lifetime:
        raise PassRefused(
            PassRefused.Reason.LIFETIME_OUT_OF_RANGE,
            f"lifetimeInMinutes must be between {policy.minimum_lifetime} and {policy.maximum_lifetime} "
            "minutes (the tenant's Temporary Access Pass policy).",
        )
    now = clock.now()
    value = "".join(secrets.choice(ALPHABET) for _ in range(policy.default_length))
    with transaction.atomic(using=SANDBOX_DB):
        current = TemporaryAccessPass.objects.select_for_update().filter(user=user).first()
        if current is not None:
            if usability(current, at=now) == Usability.ENABLED_BY_POLICY and not sandbox_bool("TAP_REPLACE_EXISTING"):
                raise PassRefused(
                    PassRefused.Reason.ALREADY_EXISTS,
                    "The user already has a usable Temporary Access Pass; delete it first.",
                )
            current.delete()  # one pass per user: a new one replaces the old (beta docs)
        tap = TemporaryAccessPass.objects.create(
            user=user,
            pass_hash=sha256_hex(value),
            created_at=now,
            start_at=start or now,
            lifetime_minutes=lifetime,
            is_usable_once=policy.is_usable_once or bool(usable_once),
        )
    return tap, value


class SignIn(enum.Enum):
    """What the sign-in page makes of a typed pass."""

    SIGNED_IN = enum.auto()
    WRONG_PASS = enum.auto()  # no pass, or not this one: one answer, so nothing is learnt by guessing
    NOT_YET_VALID = enum.auto()
    EXPIRED = enum.auto()
    USED = enum.auto()
    DISABLED_BY_POLICY = enum.auto()


_REFUSALS = {
    Usability.NOT_YET_VALID: SignIn.NOT_YET_VALID,
    Usability.EXPIRED: SignIn.EXPIRED,
    Usability.ONE_TIME_USED: SignIn.USED,
    Usability.DISABLED_BY_POLICY: SignIn.DISABLED_BY_POLICY,
}


def sign_in(user: DirectoryUser, value: str) -> SignIn:
    """Check a pass typed on the sign-in page; a one-time pass is used up by a successful sign-in."""
    candidate = sha256_hex(value.strip())
    with transaction.atomic(using=SANDBOX_DB):
        tap = TemporaryAccessPass.objects.select_for_update().filter(user=user).first()
        if tap is None or not hmac.compare_digest(tap.pass_hash, candidate):
            return SignIn.WRONG_PASS
        now = clock.now()
        state = usability(tap, at=now)
        if state != Usability.ENABLED_BY_POLICY:
            return _REFUSALS[state]
        tap.last_used_at = now
        tap.save(update_fields=["last_used_at"])
    return SignIn.SIGNED_IN
