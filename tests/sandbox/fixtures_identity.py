"""Shared helpers for the sandbox identity provider's tests (the demo tenant itself comes from the
root conftest's `demo_tenant` fixture).

Imported explicitly by the test modules (tests/sandbox/conftest.py belongs to the Graph emulator's
tests). Helpers drive the real pieces: MSAL, the requests transport, the Django pages.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import msal
from django.conf import settings
from django.test import Client

from portal.graph.transport import build_session
from portal.sandbox.identity.hashing import pkce_s256
from portal.sandbox.models import RequestLogEntry

LOGIN_HOST = "https://login.microsoftonline.com"


def tenant() -> str:
    return str(settings.SANDBOX["TENANT_ID"])


def client_id() -> str:
    return str(settings.SANDBOX["CLIENT_ID"])


def client_secret() -> str:
    return str(settings.SANDBOX["CLIENT_SECRET"])


def redirect_uri() -> str:
    return str(settings.SANDBOX["REDIRECT_URIS"][0])


def token_url() -> str:
    return f"{LOGIN_HOST}/{tenant()}/oauth2/v2.0/token"


def authorize_path() -> str:
    return f"/sandbox/login/{tenant()}/oauth2/v2.0/authorize"


def make_app(
    cache: msal.SerializableTokenCache | None = None, *, secret: str | None = None, client: str | None = None
) -> msal.ConfidentialClientApplication:
    """Unmodified MSAL, configured as the portal configures it (production authority, sandbox transport)."""
    return msal.ConfidentialClientApplication(
        client or client_id(),
        client_credential=secret if secret is not None else client_secret(),
        authority=f"{LOGIN_HOST}/{tenant()}",
        http_client=build_session(),
        instance_discovery=False,
        token_cache=cache if cache is not None else msal.SerializableTokenCache(),
    )


def pick_user(browser: Client, auth_uri: str, user_id: str) -> dict[str, str]:
    """Open the sandbox sign-in page at `auth_uri`, pick `user_id`, return the callback's parameters."""
    parts = urlsplit(auth_uri)
    page = browser.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200, page.content[:500]
    answer = browser.post(parts.path, {"request": page.context["carried"], "user": user_id})
    assert answer.status_code == 302, answer.content[:500]
    location = urlsplit(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri()
    return dict(parse_qsl(location.query))


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "client_id": client_id(),
        "response_type": "code",
        "redirect_uri": redirect_uri(),
        "scope": "User.Read UserAuthenticationMethod.ReadWrite openid profile offline_access",
        "state": "st-" + secrets.token_urlsafe(8),
        "nonce": "nonce-hash",
        "code_challenge": pkce_s256("v" * 50),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


def authorize_url(**overrides: str) -> str:
    return f"{authorize_path()}?{urlencode(authorize_params(**overrides))}"


def get_code(browser: Client, user_id: str, *, verifier: str = "v" * 50, **overrides: str) -> str:
    """An authorization code obtained through the sign-in page, with PKCE for `verifier`."""
    params = pick_user(browser, authorize_url(code_challenge=pkce_s256(verifier), **overrides), user_id)
    return params["code"]


def redeem(code: str, *, verifier: str = "v" * 50, **overrides: str) -> Any:
    """POST the authorization-code grant through the portal's transport; returns the response."""
    data = {
        "client_id": client_id(),
        "client_secret": client_secret(),
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(),
        "code_verifier": verifier,
        "scope": "User.Read UserAuthenticationMethod.ReadWrite openid profile offline_access",
    }
    data.update(overrides)
    return build_session().post(token_url(), data={k: v for k, v in data.items() if v is not None})


def token_endpoint_calls() -> int:
    return RequestLogEntry.objects.filter(service="login", path__endswith="/oauth2/v2.0/token").count()


def assert_entra_error(response: Any, *, status: int, error: str, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    for key in ("timestamp", "trace_id", "correlation_id"):
        assert body[key]
    return dict(body)
