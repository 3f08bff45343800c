"""The needs-attention queue: what in the token program needs a person, computed from the stored
snapshot and the portal's own lockout rows (no Graph call, a fixed number of queries).

Rules and their thresholds (days, settings `PROGRAM_*_DAYS`), in the order shown. A token matches
at most one rule: an account problem (deleted, disabled) hides the usage rules."""

from __future__ import annotations

import csv
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.audit.export import Echo, csv_safe
from portal.core import wording
from portal.core.attempts import LockedOut, lockouts_current
from portal.core.reasons import Attention
from portal.graph.types import TokenStatus
from portal.identity.models import User
from portal.program.models import ProgramToken

#: Items shown per rule on the overview (it links to the rule's own list for the rest).
SHOWN_PER_RULE = 20
#: Items per page of a rule's own list.
RULE_PAGE_SIZE = 50
#: Rows read at a time by the CSV export of a rule's items.
_CHUNK = 500


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


@dataclass(frozen=True)
class RulePage:
    """One page of one rule's items; `group.total` counts them all."""

    group: Group
    #: Which page, of how many (its object_list: the snapshot's rows, or the lockouts).
    page: Page[Any]


def attention_rule_page(rule: Attention, *, now: datetime, number: str | int | None = None) -> RulePage:
    """Page `number` of `rule`'s items, in the overview's order (a number out of range or not a
    number gives the nearest page). 2 queries for a token rule; the lockouts' for LOCKED_OUT."""
    if rule is Attention.LOCKED_OUT:
        lockouts = Paginator(lockout_items(now=now), RULE_PAGE_SIZE).get_page(number)
        return RulePage(Group(rule, None, list(lockouts.object_list), lockouts.paginator.count), lockouts)
    rows = Paginator(rule_rows(rule, now=now), RULE_PAGE_SIZE).get_page(number)
    items = [_token_item(rule, row) for row in rows.object_list]
    return RulePage(Group(rule, rule_days(rule), items, rows.paginator.count), rows)


def attention_items_all(rule: Attention, *, now: datetime) -> Iterator[Item]:
    """Every item of `rule`, read a chunk at a time (the CSV export: memory stays bounded)."""
    if rule is Attention.LOCKED_OUT:
        yield from lockout_items(now=now)
        return
    for row in rule_rows(rule, now=now).iterator(chunk_size=_CHUNK):
        yield _token_item(rule, row)


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


# -- an item in words (the page's filters, portal.program.templatetags, and the CSV export) --------


def item_who_text(item: Item) -> str:
    """Who an item is about, also when the portal only knows a hashed key (a lockout)."""
    if item.who:
        return item.who
    if item.lockout is not None and item.lockout.key.startswith("p:"):
        return str(wording.ATTENTION_LOCKED_PERSON)
    return str(wording.ATTENTION_LOCKED_SERIAL).format(serial=item.serial or wording.ATTENTION_UNKNOWN_SERIAL)


def item_problem_text(item: Item, days: int | None) -> str:
    text = str(wording.ATTENTION[item.rule].problem)
    lockout = item.lockout
    if lockout is not None:
        until = timezone.localtime(lockout.until)
        # The page names the zone too (under every page); said here as well, next to the time.
        when = f"{formats.time_format(until, 'TIME_FORMAT')} ({timezone.get_current_timezone_name()})"
        return text.format(wrong=lockout.wrong_codes, until=when)
    return text.format(days=days)


def item_since_text(item: Item) -> str:
    """What the item's date is ("Assigned", "Last used", …)."""
    return str(wording.ATTENTION_SINCE_ASSIGNED if item.since_is_assignment else wording.ATTENTION[item.rule].since)


def attention_csv(rule: Attention, *, now: datetime) -> Iterator[str]:
    """Every item of `rule` as CSV lines, streamed: who, their UPN, the token, the problem and the
    item's date (UTC, with what that date is: an activated token's may be its assignment's)."""
    writer = csv.writer(Echo())
    days = rule_days(rule)
    yield writer.writerow(
        (
            # Translators: headings of the CSV export of one rule of the needs-attention queue.
            _("Who"),
            _("User principal name"),
            _("Token"),
            _("Problem"),
            _("Date (UTC)"),
            _("What the date is"),
        )
    )
    for item in attention_items_all(rule, now=now):
        since = item.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if item.since else ""
        row = (item_who_text(item), item.upn, item.serial, item_problem_text(item, days), since, item_since_text(item))
        yield writer.writerow([csv_safe(cell) for cell in row])
