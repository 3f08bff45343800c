"""The token program's words in templates (the sentences are in portal.core.wording)."""

from __future__ import annotations

from django import template
from django.utils import formats, timezone

from portal.core import wording
from portal.core.wording import ATTENTION, ProgramNote, program_text
from portal.program.attention import Group, Item

register = template.Library()


@register.filter
def rule_heading(group: Group) -> str:
    return str(ATTENTION[group.rule].heading)


@register.filter
def rule_fix(group: Group) -> str:
    return str(ATTENTION[group.rule].fix)


@register.filter
def item_problem(item: Item, days: int | None) -> str:
    text = str(ATTENTION[item.rule].problem)
    lockout = item.lockout
    if lockout is not None:
        until = timezone.localtime(lockout.until)
        # The page names the zone too (under every page); said here as well, next to the time.
        when = f"{formats.time_format(until, 'TIME_FORMAT')} ({timezone.get_current_timezone_name()})"
        return text.format(wrong=lockout.wrong_codes, until=when)
    return text.format(days=days)


@register.filter
def item_who(item: Item) -> str:
    """Who an item is about, also when the portal only knows a hashed key (a lockout)."""
    if item.who:
        return item.who
    if item.lockout is not None and item.lockout.key.startswith("p:"):
        return str(wording.ATTENTION_LOCKED_PERSON)
    return str(wording.ATTENTION_LOCKED_SERIAL).format(serial=item.serial or wording.ATTENTION_UNKNOWN_SERIAL)


@register.filter
def item_since(item: Item) -> str:
    return str(wording.ATTENTION_SINCE_ASSIGNED if item.since_is_assignment else ATTENTION[item.rule].since)


@register.simple_tag
def program_message(name: str, count: int | None = None) -> str:
    """One of the token program's notes (portal.core.wording.ProgramNote), by its member's name."""
    return program_text(ProgramNote[name], count=count)
