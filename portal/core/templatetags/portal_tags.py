from __future__ import annotations

from django import template

register = template.Library()

_STATUS_WORDS = {
    "activated": ("Active", "You can sign in with it."),
    "assigned": ("Not activated yet", "Activate it with the code it shows."),
    "failedActivation": ("Activation failed", "Try again with the code it shows now."),
    "available": ("Not assigned", "In the inventory, not assigned to anyone."),
}


@register.filter
def status_label(status: str) -> str:
    return _STATUS_WORDS.get(status, (status or "Unknown", ""))[0]


@register.filter
def status_hint(status: str) -> str:
    return _STATUS_WORDS.get(status, ("", "Microsoft reports a status this portal does not know yet."))[1]


@register.filter
def status_class(status: str) -> str:
    return f"badge-{status}" if status in _STATUS_WORDS else "badge-other"


@register.filter
def hash_label(hash_function: str) -> str:
    return {"hmacsha1": "SHA-1", "hmacsha256": "SHA-256"}.get(hash_function, hash_function)
