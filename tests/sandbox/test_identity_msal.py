"""Unmodified MSAL against the sandbox identity provider, end to end.

The same ConfidentialClientApplication the portal builds (production authority, instance discovery
off, the portal's requests session) signs a demo user in through the sandbox sign-in page, then
finds its token in the cache, then redeems its refresh token once the access token is about to expire.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import jwt
import msal
import pytest
from django.conf import settings
from django.test import Client

from portal.graph.transport import build_session
from portal.sandbox import clock, keys, roles, seed
from portal.sandbox.models import RefreshToken
from tests.sandbox.fixtures_identity import (
    LOGIN_HOST,
    client_id,
    make_app,
    pick_user,
    redirect_uri,
    tenant,
    token_endpoint_calls,
    token_url,
)
from tests.support.sandbox import sandbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_tenant")]

SCOPES = list(settings.EMPLOYEE_SCOPES)


def sign_in(
    client: Client, user_id: str, scopes: list[str] | None = None, **flow_kwargs: Any
) -> tuple[msal.SerializableTokenCache, dict[str, Any], dict[str, Any]]:
    cache = msal.SerializableTokenCache()
    app = make_app(cache)
    flow = app.initiate_auth_code_flow(scopes or SCOPES, redirect_uri=redirect_uri(), **flow_kwargs)
    callback = pick_user(client, flow["auth_uri"], user_id)
    result = app.acquire_token_by_auth_code_flow(flow, callback)
    assert "access_token" in result, result
    return cache, flow, result


def test_full_flow_cache_hit_then_refresh(client: Client) -> None:
    cache, flow, result = sign_in(client, seed.ADELE)

    claims = result["id_token_claims"]
    assert claims["oid"] == seed.ADELE
    assert claims["tid"] == tenant()
    assert claims["preferred_username"] == "adele.vance@contoso-sandbox.example"
    assert roles.MEMBER in claims["wids"]
    # MSAL sent sha256(nonce) on the authorize URL and checks the ID token echoes exactly that.
    assert claims["nonce"] == hashlib.sha256(flow["nonce"].encode("ascii")).hexdigest()
    assert result["token_type"] == "Bearer"
    assert set(SCOPES) <= set(result["scope"].split())
    assert result["refresh_token"]

    access = keys.verify_access_token(result["access_token"])
    assert access["oid"] == seed.ADELE
    assert set(access["scp"].split()) == set(SCOPES)

    # Second request of a page: MSAL answers from its cache, the token endpoint is not called.
    calls_before = token_endpoint_calls()
    app = make_app(cache)
    (account,) = app.get_accounts()
    assert account["home_account_id"] == f"{seed.ADELE}.{tenant()}"
    silent = app.acquire_token_silent(SCOPES, account)
    assert silent is not None
    assert silent["token_source"] == "cache"
    assert silent["access_token"] == result["access_token"]
    assert token_endpoint_calls() == calls_before

    # Make the cached access token look nearly expired (MSAL refreshes under 5 minutes left).
    state = json.loads(cache.serialize())
    for entry in state["AccessToken"].values():
        entry["expires_on"] = str(int(time.time()) + 60)
    aged = msal.SerializableTokenCache()
    aged.deserialize(json.dumps(state))
    app = make_app(aged)
    (account,) = app.get_accounts()
    refreshed = app.acquire_token_silent(SCOPES, account)
    assert refreshed is not None, "the refresh token was not redeemed"
    assert refreshed["token_source"] == "identity_provider"
    assert refreshed["access_token"] != result["access_token"]
    assert token_endpoint_calls() == calls_before + 1
    # Entra does not revoke a refresh token when it is used: both remain.
    assert RefreshToken.objects.filter(user_id=seed.ADELE, revoked=False).count() == 2


def test_id_token_verifies_against_published_keys(client: Client) -> None:
    _, flow, result = sign_in(client, seed.ISAIAH)
    session = build_session()
    discovery = session.get(f"{LOGIN_HOST}/{tenant()}/v2.0/.well-known/openid-configuration").json()
    jwk_set = jwt.PyJWKSet.from_dict(session.get(discovery["jwks_uri"]).json())
    header = jwt.get_unverified_header(result["id_token"])
    signing_key = next(key for key in jwk_set.keys if key.key_id == header["kid"])

    claims = jwt.decode(
        result["id_token"],
        signing_key.key,
        algorithms=["RS256"],
        audience=client_id(),
        issuer=discovery["issuer"],
    )
    assert header["alg"] == "RS256"
    assert claims["nonce"] == hashlib.sha256(flow["nonce"].encode("ascii")).hexdigest()
    assert claims["ver"] == "2.0"
    assert roles.AUTHENTICATION_ADMINISTRATOR in claims["wids"]
    assert abs(claims["auth_time"] - time.time()) < 60


def test_admin_scopes_come_silently_from_the_same_refresh_token(client: Client) -> None:
    cache, _, _ = sign_in(client, seed.MIRIAM)
    app = make_app(cache)
    (account,) = app.get_accounts()
    admin_scopes = list(settings.ADMIN_SCOPES)

    result = app.acquire_token_silent(admin_scopes, account)

    assert result is not None
    assert result["token_source"] == "identity_provider"
    assert set(keys.verify_access_token(result["access_token"])["scp"].split()) == set(admin_scopes)
    # And now both are cache hits.
    assert app.acquire_token_silent(admin_scopes, account)["token_source"] == "cache"  # type: ignore[index]
    assert app.acquire_token_silent(SCOPES, account)["token_source"] == "cache"  # type: ignore[index]


def test_claims_challenge_needs_a_fresh_sign_in_when_the_last_one_is_old(client: Client, settings: Any) -> None:
    cache, _, _ = sign_in(client, seed.ADELE)
    challenge = json.dumps({"access_token": {"acrs": {"essential": True, "value": "c1"}}})
    # Eleven minutes on, on the tenant's clock: the sign-in is older than the 10-minute step-up window.
    sandbox(settings, CLOCK_OFFSET_SECONDS=11 * 60)
    app = make_app(cache)
    (account,) = app.get_accounts()

    refused = app.acquire_token_silent_with_error(SCOPES, account, claims_challenge=challenge)

    assert refused is not None
    assert refused["error"] == "interaction_required"
    assert 50076 in refused["error_codes"]

    # Signing in again with the challenge gives a token with a fresh auth_time.
    _, _, again = sign_in(
        client, seed.ADELE, claims_challenge=challenge, login_hint="adele.vance@contoso-sandbox.example"
    )
    assert abs(keys.verify_access_token(again["access_token"])["auth_time"] - clock.now().timestamp()) < 60


def test_claims_challenge_within_the_window_is_answered_silently(client: Client) -> None:
    cache, _, _ = sign_in(client, seed.ADELE)
    app = make_app(cache)
    (account,) = app.get_accounts()
    challenge = json.dumps({"access_token": {"acrs": {"essential": True, "value": "c1"}}})

    result = app.acquire_token_silent_with_error(SCOPES, account, claims_challenge=challenge)

    assert result is not None
    assert "access_token" in result, result


def test_login_hint_is_highlighted(client: Client) -> None:
    app = make_app()
    flow = app.initiate_auth_code_flow(
        SCOPES, redirect_uri=redirect_uri(), login_hint="Alex.Wilber@contoso-sandbox.example"
    )
    path = flow["auth_uri"].split("://", 1)[1].split("/", 1)[1]

    page = client.get("/" + path)

    assert page.context["hint_matched"] is True
    hinted = [entry["row"].user.id for entry in page.context["users"] if entry["hinted"]]
    assert [str(user_id) for user_id in hinted] == [seed.ALEX]


def test_token_endpoint_is_reached_on_the_microsoft_host() -> None:
    # The discovery document MSAL reads keeps the token endpoint on https (MSAL insists on it),
    # while the authorize page is the sandbox's own browser page.
    discovery = build_session().get(f"{LOGIN_HOST}/{tenant()}/v2.0/.well-known/openid-configuration").json()
    assert discovery["token_endpoint"] == token_url()
    assert discovery["authorization_endpoint"] == (
        f"{settings.SANDBOX['BROWSER_BASE_URL']}/login/{tenant()}/oauth2/v2.0/authorize"
    )
