"""The names the portal gives things that are not errors (errors: portal.core.wording), once each.

A token's status has ONE name everywhere — the employee's list, an administrator's user page, the
inventory's badge and its status filter, the overview's chart — with one sentence that says what it
means for the person holding the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from portal.graph.types import HashFunction, TokenStatus

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Text
else:
    Text = str


@dataclass(frozen=True)
class StatusLabel:
    name: Text
    #: What it means for the holder, as one sentence.
    hint: Text


TOKEN_STATUS: dict[str, StatusLabel] = {
    TokenStatus.AVAILABLE: StatusLabel(_("Not assigned"), _("In the inventory, not assigned to anyone.")),
    TokenStatus.ASSIGNED: StatusLabel(_("Not activated yet"), _("Activate it with the code it shows.")),
    TokenStatus.ACTIVATED: StatusLabel(_("Active"), _("You can sign in with it.")),
    TokenStatus.FAILED_ACTIVATION: StatusLabel(_("Activation failed"), _("Try again with the code it shows now.")),
}
UNKNOWN_STATUS_HINT = _("Microsoft reports a status this portal does not know yet.")

HASH_FUNCTION: dict[str, str] = {HashFunction.HMACSHA1: "SHA-1", HashFunction.HMACSHA256: "SHA-256"}


def token_status_name(status: str) -> str:
    label = TOKEN_STATUS.get(status)
    return str(label.name) if label else (status or str(_("Unknown")))


def token_title(display_name: str | None, manufacturer: str | None, model: str | None) -> str:
    """A token's title: the name its holder gave it, else its make and model."""
    return display_name or " ".join(part for part in (manufacturer, model) if part) or str(_("Hardware token"))
