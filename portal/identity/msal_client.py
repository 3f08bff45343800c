"""MSAL, configured once: confidential client, auth-code flow with PKCE, token cache in the session.

One ConfidentialClientApplication per request (its token cache is the signed-in person's, sealed
in the session), all of
them sharing one HTTP session (portal.graph.transport: the sandbox or Microsoft, chosen by
settings) and one `http_cache`, so tenant discovery is fetched once per process.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import msal
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from portal.graph.transport import OutgoingSession, build_session
from portal.identity.sealing import SealBroken, seal_text, unseal_text

TOKEN_CACHE_SESSION_KEY = "identity.msal_cache"

_lock = threading.Lock()
_http_session: OutgoingSession | None = None
_http_cache: dict[Any, Any] = {}


def http_session() -> OutgoingSession:
    global _http_session
    with _lock:
        if _http_session is None:
            _http_session = build_session()
        return _http_session


def reset_http_state() -> None:
    """Forget the shared session and MSAL's HTTP cache (tests that change transports call this)."""
    global _http_session
    with _lock:
        _http_session = None
        _http_cache.clear()


def authority() -> str:
    return f"{settings.ENTRA_AUTHORITY_HOST}/{settings.ENTRA_TENANT_ID}"


def load_cache(session: SessionBase) -> msal.SerializableTokenCache:
    """The person's token cache, unsealed. A cache that can't be opened (its key rotated out, or
    stored in clear by an earlier version) counts as empty: the person signs in again."""
    cache = msal.SerializableTokenCache()
    sealed = session.get(TOKEN_CACHE_SESSION_KEY)
    if sealed:
        with contextlib.suppress(SealBroken, UnicodeEncodeError, ValueError):
            cache.deserialize(unseal_text(str(sealed).encode("ascii")))
    return cache


def save_cache(session: SessionBase, cache: msal.SerializableTokenCache) -> None:
    """Store the cache sealed (portal.identity.sealing): session rows hold no refresh token in clear."""
    if cache.has_state_changed:
        session[TOKEN_CACHE_SESSION_KEY] = seal_text(cache.serialize()).decode("ascii")


def build_app(cache: msal.SerializableTokenCache | None = None) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        settings.ENTRA_CLIENT_ID,
        client_credential=settings.ENTRA_CLIENT_SECRET,
        authority=authority(),
        token_cache=cache,
        http_client=http_session(),
        http_cache=_http_cache,
        # Instance discovery asks a Microsoft endpoint about the authority host; it's pointless for a
        # single workforce tenant and impossible offline.
        instance_discovery=False,
    )
