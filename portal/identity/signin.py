"""Sign-in, tokens and sign-out: the only code that talks to MSAL.

The auth-code flow (with PKCE, added by MSAL) is kept server-side in the session, keyed by its
`state`, so two tabs signing in at once don't trample each other. The default query response
mode is used: the callback is a top-level GET, which carries the SameSite=Lax session cookie.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import msal
from django.conf import settings
from django.contrib.auth import login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal.identity import msal_client
from portal.identity.errors import IdentityUnavailable, ReauthenticationRequired, SignInError
from portal.identity.models import User
from portal.identity.roles import Role, roles_from_wids

logger = logging.getLogger("portal.identity")

FLOWS_KEY = "identity.auth_flows"
ACCOUNT_KEY = "identity.home_account_id"
WIDS_KEY = "identity.wids"
SIGNED_IN_AT_KEY = "identity.signed_in_at"
LAST_SEEN_KEY = "identity.last_seen"
MAX_PENDING_FLOWS = 5


def session_expiry_renew(session: SessionBase, *, now: int) -> None:
    """Seen now: the session row expires when the portal would end the session, at its idle or
    absolute limit, whichever comes first. So the periodic purge (portal.identity.maintenance)
    deletes an abandoned session and its sealed token cache, as `clearsessions` would."""
    signed_in_at = int(session.get(SIGNED_IN_AT_KEY, now))
    ends = min(now + settings.SESSION_IDLE_SECONDS, signed_in_at + settings.SESSION_ABSOLUTE_SECONDS)
    session[LAST_SEEN_KEY] = now
    session.set_expiry(datetime.fromtimestamp(ends, tz=UTC))


def redirect_uri() -> str:
    return settings.PORTAL_BASE_URL + reverse("identity:callback")


def safe_next_url(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    """Only same-site paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not candidate:
        return default
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return default
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=False):
        return default
    return candidate


def sign_in_begin(
    *,
    request: HttpRequest,
    next_url: str,
    admin: bool = False,
    claims_challenge: str | None = None,
) -> str:
    """Start an auth-code flow; returns the authorize URL to send the browser to."""
    scopes = list(settings.EMPLOYEE_SCOPES) + (list(settings.ADMIN_SCOPES) if admin else [])
    login_hint = request.user.upn if request.user.is_authenticated else None
    try:
        with msal_client.application() as app:
            flow = app.initiate_auth_code_flow(
                scopes,
                redirect_uri=redirect_uri(),
                login_hint=login_hint or None,
                claims_challenge=claims_challenge,
            )
    except (ValueError, OSError) as exc:  # discovery unreachable or malformed
        raise IdentityUnavailable(type(exc).__name__) from exc
    flows: dict[str, Any] = request.session.get(FLOWS_KEY, {})
    # Keep only the newest few: an abandoned sign-in tab must not grow the session for ever.
    while len(flows) >= MAX_PENDING_FLOWS:
        flows.pop(next(iter(flows)))
    flows[flow["state"]] = {"flow": flow, "next": next_url, "admin": admin}
    request.session[FLOWS_KEY] = flows
    return str(flow["auth_uri"])


def sign_in_complete(*, request: HttpRequest) -> str:
    """Redeem the callback, sign the person in; returns where to send them next."""
    state = request.GET.get("state", "")
    flows: dict[str, Any] = request.session.get(FLOWS_KEY, {})
    pending = flows.pop(state, None) if state else None
    if pending is None:
        # Nothing written: a forged or replayed callback costs no session row and no HTTP call.
        raise SignInError("state_mismatch")
    request.session[FLOWS_KEY] = flows
    if request.GET.get("error"):
        raise _error_from_idp(request.GET.get("error", ""), request.GET.get("error_description", ""))

    with msal_client.session_application(request.session) as app:
        try:
            result = app.acquire_token_by_auth_code_flow(pending["flow"], request.GET.dict())
        except ValueError as exc:  # state mismatch or a malformed callback (MSAL's own check)
            raise SignInError("state_mismatch", type(exc).__name__) from exc
        except RuntimeError as exc:  # MSAL raises RuntimeError on a nonce mismatch
            raise SignInError("nonce_mismatch", type(exc).__name__) from exc
        except (msal.exceptions.MsalServiceError, OSError) as exc:
            raise SignInError("unavailable", type(exc).__name__) from exc
        if "error" in result:
            raise _error_from_idp(result.get("error", ""), result.get("error_description", ""))

        claims = result.get("id_token_claims") or {}
        _check_id_token_claims(claims)
        user = _user_from_claims(claims)

        login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # rotates the session id
        request.session[FLOWS_KEY] = {}
        request.session[WIDS_KEY] = list(claims.get("wids", []))
        request.session[ACCOUNT_KEY] = _home_account_id(claims)
        request.session[SIGNED_IN_AT_KEY] = request.session.get(SIGNED_IN_AT_KEY) or int(time.time())
        session_expiry_renew(request.session, now=int(time.time()))
        msal_client.save_cache(request.session, app)
    logger.info("signed in", extra={"oid": user.oid, "admin_scopes": bool(pending.get("admin"))})
    return str(pending["next"])


def graph_access_token(*, request: HttpRequest, admin: bool = False) -> str:
    """An access token for Graph with the employee (or admin) scopes, from the session's cache."""
    scopes = list(settings.ADMIN_SCOPES if admin else settings.EMPLOYEE_SCOPES)
    home_account_id = request.session.get(ACCOUNT_KEY)
    with msal_client.session_application(request.session) as app:
        try:
            account = next((a for a in app.get_accounts() if a.get("home_account_id") == home_account_id), None)
            if account is None:
                raise ReauthenticationRequired(admin=admin)
            result = app.acquire_token_silent_with_error(scopes, account)
        except (msal.exceptions.MsalServiceError, OSError) as exc:
            raise IdentityUnavailable(type(exc).__name__) from exc
        msal_client.save_cache(request.session, app)
    if not result or "access_token" not in result:
        if result:
            logger.info("silent token failed", extra={"error": result.get("error", ""), "admin": admin})
        raise ReauthenticationRequired(admin=admin)
    return str(result["access_token"])


def session_roles(request: HttpRequest) -> frozenset[Role]:
    return roles_from_wids(request.session.get(WIDS_KEY, []))


def end_session_url() -> str:
    """Entra's end-session endpoint (from discovery), bringing the browser back to our signed-out page."""
    from portal.identity.discovery import end_session_endpoint

    target = settings.PORTAL_BASE_URL + reverse("identity:signed_out")
    return f"{end_session_endpoint()}?{urlencode({'post_logout_redirect_uri': target})}"


def _home_account_id(claims: dict[str, Any]) -> str:
    return f"{claims.get('oid', '')}.{claims.get('tid', '')}"


def _check_id_token_claims(claims: dict[str, Any]) -> None:
    # msal ≥ 1.38 checks only the nonce. The token came straight from the token endpoint over TLS,
    # so we skip the signature (OIDC core §3.1.3.7) but insist it is for us, from our tenant, current.
    expected_issuer = f"{settings.ENTRA_AUTHORITY_HOST}/{settings.ENTRA_TENANT_ID}/v2.0"
    problems = []
    if claims.get("aud") != settings.ENTRA_CLIENT_ID:
        problems.append("aud")
    if claims.get("tid") != settings.ENTRA_TENANT_ID:
        problems.append("tid")
    if claims.get("iss") != expected_issuer:
        problems.append("iss")
    if int(claims.get("exp", 0)) < time.time() - 300:
        problems.append("exp")
    if not claims.get("oid"):
        problems.append("oid")
    if problems:
        raise SignInError("invalid_token", ",".join(problems))


def _user_from_claims(claims: dict[str, Any]) -> User:
    user, _ = User.objects.update_or_create(
        username=claims["oid"],
        defaults={
            "upn": claims.get("preferred_username", "")[:255],
            "display_name": claims.get("name", "")[:255],
            "tenant_id": claims.get("tid", ""),
        },
    )
    return user


def _error_from_idp(error: str, description: str) -> SignInError:
    code = description.split(":", 1)[0] if description.startswith("AADSTS") else error
    if error == "access_denied" or code in {"AADSTS65004", "AADSTS50126"}:
        return SignInError("cancelled", code)
    if error == "consent_required" or code == "AADSTS65001":
        return SignInError("consent_required", code)
    return SignInError("identity_provider_error", code)
