from __future__ import annotations

from urllib.parse import urlencode

from django import forms, template
from django.http import QueryDict

from portal.core import wording

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
def audit_label(reason: str) -> str:
    """What the audit trail shows for a recorded reason (portal.core.wording.AUDIT_LABEL)."""
    return wording.audit_label(reason)


@register.filter
def status_class(status: str) -> str:
    return f"badge-{status}" if status in _STATUS_WORDS else "badge-other"


@register.filter
def hash_label(hash_function: str) -> str:
    return {"hmacsha1": "SHA-1", "hmacsha256": "SHA-256"}.get(hash_function, hash_function)


@register.filter
def field_id(form: forms.BaseForm | None, name: str) -> str:
    """The id of `form`'s field `name` (an error summary links to it), or "" when there is no such field."""
    if form is None or not hasattr(form, "fields") or name not in form.fields:
        return ""
    return str(form[name].id_for_label)


@register.simple_tag
def page_query(query: QueryDict, name: str, value: object) -> str:
    """The current query string with `name` set to `value`, or without `name` when `value` is empty
    (everything else kept): pager links that keep the filters."""
    params = [(key, item) for key, items in query.lists() if key != name for item in items]
    if value not in (None, ""):
        params.append((name, str(value)))
    return urlencode(params)
