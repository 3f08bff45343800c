"""Who is calling: the bearer token, verified as Graph verifies Entra's tokens (reference §4.3).

Delegated tokens carry `scp` (space separated scopes) and `wids` (directory-role template ids);
app-only tokens carry `roles` (application permissions) and no `scp`. Directory roles are taken
from the token, not from the directory, as Graph does: a role granted after sign-in only counts
once the user has a new token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from portal.sandbox.graph import errors
from portal.sandbox.http import SandboxRequest
from portal.sandbox.keys import GRAPH_APP_ID, InvalidAccessToken, verify_access_token

# What Graph sends with every 401, so a client knows where to get a token (RFC 6750 §3).
WWW_AUTHENTICATE_BASE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    f'client_id="{GRAPH_APP_ID}"'
)


@dataclass(frozen=True)
class Caller:
    oid: str
    delegated: bool
    # Lower-cased: Entra treats scope names case-insensitively.
    permissions: frozenset[str]
    roles: frozenset[str]
    auth_time: int | None

    def has_any_permission(self, names: Iterable[str]) -> bool:
        return any(name.lower() in self.permissions for name in names)

    def has_any_role(self, role_ids: Iterable[str]) -> bool:
        return any(role_id in self.roles for role_id in role_ids)


def _invalid(message: str) -> errors.GraphError:
    return errors.INVALID_TOKEN(message, headers={"WWW-Authenticate": WWW_AUTHENTICATE_BASE})


def authenticate(request: SandboxRequest) -> Caller:
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise _invalid("Access token is empty.")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _invalid("Access token is empty.")
    try:
        claims = verify_access_token(token)
    except InvalidAccessToken as exc:
        raise _invalid(str(exc)) from exc
    if claims.get("tid") != settings.SANDBOX["TENANT_ID"]:
        raise _invalid("Access token is from another tenant.")
    return caller_from_claims(claims)


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    scp = claims.get("scp")
    delegated = isinstance(scp, str) and bool(scp.strip())
    if delegated:
        assert isinstance(scp, str)
        permissions = frozenset(scope.lower() for scope in scp.split())
    else:
        app_roles = claims.get("roles")
        permissions = frozenset(str(role).lower() for role in (app_roles if isinstance(app_roles, list) else []))
    wids = claims.get("wids")
    auth_time = claims.get("auth_time")
    return Caller(
        oid=str(claims.get("oid", "")),
        delegated=delegated,
        permissions=permissions,
        roles=frozenset(str(role) for role in (wids if isinstance(wids, list) and delegated else [])),
        auth_time=auth_time if isinstance(auth_time, int) else None,
    )
