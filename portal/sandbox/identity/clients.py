"""The sandbox tenant's one app registration: the portal.

Read from settings.SANDBOX at call time (tests override settings), like Entra reads the app
registration on every request.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass

from django.conf import settings

from portal.sandbox.config import sandbox_list, sandbox_str

# Delegated Graph permissions the administrator has consented to for the portal in the sandbox
# tenant: what the portal asks for (settings.EMPLOYEE_SCOPES + ADMIN_SCOPES) and the read-only
# siblings a tool or a test may prefer. Anything else is answered with AADSTS65001 (no consent).
_EXTRA_CONSENTED_SCOPES = (
    "UserAuthenticationMethod.Read",
    "UserAuthenticationMethod.Read.All",
    "Policy.Read.All",
    "User.ReadBasic.All",
)


@dataclass(frozen=True)
class AppRegistration:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    consented_scopes: tuple[str, ...]  # canonical spelling, e.g. "UserAuthenticationMethod.ReadWrite"
    # Application permissions granted with admin consent (client-credentials tokens' `roles`).
    app_roles: tuple[str, ...] = ()

    @property
    def service_principal_id(self) -> str:
        """The object id of the app's service principal: the `oid` of its app-only tokens."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-service-principal:{self.client_id.lower()}"))

    def secret_matches(self, presented: str) -> bool:
        # Constant time: the comparison must not tell an attacker how much of a guess was right.
        return bool(self.client_secret) and hmac.compare_digest(
            presented.encode("utf-8"), self.client_secret.encode("utf-8")
        )

    def redirect_uri_registered(self, uri: str) -> bool:
        # Exact match, as Entra does (no prefix or wildcard matching).
        return uri in self.redirect_uris

    def post_logout_uri_registered(self, uri: str) -> bool:
        return uri in self.post_logout_redirect_uris


def tenant_id() -> str:
    return sandbox_str("TENANT_ID")


def known_tenant(tenant: str) -> bool:
    return tenant.lower() == tenant_id().lower()


def consented_scopes() -> tuple[str, ...]:
    ordered = [*settings.EMPLOYEE_SCOPES, *settings.ADMIN_SCOPES, *_EXTRA_CONSENTED_SCOPES]
    return tuple(dict.fromkeys(ordered))


def portal_app() -> AppRegistration:
    return AppRegistration(
        client_id=sandbox_str("CLIENT_ID"),
        client_secret=sandbox_str("CLIENT_SECRET"),
        redirect_uris=tuple(sandbox_list("REDIRECT_URIS")),
        post_logout_redirect_uris=tuple(sandbox_list("POST_LOGOUT_REDIRECT_URIS")),
        consented_scopes=consented_scopes(),
        app_roles=tuple(sandbox_list("APP_ROLES")),
    )


def registered_app(client_id: str) -> AppRegistration | None:
    app = portal_app()
    # Client ids are GUIDs; Entra compares them case-insensitively.
    return app if client_id and client_id.lower() == app.client_id.lower() else None
