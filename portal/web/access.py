"""Who may open which page: signed in, and holding one of the roles an access rule names.

Each rule is one decorator (`@admin_area`, `@users_read`, ...), declared once here and used by every
area that applies it. Roles come from the ID token's `wids` (identity.signin.session_roles) and are
checked before any Graph token is asked for, so an employee who types an admin URL gets the 403 page
and is never sent through the admin-scope consent. Graph stays the enforcer: these checks only shape
the pages (no write buttons for readers), and every 403 Graph answers is still explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.core.actions import Acting
from portal.core.http import client_ip
from portal.identity.graph_access import graph_client
from portal.identity.models import User
from portal.identity.roles import (
    ADMIN_AREA_ROLES,
    INVENTORY_WRITERS,
    USER_READERS,
    USER_TOKEN_MANAGERS,
    Role,
)
from portal.identity.signin import session_roles

View = Callable[..., HttpResponse]

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Text
else:
    Text = str


def signed_in(view: View) -> View:
    """Anonymous visitors go through sign-in and come back to this page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            back = request.get_full_path() if request.method == "GET" else request.path
            return HttpResponseRedirect(f"{reverse('identity:sign_in')}?{urlencode({'next': back})}")
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class AccessRule:
    """Signed in and holding one of `roles`. Used as a decorator; `allows` and `refuse` serve views
    whose rule depends on what they are asked for (an import job's kind)."""

    roles: frozenset[Role]
    #: Completes "You need one of these roles to …" on the 403 page.
    what: Text | str

    def allows(self, request: HttpRequest) -> bool:
        return bool(session_roles(request) & self.roles)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        """The 403 page: "You need one of these roles to `what`", naming the roles that would do."""
        needed = sorted(role.label for role in self.roles)
        context: dict[str, Any] = {"needed": needed, "what": self.what, "layout": "_base.html"}
        if self is not admin_area and admin_area.allows(request):
            # An administrator refused one page stays in the admin area's chrome and navigation.
            context |= {"layout": "web/_admin_base.html", "can": admin_permissions(request)}
        return render(request, "identity/forbidden.html", context, status=403)

    def __call__(self, view: View) -> View:
        @wraps(view)
        @signed_in
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not self.allows(request):
                return self.refuse(request)
            return view(request, *args, **kwargs)

        return wrapper


# One rule per kind of page, so a view states its rule in one word.
# Translators: each "what" completes "You need one of these Microsoft Entra roles to …".
admin_area = AccessRule(ADMIN_AREA_ROLES, what=_("open the admin area"))
users_read = AccessRule(USER_READERS, what=_("look up users and their hardware tokens"))
users_write = AccessRule(USER_TOKEN_MANAGERS, what=_("assign, activate or remove other people's tokens"))
inventory_write = AccessRule(INVENTORY_WRITERS, what=_("add, edit or delete tokens in the inventory"))
# Recording what happened to a token is the portal's own record (no Graph write): the helpdesk, who
# receives returned tokens, and the inventory keepers.
lifecycle_write = AccessRule(
    USER_TOKEN_MANAGERS | INVENTORY_WRITERS, what=_("record that a token was lost, returned or sent back")
)


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
    def record_lifecycle(self) -> bool:
        return bool(self.roles & (USER_TOKEN_MANAGERS | INVENTORY_WRITERS))

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


def admin_acting(request: HttpRequest) -> Acting:
    """Who does this request's admin actions, and how: the services' first argument (a Graph client
    with the admin scopes, made now)."""
    return Acting(
        actor=actor_of(request),
        client=graph_client(request, admin=True),
        client_ip=client_ip(request),
        manage_admin_targets=admin_permissions(request).manage_admin_targets,
    )
