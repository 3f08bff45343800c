"""Tenant discovery (v2 and v1 OpenID configuration), the signing keys, and instance discovery.

The browser-facing endpoints (authorize, end session) point at the sandbox's own pages on the
portal's host, because a browser cannot reach the in-process login.microsoftonline.com. Everything
MSAL calls itself (token endpoint, keys) stays on the caller's base URL: the https Microsoft host
in-process — MSAL refuses a non-https token endpoint — or /sandbox/login over the dev server.
"""

from __future__ import annotations

from typing import Any

from portal.sandbox import keys
from portal.sandbox.config import sandbox_str
from portal.sandbox.http import SandboxRequest, SandboxResponse
from portal.sandbox.identity.clients import tenant_id

_CLAIMS_SUPPORTED = [
    "sub", "iss", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "name", "preferred_username",
    "oid", "tid", "ver", "wids", "email",
]  # fmt: skip
_DISCOVERY_CACHE = {"Cache-Control": "max-age=86400, private"}


def browser_login_url(path: str) -> str:
    return f"{sandbox_str('BROWSER_BASE_URL').rstrip('/')}/login/{tenant_id()}{path}"


def openid_configuration_v2(request: SandboxRequest) -> SandboxResponse:
    tid = tenant_id()
    base = request.base_url.rstrip("/")
    document: dict[str, Any] = {
        "issuer": keys.issuer(),
        "authorization_endpoint": browser_login_url("/oauth2/v2.0/authorize"),
        "token_endpoint": f"{base}/{tid}/oauth2/v2.0/token",
        "end_session_endpoint": browser_login_url("/oauth2/v2.0/logout"),
        "jwks_uri": f"{base}/{tid}/discovery/v2.0/keys",
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": _CLAIMS_SUPPORTED,
        "request_uri_parameter_supported": False,
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }
    return SandboxResponse.json(200, document, _DISCOVERY_CACHE)


def openid_configuration_v1(request: SandboxRequest) -> SandboxResponse:
    """The v1 document; only its end-session endpoint matters (some libraries sign out with it)."""
    tid = tenant_id()
    base = request.base_url.rstrip("/")
    document: dict[str, Any] = {
        "issuer": f"https://sts.windows.net/{tid}/",
        # The sandbox has no v1 authorize page; the v2 one serves both.
        "authorization_endpoint": browser_login_url("/oauth2/v2.0/authorize"),
        "token_endpoint": f"{base}/{tid}/oauth2/token",
        "end_session_endpoint": browser_login_url("/oauth2/v2.0/logout"),
        "jwks_uri": f"{base}/common/discovery/keys",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid"],
        "claims_supported": _CLAIMS_SUPPORTED,
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
    }
    return SandboxResponse.json(200, document, _DISCOVERY_CACHE)


def signing_keys(request: SandboxRequest) -> SandboxResponse:
    return SandboxResponse.json(200, keys.jwks(), _DISCOVERY_CACHE)


def instance_discovery(request: SandboxRequest) -> SandboxResponse:
    """Answered like Entra's, so a client that forgot instance_discovery=False still works offline."""
    body = {
        "tenant_discovery_endpoint": (
            f"{request.base_url.rstrip('/')}/{tenant_id()}/v2.0/.well-known/openid-configuration"
        ),
        "api-version": "1.1",
        "metadata": [
            {
                "preferred_network": "login.microsoftonline.com",
                "preferred_cache": "login.windows.net",
                "aliases": [
                    "login.microsoftonline.com",
                    "login.windows.net",
                    "login.microsoft.com",
                    "sts.windows.net",
                ],
            }
        ],
    }
    return SandboxResponse.json(200, body, _DISCOVERY_CACHE)
