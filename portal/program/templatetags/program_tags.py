"""The queue's wording in templates (portal.program.wording holds the sentences)."""

from __future__ import annotations

from django import template

from portal.program import wording
from portal.program.attention import Group, Item

register = template.Library()


@register.filter
def rule_heading(group: Group) -> str:
    return wording.RULES[group.rule][0]


@register.filter
def rule_fix(group: Group) -> str:
    return wording.RULES[group.rule][2]


@register.filter
def item_problem(item: Item, days: int | None) -> str:
    return wording.problem(item, days)


@register.filter
def item_who(item: Item) -> str:
    return wording.who_label(item)


@register.simple_tag
def program_message(name: str) -> str:
    """One of the module's fixed sentences, by its constant's name."""
    value = getattr(wording, name)
    if not isinstance(value, str):
        raise template.TemplateSyntaxError(f"{name} is not a sentence")
    return value


@register.simple_tag
def program_message_count(name: str, count: int) -> str:
    value = getattr(wording, name)
    if not isinstance(value, str):
        raise template.TemplateSyntaxError(f"{name} is not a sentence")
    return value.format(count=count)


@register.filter
def item_since(item: Item) -> str:
    return wording.SINCE_ASSIGNED if item.since_is_assignment else wording.SINCE[item.rule]
