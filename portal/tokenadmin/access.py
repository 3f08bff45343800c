"""Who may open which admin page, decided from the ID token's `wids` (identity.signin.session_roles).

The role check runs before any Graph token is asked for, so an employee who types an admin URL gets
the 403 page and is never sent through the admin-scope consent. Graph stays the enforcer: these
checks only shape the pages (no write buttons for readers), and every 403 Graph answers is still
explained by the services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from portal.identity.access import roles_required
from portal.identity.models import User
from portal.identity.roles import (
    ADMIN_AREA_ROLES,
    INVENTORY_WRITERS,
    READERS,
    USER_TOKEN_MANAGERS,
    Role,
)
from portal.identity.signin import session_roles

View = Callable[..., HttpResponse]


class HtmxHttpRequest(HttpRequest):
    """What the views receive (django-htmx's typing pattern): `request.htmx` is always there."""

    htmx: HtmxDetails


# Reading users' tokens: the managers and Global Reader (Graph: U1/U2 with .Read.All + role).
USER_READERS = USER_TOKEN_MANAGERS | READERS

# One decorator per kind of page, so a view states its rule in one word.
admin_area = roles_required(ADMIN_AREA_ROLES, what="open the token admin area")
users_read = roles_required(USER_READERS, what="look up users and their hardware tokens")
users_write = roles_required(USER_TOKEN_MANAGERS, what="assign, activate or remove other people's tokens")
inventory_read = roles_required(ADMIN_AREA_ROLES, what="see the token inventory")
inventory_write = roles_required(INVENTORY_WRITERS, what="add, edit or delete tokens in the inventory")


@dataclass(frozen=True)
class AdminPermissions:
    """What the signed-in admin's roles allow, for templates (which buttons to show)."""

    roles: frozenset[Role]

    @property
    def role_labels(self) -> list[str]:
        return sorted(role.label for role in self.roles)

    @property
    def read_users(self) -> bool:
        return bool(self.roles & USER_READERS)

    @property
    def manage_users(self) -> bool:
        return bool(self.roles & USER_TOKEN_MANAGERS)

    @property
    def write_inventory(self) -> bool:
        return bool(self.roles & INVENTORY_WRITERS)

    @property
    def manage_admin_targets(self) -> bool:
        """Privileged Authentication Administrator or Global Administrator: may change the tokens of
        users who hold an admin role (an Authentication Administrator may not)."""
        return bool(self.roles & {Role.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR, Role.GLOBAL_ADMINISTRATOR})


def admin_permissions(request: HttpRequest) -> AdminPermissions:
    return AdminPermissions(session_roles(request))


def actor_of(request: HttpRequest) -> User:
    """The signed-in person (the decorators have already turned anonymous visitors away)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("The admin views need a signed-in portal user.")
    return user
