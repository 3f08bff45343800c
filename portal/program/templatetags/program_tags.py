"""The token program's words in templates (the sentences are in portal.core.wording)."""

from __future__ import annotations

from django import template

from portal.core.wording import ATTENTION, ProgramNote, program_text
from portal.program.attention import Group, Item, item_problem_text, item_since_text, item_who_text

register = template.Library()


@register.filter
def rule_heading(group: Group) -> str:
    return str(ATTENTION[group.rule].heading)


@register.filter
def rule_fix(group: Group) -> str:
    return str(ATTENTION[group.rule].fix)


@register.filter
def item_problem(item: Item, days: int | None) -> str:
    return item_problem_text(item, days)


@register.filter
def item_who(item: Item) -> str:
    """Who an item is about, also when the portal only knows a hashed key (a lockout)."""
    return item_who_text(item)


@register.filter
def item_since(item: Item) -> str:
    return item_since_text(item)


@register.simple_tag
def program_message(name: str, count: int | None = None) -> str:
    """One of the token program's notes (portal.core.wording.ProgramNote), by its member's name."""
    return program_text(ProgramNote[name], count=count)
