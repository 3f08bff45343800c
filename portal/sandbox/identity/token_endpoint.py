"""POST /{tenant}/oauth2/v2.0/token: the authorization-code, refresh-token and client-credentials grants.

Checks in Entra's order — client, secret, grant — and answers in Entra's shapes (errors.py).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

from django.utils import timezone

from portal.sandbox import clock, keys
from portal.sandbox.config import sandbox_int
from portal.sandbox.http import SandboxRequest, SandboxResponse
from portal.sandbox.identity import errors, scopes
from portal.sandbox.identity.clients import AppRegistration, registered_app, tenant_id
from portal.sandbox.identity.context import Call
from portal.sandbox.identity.hashing import new_secret, pkce_matches, sha256_hex
from portal.sandbox.models import AuthorizationCode, DirectoryUser, RefreshToken

_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


def token(request: SandboxRequest, call: Call, tenant: str) -> SandboxResponse:
    if request.method != "POST":
        raise errors.post_only()
    form = request.form()
    app = _authenticate_client(request, form, tenant)
    grant_type = form.get("grant_type", "")
    if not grant_type:
        raise errors.missing_parameter("grant_type")
    if grant_type == "authorization_code":
        return _redeem_code(form, app, call)
    if grant_type == "refresh_token":
        return _redeem_refresh_token(form, app, call)
    if grant_type == "client_credentials":
        return _client_credentials(form, app, call)
    raise errors.unsupported_grant(grant_type)


def _authenticate_client(request: SandboxRequest, form: dict[str, str], tenant: str) -> AppRegistration:
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    basic = _basic_credentials(request.headers.get("Authorization", ""))
    if basic is not None:  # client_secret_basic (RFC 6749 §2.3.1)
        client_id, secret = basic
    if not client_id:
        raise errors.missing_parameter("client_id")
    app = registered_app(client_id)
    if app is None:
        raise errors.unknown_client(client_id, tenant)
    if not secret:
        raise errors.missing_secret()
    if not app.secret_matches(secret):
        raise errors.wrong_secret(app.client_id)
    return app


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote_plus(client_id), unquote_plus(secret)) if sep else None


def _redeem_code(form: dict[str, str], app: AppRegistration, call: Call) -> SandboxResponse:
    code = form.get("code", "")
    if not code:
        raise errors.missing_parameter("code")
    if not form.get("redirect_uri"):
        raise errors.missing_parameter("redirect_uri")
    row = AuthorizationCode.objects.select_related("user").filter(code_hash=sha256_hex(code)).first()
    if row is None:
        raise errors.unknown_code()
    if row.client_id.lower() != app.client_id.lower():
        raise errors.code_for_other_client()
    if row.used_at is not None:
        raise errors.code_redeemed()
    now = timezone.now()
    if now - row.created_at > timedelta(seconds=sandbox_int("AUTH_CODE_LIFETIME_SECONDS")):
        raise errors.code_expired()
    if form["redirect_uri"] != row.redirect_uri:
        raise errors.redirect_uri_mismatch()
    if row.code_challenge and not pkce_matches(form.get("code_verifier", ""), row.code_challenge):
        raise errors.pkce_mismatch()
    # The conditional update is the single-use guarantee: of two concurrent redemptions one wins.
    if not AuthorizationCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise errors.code_redeemed()
    user = _active_user(row.user)
    grant = scopes.resolve(form.get("scope") or " ".join(row.scopes), app)
    call.caller_oid = str(user.id)
    return _token_response(app=app, user=user, grant=grant, nonce=row.nonce, auth_time=row.auth_time)


def _redeem_refresh_token(form: dict[str, str], app: AppRegistration, call: Call) -> SandboxResponse:
    presented = form.get("refresh_token", "")
    if not presented:
        raise errors.missing_parameter("refresh_token")
    row = RefreshToken.objects.select_related("user").filter(token_hash=sha256_hex(presented)).first()
    if row is None or row.client_id.lower() != app.client_id.lower():
        raise errors.unknown_refresh_token()
    if row.revoked:
        raise errors.refresh_token_revoked()
    user = _active_user(row.user)
    # Entra's refresh tokens are not bound to the scopes first asked for: any consented scope of
    # any resource may be requested with them (incremental consent rides on this).
    grant = scopes.resolve(form.get("scope") or " ".join(row.scopes), app)
    if _claims_demand_authentication(form.get("claims", "")) and _stale(row.auth_time):
        raise errors.mfa_required()
    call.caller_oid = str(user.id)
    # auth_time stays the sign-in's: refreshing is not authenticating again.
    return _token_response(app=app, user=user, grant=grant, nonce="", auth_time=row.auth_time)


def _client_credentials(form: dict[str, str], app: AppRegistration, call: Call) -> SandboxResponse:
    """An app-only token: the application permissions consented for the app, in `roles` (no `scp`).

    Entra issues the token even when no application permission is consented (it then has no
    `roles`, and Graph refuses what needs one); the scope must be one resource's `/.default`.
    """
    requested = scopes.split(form.get("scope", ""))
    if not requested:
        raise errors.missing_parameter("scope")
    if len(requested) != 1 or not any(requested[0].lower() == p + ".default" for p in scopes.GRAPH_PREFIXES):
        raise errors.client_credentials_scope(" ".join(requested))
    call.caller_oid = app.service_principal_id
    lifetime = sandbox_int("ACCESS_TOKEN_LIFETIME_SECONDS")
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": keys.mint_app_token(
            client_id=app.client_id, service_principal_id=app.service_principal_id, roles=list(app.app_roles)
        ),
    }
    return SandboxResponse.json(200, body, _NO_STORE)


def _active_user(user: DirectoryUser) -> DirectoryUser:
    if user.deleted_at is not None:
        raise errors.user_not_found()
    if not user.account_enabled:
        raise errors.user_disabled()
    return user


def _claims_demand_authentication(raw: str) -> bool:
    """A claims request asks for more than client capabilities (xms_cc) — e.g. a Graph step-up."""
    if not raw.strip():
        return False
    try:
        claims = json.loads(raw)
    except ValueError:
        raise errors.invalid_parameter("claims", "not a JSON object") from None
    if not isinstance(claims, dict):
        raise errors.invalid_parameter("claims", "not a JSON object")
    return any(isinstance(member, dict) and any(name != "xms_cc" for name in member) for member in claims.values())


def _stale(auth_time: datetime) -> bool:
    """The sign-in is older than the step-up window, on the tenant's clock (which stamped it)."""
    window = sandbox_int("STEP_UP_AFTER_SECONDS")
    return window > 0 and (clock.now() - auth_time).total_seconds() > window


def _token_response(
    *, app: AppRegistration, user: DirectoryUser, grant: scopes.ScopeGrant, nonce: str, auth_time: datetime
) -> SandboxResponse:
    lifetime = sandbox_int("ACCESS_TOKEN_LIFETIME_SECONDS")
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": grant.response_scope(),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": keys.mint_access_token(
            user=user, scopes=list(grant.graph), client_id=app.client_id, auth_time=auth_time
        ),
    }
    if grant.wants_refresh_token:
        body["refresh_token"] = _issue_refresh_token(app=app, user=user, grant=grant, auth_time=auth_time)
    if grant.wants_id_token:
        body["id_token"] = keys.mint_id_token(user=user, client_id=app.client_id, nonce=nonce, auth_time=auth_time)
    body["client_info"] = client_info(user)
    return SandboxResponse.json(200, body, _NO_STORE)


def _issue_refresh_token(
    *, app: AppRegistration, user: DirectoryUser, grant: scopes.ScopeGrant, auth_time: datetime
) -> str:
    value = new_secret(64)
    RefreshToken.objects.create(
        token_hash=sha256_hex(value),
        client_id=app.client_id,
        user=user,
        scopes=[*grant.requested, *sorted(grant.oidc)],
        auth_time=auth_time,
        created_at=timezone.now(),
    )
    return value


def client_info(user: DirectoryUser) -> str:
    """What MSAL builds its home_account_id from: "<uid>.<utid>"."""
    return keys.b64url_json({"uid": str(user.id), "utid": tenant_id()})
