"""Acting for an administrator after their request has ended (background jobs).

A background job must call Graph with the admin's *own* delegated rights, but it outlives the
request, and an access token lives about an hour. So the job keeps the admin's MSAL token cache
(which holds the refresh token) and asks MSAL for an access token whenever it needs one, exactly as
a request does with the session's cache. MSAL refreshes through the identity provider when the
cached access token is (nearly) expired.

The exported cache is a credential: callers must encrypt it at rest, never log or render it, and
erase it as soon as the job ends. Neither class below shows it in `repr()`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import msal
from django.conf import settings
from django.http import HttpRequest

from portal.identity import msal_client
from portal.identity.errors import IdentityUnavailable, ReauthenticationRequired
from portal.identity.signin import ACCOUNT_KEY, graph_access_token

logger = logging.getLogger("portal.identity")


@dataclass(frozen=True)
class DelegatedCache:
    """An admin's serialized MSAL token cache and the account in it to act as."""

    blob: bytes = field(repr=False)
    home_account_id: str


@dataclass(frozen=True)
class DelegatedToken:
    access_token: str = field(repr=False)
    #: Seconds the access token stays valid (from MSAL; 0 when unknown).
    expires_in: float = 0.0
    #: The cache after MSAL refreshed (new access and refresh tokens), to store in place of the old
    #: one; None when nothing changed.
    updated_blob: bytes | None = field(default=None, repr=False)


class DelegationExpired(Exception):
    """The stored sign-in can no longer produce an access token (refresh token expired or revoked,
    consent withdrawn, account disabled). Only a new sign-in by the admin helps. `reason` is an
    OAuth error code or an exception class name, never a token."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"delegated sign-in expired ({reason})")
        self.reason = reason


def delegated_cache_export(request: HttpRequest) -> DelegatedCache:
    """The signed-in admin's token cache, with a current admin-scoped token in it.

    Asks for the admin token first, so a missing consent or an expired sign-in surfaces now (as
    ReauthenticationRequired, which sends the admin through sign-in) rather than in the worker.
    """
    graph_access_token(request=request, admin=True)
    home_account_id = request.session.get(ACCOUNT_KEY)
    if not home_account_id:
        raise ReauthenticationRequired(admin=True)
    with msal_client.session_application(request.session) as app:
        blob = msal_client.token_cache(app).serialize().encode("utf-8")
    return DelegatedCache(blob=blob, home_account_id=str(home_account_id))


def delegated_access_token(cache_blob: bytes, home_account_id: str, *, force_refresh: bool = False) -> DelegatedToken:
    """An access token with the admin scopes from a stored cache (refreshing it if needed).

    `force_refresh` skips the cached access token (after Graph answered 401 to it). Raises
    DelegationExpired when no token can be had, IdentityUnavailable when the identity provider
    could not be reached (worth retrying later).
    """
    try:
        serialized = cache_blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DelegationExpired("unreadable_cache") from exc
    try:
        with msal_client.application(serialized) as app:
            try:
                account = next((a for a in app.get_accounts() if a.get("home_account_id") == home_account_id), None)
                if account is None:
                    raise DelegationExpired("no_account")
                result = app.acquire_token_silent_with_error(
                    list(settings.ADMIN_SCOPES), account, force_refresh=force_refresh
                )
            except (msal.exceptions.MsalServiceError, OSError) as exc:
                raise IdentityUnavailable(type(exc).__name__) from exc
            cache = msal_client.token_cache(app)
            updated = cache.serialize().encode("utf-8") if cache.has_state_changed else None
    except msal_client.UnreadableTokenCache as exc:
        raise DelegationExpired("unreadable_cache") from exc
    if not result or "access_token" not in result:
        reason = str(result.get("error", "no_token")) if result else "no_token"
        logger.info("delegated token unavailable", extra={"error": reason})
        raise DelegationExpired(reason)
    try:
        expires_in = float(result.get("expires_in") or 0)
    except (TypeError, ValueError):
        expires_in = 0.0
    return DelegatedToken(access_token=str(result["access_token"]), expires_in=expires_in, updated_blob=updated)
