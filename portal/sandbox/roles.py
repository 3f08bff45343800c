"""Directory-role template ids of the sandbox tenant and their names in plain words.

The ids are Entra's own (they appear in `wids`); the sandbox's sign-in page shows the names so a
demo visitor can pick "the Authentication Administrator" without knowing a GUID.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

MEMBER = "b79fbf4d-3ef9-4689-8143-76b194e85509"  # in every member's wids; grants nothing here
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
AUTHENTICATION_ADMINISTRATOR = "c4e39bd9-1100-46d3-8c65-fb160da0071f"
AUTHENTICATION_POLICY_ADMINISTRATOR = "0526716b-113d-4c15-b2c8-68e3c22b9f80"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"

NAMES = {
    GLOBAL_ADMINISTRATOR: _("Global Administrator"),
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: _("Privileged Authentication Administrator"),
    AUTHENTICATION_ADMINISTRATOR: _("Authentication Administrator"),
    AUTHENTICATION_POLICY_ADMINISTRATOR: _("Authentication Policy Administrator"),
    GLOBAL_READER: _("Global Reader"),
    HELPDESK_ADMINISTRATOR: _("Helpdesk Administrator"),
}


def role_names(role_ids: Iterable[str]) -> list[str]:
    """Names of the administrator roles among `role_ids` (the member template is not a role to show)."""
    ids = set(role_ids)
    return [str(name) for role_id, name in NAMES.items() if role_id in ids]
