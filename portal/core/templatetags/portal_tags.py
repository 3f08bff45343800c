from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms, template
from django.http import QueryDict

from portal.core import labels, wording

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    return labels.token_status_name(status)


@register.filter
def status_hint(status: str) -> str:
    label = labels.TOKEN_STATUS.get(status)
    return str(label.hint if label else labels.UNKNOWN_STATUS_HINT)


@register.filter
def audit_label(reason: str) -> str:
    """What the audit trail shows for a recorded reason (portal.core.wording.AUDIT_LABEL)."""
    return wording.audit_label(reason)


@register.simple_tag
def pause_lift_hint() -> str:
    """Beside the lift action of an administrator's code form (portal.core.wording.PAUSE_LIFT_HINT)."""
    return str(wording.PAUSE_LIFT_HINT)


@register.filter
def status_class(status: str) -> str:
    return f"badge-{status}" if status in labels.TOKEN_STATUS else "badge-other"


@register.filter
def hash_label(hash_function: str) -> str:
    return labels.HASH_FUNCTION.get(hash_function, hash_function)


@register.filter
def token_title(device: Any) -> str:
    """A token's title (a HardwareOathDevice): the name its holder gave it, else its make and model."""
    return labels.token_title(device.display_name, device.manufacturer, device.model)


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
