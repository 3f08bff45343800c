"""The needs-attention queue: what in the token program needs a person, computed from the stored
snapshot and the portal's own lockout rows (no Graph call, a fixed number of queries).

Rules and their thresholds (days, settings `PROGRAM_*_DAYS`), in the order shown. A token matches
at most one rule: an account problem (deleted, disabled) hides the usage rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from portal.core.attempts import LockedOut, lockouts_current
from portal.core.reasons import Attention
from portal.graph.types import TokenStatus
from portal.identity.models import User
from portal.program.models import ProgramToken

#: Items shown per rule (the page says how many more there are).
SHOWN_PER_RULE = 20


class Fix(enum.Enum):
    """The one action that resolves an item."""

    OPEN_USER = "open_user"  # the user's page: activate again, deactivate, unassign
    RESTORE_IN_ENTRA = "restore_in_entra"  # nothing the portal can do: Graph 404s a deleted user
    LIFT_LOCKOUT = "lift_lockout"


FIXES = {
    Attention.HOLDER_DELETED: Fix.RESTORE_IN_ENTRA,
    Attention.HOLDER_DISABLED: Fix.OPEN_USER,
    Attention.FAILED_ACTIVATION: Fix.OPEN_USER,
    Attention.NOT_ACTIVATED: Fix.OPEN_USER,
    Attention.NOT_USED: Fix.OPEN_USER,
    Attention.NEVER_USED: Fix.OPEN_USER,
    Attention.LOCKED_OUT: Fix.LIFT_LOCKOUT,
}


@dataclass(frozen=True)
class Item:
    rule: Attention
    #: The holder's name (or who is locked out), their object id when known.
    who: str
    who_id: str
    upn: str
    serial: str
    device_id: str
    since: datetime | None
    #: For lockouts: the key to lift, when it ends, how many wrong codes.
    lockout: LockedOut | None = None
    #: `since` is the assignment date standing in for an activation the portal did not see.
    since_is_assignment: bool = False

    @property
    def fix(self) -> Fix:
        return FIXES[self.rule]


@dataclass(frozen=True)
class Group:
    rule: Attention
    days: int | None
    items: list[Item]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def rule_days(rule: Attention) -> int | None:
    return {
        Attention.NOT_ACTIVATED: settings.PROGRAM_NOT_ACTIVATED_DAYS,
        Attention.NOT_USED: settings.PROGRAM_NOT_USED_DAYS,
        Attention.NEVER_USED: settings.PROGRAM_NEVER_USED_DAYS,
    }.get(rule)


def attention_groups(*, now: datetime, limit: int = SHOWN_PER_RULE) -> list[Group]:
    """Every rule with at least one item, in order. 2 queries per token rule, 2-3 for lockouts."""
    groups = []
    for rule in Attention:
        if rule is Attention.LOCKED_OUT:
            items = lockout_items(now=now)
            group = Group(rule, None, items[:limit], len(items))
        else:
            rows = rule_rows(rule, now=now)
            group = Group(rule, rule_days(rule), [_token_item(rule, row) for row in rows[:limit]], rows.count())
        if group.total:
            groups.append(group)
    return groups


def rule_rows(rule: Attention, *, now: datetime) -> QuerySet[ProgramToken]:
    """The snapshot's tokens that match `rule` (not lockouts), oldest first."""
    tokens = ProgramToken.objects.all()
    account_fine = Q(holder_exists=True) & ~Q(holder_enabled=False)
    if rule is Attention.HOLDER_DELETED:
        return tokens.filter(holder_exists=False).order_by("assigned_at", "serial_number")
    if rule is Attention.HOLDER_DISABLED:
        return tokens.filter(holder_exists=True, holder_enabled=False).order_by("assigned_at", "serial_number")
    days = rule_days(rule)
    cutoff = now - timedelta(days=days or 0)
    if rule is Attention.FAILED_ACTIVATION:
        return tokens.filter(account_fine, status=TokenStatus.FAILED_ACTIVATION).order_by(
            "assigned_at", "serial_number"
        )
    if rule is Attention.NOT_ACTIVATED:
        return tokens.filter(account_fine, status=TokenStatus.ASSIGNED, assigned_at__lte=cutoff).order_by(
            "assigned_at", "serial_number"
        )
    if rule is Attention.NOT_USED:
        return tokens.filter(account_fine, status=TokenStatus.ACTIVATED, last_used_at__lte=cutoff).order_by(
            "last_used_at", "serial_number"
        )
    if rule is Attention.NEVER_USED:
        # Activated when the portal saw it happen, else (activated before the portal looked) no
        # earlier than the assignment: the method's createdDateTime.
        return (
            tokens.filter(account_fine, status=TokenStatus.ACTIVATED, last_used_at__isnull=True)
            .annotate(activated_at=Coalesce("activated_seen_at", "assigned_at"))
            .filter(activated_at__lte=cutoff)
            .order_by("activated_at", "serial_number")
        )
    raise ValueError(rule)


def _token_item(rule: Attention, row: ProgramToken) -> Item:
    since = {
        Attention.NOT_USED: row.last_used_at,
        Attention.NEVER_USED: getattr(row, "activated_at", None),
    }.get(rule, row.assigned_at)
    return Item(
        rule=rule,
        who=row.holder_name or row.holder_upn or row.holder_id,
        who_id=row.holder_id,
        upn=row.holder_upn,
        serial=row.serial_number,
        device_id=row.device_id,
        since=since,
        since_is_assignment=rule is Attention.NEVER_USED and row.activated_seen_at is None,
    )


def lockout_items(*, now: datetime, folded: bool = True) -> list[Item]:
    """The people and serials locked out now, named where the portal knows them; a token's lockout
    folded under its people's unless not `folded` (portal.core.attempts).

    Looks up only the lockouts' own keys (User.attempts_key, ProgramToken.attempts_key, both
    indexed): the cost follows the number of lockouts, not the size of the tenant (2 queries and
    lockouts_current's)."""
    lockouts = lockouts_current(now=now, folded=folded)
    if not lockouts:
        return []
    person_keys = {lockout.key[2:] for lockout in lockouts if lockout.key.startswith("p:")}
    serial_keys = {lockout.key[2:] for lockout in lockouts if lockout.key.startswith("s:")}
    serial_keys.update(key for lockout in lockouts for key in lockout.serial_keys)
    people: dict[str, User] = {}
    if person_keys:
        people = {
            user.attempts_key: user
            for user in User.objects.filter(attempts_key__in=person_keys).only(
                "username", "display_name", "upn", "attempts_key"
            )
        }
    serials = dict(
        ProgramToken.objects.filter(attempts_key__in=serial_keys).values_list("attempts_key", "serial_number")
    )
    items = []
    for lockout in lockouts:
        kind, _, key = lockout.key.partition(":")
        person = people.get(key) if kind == "p" else None
        tried = sorted(serials[key] for key in lockout.serial_keys if key in serials)
        serial = (serials.get(key, "") if kind == "s" else "") or ", ".join(tried)
        # An unknown person or serial keeps `who` empty: the page words it (portal.core.wording).
        who, who_id, upn = (str(person), person.oid, person.upn) if person is not None else ("", "", "")
        items.append(Item(Attention.LOCKED_OUT, who, who_id, upn, serial, "", lockout.since, lockout))
    return items
