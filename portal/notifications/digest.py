"""The administrators' digest: the needs-attention queue (portal.program.attention, the one
definition of "needs attention", with its rules and PROGRAM_* thresholds), as of the stored snapshot,
plus the mail this portal could not deliver — the digest's own concern.

Two halves, like every mail (portal.notifications.delivery): `digest_context` keeps *data* in the
notification row when the digest is queued (names, serials, dates, counts; never a code, a secret, a
pass or a lockout's key); `digest_words` turns it into words when the mail is written, in the
recipient's language and time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from portal.core.reasons import Attention
from portal.core.wording import (
    ATTENTION,
    ATTENTION_LOCKED_PERSON,
    ATTENTION_LOCKED_SERIAL,
    ATTENTION_SINCE_ASSIGNED,
    ATTENTION_UNKNOWN_SERIAL,
    ProgramNote,
    program_text,
)
from portal.notifications.models import Kind, Notification
from portal.program.attention import Group, Item, attention_groups
from portal.program.refresh import snapshot_state_get

State = Notification.State


def digest_context(*, now: datetime, since: datetime) -> dict[str, Any]:
    """What the digest will say, as data. `since`: the start of the previous period (for the mail
    that could not be delivered). A fixed number of queries (the queue's, the snapshot state's)."""
    state = snapshot_state_get()
    groups = attention_groups(now=now, limit=settings.DIGEST_ITEMS_PER_RULE)
    totals = {group.rule: group.total for group in groups}
    undelivered = Notification.objects.filter(
        state__in=[State.FAILED, State.UNCONFIRMED], updated_at__gte=since
    ).exclude(kind=Kind.ADMIN_DIGEST)
    base = settings.PORTAL_BASE_URL
    queue_url = base + reverse("tokenadmin:home")
    return {
        "at": now.isoformat(),
        "since": since.isoformat(),
        "every": settings.DIGEST_EVERY,
        "as_of": state.as_of.isoformat() if state.as_of else "",
        "stale": state.stale(now=now),
        "refresh_stopped": state.delegation_expired,
        "refresh_failed": state.last_failed,
        "rules": [_group_data(group, base) for group in groups],
        "attention_total": sum(totals.values()),
        # Named by the subject line (templates/notifications/mail/admin_digest.subject.txt).
        "waiting_total": totals.get(Attention.NOT_ACTIVATED, 0),
        "failed_total": totals.get(Attention.FAILED_ACTIVATION, 0),
        "undelivered_total": undelivered.count(),
        "queue_url": f"{queue_url}#attention-title",
        "undelivered_url": base + reverse("notifications:undelivered"),
    }


def digest_worth_sending(context: dict[str, Any]) -> bool:
    """Something needs attention, or the snapshot is missing or stale (then the digest says so
    instead of looking empty). A fresh snapshot with nothing in the queue and no mail problem: no digest."""
    return bool(context["attention_total"] or context["undelivered_total"] or context["stale"])


def _group_data(group: Group, base: str) -> dict[str, Any]:
    return {
        "rule": group.rule.value,
        "days": group.days,
        "total": group.total,
        # The rule's full list (every item, paged, with its fixes).
        "url": base + reverse("tokenadmin:attention_rule", args=[group.rule.value]),
        "items": [_item_data(item) for item in group.items],
    }


def _item_data(item: Item) -> dict[str, Any]:
    lockout = item.lockout
    return {
        "who": item.who,
        "upn": item.upn,
        "serial": item.serial,
        "since": item.since.isoformat() if item.since else "",
        "since_is_assignment": item.since_is_assignment,
        # Not the lockout's key (what lifting it takes): whether it is a person's, and its figures.
        "lockout": (
            {"person": lockout.key.startswith("p:"), "wrong": lockout.wrong_codes, "until": lockout.until.isoformat()}
            if lockout is not None
            else None
        ),
    }


# -- when the mail is written (in the recipient's language and zone) --------------------------------


def digest_words(context: dict[str, Any], *, zone: str) -> dict[str, Any]:
    """The digest's template context from its stored data."""
    return {
        "as_of": parse_datetime(str(context.get("as_of", ""))),
        "snapshot_notes": _snapshot_notes(context),
        "rules": [rule for rule in (_rule_words(data, zone=zone) for data in context.get("rules", [])) if rule],
    }


def _snapshot_notes(context: dict[str, Any]) -> list[str]:
    notes = []
    if not context.get("as_of"):
        notes.append(program_text(ProgramNote.NO_SNAPSHOT))
    if context.get("refresh_stopped"):
        notes.append(program_text(ProgramNote.REFRESH_STOPPED))
    elif context.get("refresh_failed"):
        notes.append(program_text(ProgramNote.REFRESH_FAILED))
    return notes


def _rule_words(data: dict[str, Any], *, zone: str) -> dict[str, Any] | None:
    try:
        rule = Attention(str(data.get("rule", "")))
    except ValueError:  # a rule retired since the digest was queued
        return None
    words = ATTENTION[rule]
    items = [_item_words(rule, item, zone=zone) for item in data.get("items", [])]
    total = int(data.get("total", 0))
    return {
        "heading": str(words.heading),
        "problem": "" if rule is Attention.LOCKED_OUT else str(words.problem).format(days=data.get("days")),
        "fix": str(words.fix),
        "total": total,
        "more": max(total - len(items), 0),
        "url": str(data.get("url", "")),
        "items": items,
    }


def _item_words(rule: Attention, data: dict[str, Any], *, zone: str) -> dict[str, Any]:
    lockout = data.get("lockout")
    serial = str(data.get("serial", ""))
    who = str(data.get("who", ""))
    problem = ""
    if lockout:
        if not who:  # the portal only knows a hashed key: say whose it is, as the overview does
            if lockout.get("person"):
                who = str(ATTENTION_LOCKED_PERSON)
            else:  # "Anyone typing the code of token …": the serial is said there
                who, serial = str(ATTENTION_LOCKED_SERIAL).format(serial=serial or ATTENTION_UNKNOWN_SERIAL), ""
        until = parse_datetime(str(lockout.get("until", "")))
        problem = str(ATTENTION[rule].problem).format(
            wrong=lockout.get("wrong", 0), until=_time(until, zone) if until else ""
        )
    return {
        "who": who,
        "upn": str(data.get("upn", "")),
        "serial": serial,
        "since": parse_datetime(str(data.get("since", ""))),
        "since_label": str(ATTENTION_SINCE_ASSIGNED if data.get("since_is_assignment") else ATTENTION[rule].since),
        "problem": problem,
    }


def _time(at: datetime, zone: str) -> str:
    return f"{formats.date_format(timezone.localtime(at), 'SHORT_DATETIME_FORMAT')} ({zone})"
