"""Entra directory roles, as their template ids appear in the ID token's `wids` claim.

`wids` is a sign-in-time snapshot used to shape the UI; Graph stays the enforcer, so every 403 it
returns is still handled (reference: entra-sign-in.md §5).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _


class Role(enum.Enum):
    AUTHENTICATION_ADMINISTRATOR = "c4e39bd9-1100-46d3-8c65-fb160da0071f"
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
    AUTHENTICATION_POLICY_ADMINISTRATOR = "0526716b-113d-4c15-b2c8-68e3c22b9f80"
    GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
    GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"

    @property
    def label(self) -> str:
        return str(_LABELS[self])


# Microsoft's names for its roles; translated as Microsoft's own pages in each language name them.
_LABELS = {
    Role.AUTHENTICATION_ADMINISTRATOR: _("Authentication Administrator"),
    Role.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: _("Privileged Authentication Administrator"),
    Role.AUTHENTICATION_POLICY_ADMINISTRATOR: _("Authentication Policy Administrator"),
    Role.GLOBAL_READER: _("Global Reader"),
    Role.GLOBAL_ADMINISTRATOR: _("Global Administrator"),
}

# Who may do what in the admin area (Graph enforces the same, per target user).
USER_TOKEN_MANAGERS = frozenset(
    {
        Role.AUTHENTICATION_ADMINISTRATOR,
        Role.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        Role.GLOBAL_ADMINISTRATOR,
    }
)
INVENTORY_WRITERS = frozenset({Role.AUTHENTICATION_POLICY_ADMINISTRATOR, Role.GLOBAL_ADMINISTRATOR})
READERS = frozenset({Role.GLOBAL_READER})
# Reading users' tokens: the managers and Global Reader (Graph: U1/U2 with .Read.All + role).
USER_READERS = USER_TOKEN_MANAGERS | READERS
ADMIN_AREA_ROLES = USER_TOKEN_MANAGERS | INVENTORY_WRITERS | READERS


def roles_from_wids(wids: Iterable[str]) -> frozenset[Role]:
    known = {role.value: role for role in Role}
    return frozenset(known[wid] for wid in wids if wid in known)
