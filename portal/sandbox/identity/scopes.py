"""Scope strings: what a client asked for, what it is granted, and what it is told it got.

Three spellings matter:
* requested — echoed verbatim in the token response's `scope`. MSAL stores that string as the
  cached token's "target" and later finds tokens by a case-sensitive subset test on it
  (msal/token_cache.py `_is_matching`), so a silent cache hit needs exactly the caller's spelling.
* granted — canonical Graph permission names (the consented spelling) for the access token's `scp`.
* OIDC — openid/profile/email/offline_access: they shape the answer (ID token, refresh token) but are
  not Graph permissions.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.sandbox.identity import errors
from portal.sandbox.identity.clients import AppRegistration

OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
GRAPH_PREFIXES = ("https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000/")


@dataclass(frozen=True)
class ScopeGrant:
    requested: tuple[str, ...]  # resource scopes as the client spelt them
    graph: tuple[str, ...]  # canonical Graph permission names, for `scp`
    oidc: frozenset[str]

    @property
    def wants_id_token(self) -> bool:
        return "openid" in self.oidc

    @property
    def wants_refresh_token(self) -> bool:
        return "offline_access" in self.oidc

    def response_scope(self) -> str:
        # Entra returns the resource scopes followed by the OIDC ones it honoured (never
        # offline_access; email comes with openid).
        oidc = [s for s in ("openid", "profile", "email") if s in self.oidc or (s == "email" and self.wants_id_token)]
        return " ".join([*self.requested, *oidc])


def split(raw: str) -> list[str]:
    return list(dict.fromkeys(raw.split()))


def _short_name(scope: str) -> str | None:
    """The permission name without a Graph resource prefix; None for another resource's scope."""
    lowered = scope.lower()
    for prefix in GRAPH_PREFIXES:
        if lowered.startswith(prefix):
            return scope[len(prefix) :]
    if "/" in scope or ":" in scope:  # api://…/x or another resource's URI
        return None
    return scope


def resolve(raw: str, app: AppRegistration) -> ScopeGrant:
    """The grant for a space-separated scope request, or OAuthError (invalid_scope / consent_required)."""
    consented = {scope.lower(): scope for scope in app.consented_scopes}
    requested: list[str] = []
    graph: list[str] = []
    oidc: set[str] = set()
    not_consented: list[str] = []
    for scope in split(raw):
        if scope.lower() in OIDC_SCOPES:
            oidc.add(scope.lower())
            continue
        short = _short_name(scope)
        if short is None or not short:
            raise errors.invalid_scope(scope)
        requested.append(scope)
        if short.lower() == ".default":
            graph.extend(app.consented_scopes)  # ".default" = everything consented for the resource
        elif short.lower() in consented:
            graph.append(consented[short.lower()])
        else:
            not_consented.append(scope)
    if not_consented:
        raise errors.consent_required(app.client_id, not_consented)
    return ScopeGrant(requested=tuple(requested), graph=tuple(dict.fromkeys(graph)), oidc=frozenset(oidc))
