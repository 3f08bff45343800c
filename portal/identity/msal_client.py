"""MSAL, configured once: confidential client, auth-code flow with PKCE, token cache in the session.

One ConfidentialClientApplication per thread, built on first use (and again after the settings or
the transport change), all of them sharing one HTTP session (portal.graph.transport: the sandbox
or Microsoft, chosen by settings) and one `http_cache`, so tenant discovery is fetched once per
process. Building an application costs a few per cent of a page (MSAL re-reads the authority,
builds its OAuth clients and looks for the optional msal_extensions package every time;
bench/pages.py prints it), so it is not done per request.

The token cache is the signed-in person's, so it cannot be shared: MSAL binds the cache object's
methods into the application when it is built, so the object can't be swapped afterwards either.
Each thread's application therefore owns one SerializableTokenCache whose *content* is replaced
on every use (`application()`): it holds exactly the blob given — this person's cache — and is
emptied again when the block ends. A thread serves one request at a time (gunicorn gthread, the
worker), so one person's tokens never meet another's; a nested use in the same thread gets an
application of its own.
The cache is stored sealed in the session (portal.identity.sealing): session rows hold no refresh
token in clear.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import msal
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from portal.graph.transport import OutgoingSession, build_session
from portal.identity.sealing import SealBroken, seal_text, unseal_text

TOKEN_CACHE_SESSION_KEY = "identity.msal_cache"

_lock = threading.Lock()
_http_session: OutgoingSession | None = None
_http_cache: dict[Any, Any] = {}
_generation = 0  # bumped by reset_http_state: every thread then builds its application again


class UnreadableTokenCache(Exception):
    """The serialized cache given to `application()` is not one MSAL wrote."""


class _ThreadApplication(threading.local):
    key: tuple[Any, ...] | None = None
    app: msal.ConfidentialClientApplication | None = None
    busy: bool = False


_thread = _ThreadApplication()
_app_only: msal.ConfidentialClientApplication | None = None

GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"


class AppTokenUnavailable(Exception):
    """Entra gave the app no token of its own (client credentials): `error` is Entra's error code."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


def http_session() -> OutgoingSession:
    global _http_session
    with _lock:
        if _http_session is None:
            _http_session = build_session()
        return _http_session


def reset_http_state() -> None:
    """Forget the shared session, MSAL's HTTP cache and every thread's application (tests that
    change transports call this)."""
    global _http_session, _generation, _app_only
    with _lock:
        _http_session = None
        _app_only = None
        _http_cache.clear()
        _generation += 1


def authority() -> str:
    return f"{settings.ENTRA_AUTHORITY_HOST}/{settings.ENTRA_TENANT_ID}"


def _build(cache: msal.SerializableTokenCache) -> msal.ConfidentialClientApplication:
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


def _key() -> tuple[Any, ...]:
    return (_generation, settings.ENTRA_CLIENT_ID, settings.ENTRA_CLIENT_SECRET, authority())


@contextmanager
def application(serialized_cache: str | None = None) -> Iterator[msal.ConfidentialClientApplication]:
    """This thread's MSAL application, its token cache holding exactly `serialized_cache` (empty
    when None) for the duration of the block. Read the cache back with `token_cache(app)`.

    Raises UnreadableTokenCache when `serialized_cache` is not a cache MSAL wrote.
    """
    if _thread.busy:  # nested in this thread: never hand out an application that is in use
        yield _build(_loaded_cache(serialized_cache))
        return
    key = _key()
    if _thread.app is None or _thread.key != key:
        _thread.app, _thread.key = _build(msal.SerializableTokenCache()), key
    app = _thread.app
    cache = token_cache(app)
    _thread.busy = True
    try:
        _deserialize(cache, serialized_cache)  # replaces the whole content, whatever was there
        yield app
    finally:
        cache.deserialize(None)
        _thread.busy = False


def _loaded_cache(serialized_cache: str | None) -> msal.SerializableTokenCache:
    cache = msal.SerializableTokenCache()
    _deserialize(cache, serialized_cache)
    return cache


def _deserialize(cache: msal.SerializableTokenCache, serialized_cache: str | None) -> None:
    try:
        cache.deserialize(serialized_cache)
    except ValueError as exc:
        raise UnreadableTokenCache(type(exc).__name__) from exc


def token_cache(app: msal.ClientApplication) -> msal.SerializableTokenCache:
    return cast(msal.SerializableTokenCache, app.token_cache)


def _session_blob(session: SessionBase) -> str | None:
    """The person's cache, unsealed. A cache that can't be opened (its key rotated out, or stored in
    clear by an earlier version) counts as empty: the person signs in again."""
    sealed = session.get(TOKEN_CACHE_SESSION_KEY)
    if not sealed:
        return None
    try:
        return unseal_text(str(sealed).encode("ascii"))
    except (SealBroken, UnicodeEncodeError, ValueError):
        return None


@contextmanager
def session_application(session: SessionBase) -> Iterator[msal.ConfidentialClientApplication]:
    """`application()` with the signed-in person's cache from the session; `save_cache` writes
    back what changed, sealed."""
    with application(_session_blob(session)) as app:
        yield app


def save_cache(session: SessionBase, app: msal.ClientApplication) -> None:
    cache = token_cache(app)
    if cache.has_state_changed:
        session[TOKEN_CACHE_SESSION_KEY] = seal_text(cache.serialize()).decode("ascii")


def app_access_token(*, fresh: bool = False) -> str:
    """A Graph access token for the app itself (client-credentials grant, `.default` scope): what
    background work that acts for no signed-in person uses, e.g. sending mail (Mail.Send).

    One application object per process, so MSAL's in-memory cache reuses the token until it expires;
    `fresh` asks Entra for a new one (a check must see a permission granted or revoked just now).
    """
    global _app_only
    app = _build(msal.SerializableTokenCache()) if fresh else _app_only
    if app is None:
        app = _build(msal.SerializableTokenCache())  # outside the lock: _build takes it for the shared session
        with _lock:
            _app_only = app = _app_only or app
    result = app.acquire_token_for_client(scopes=[GRAPH_DEFAULT_SCOPE])
    token = result.get("access_token") if isinstance(result, dict) else None
    if not token:
        error = result if isinstance(result, dict) else {}
        # Entra's error description names the AADSTS code and ids, never the secret.
        raise AppTokenUnavailable(str(error.get("error", "no_token")), str(error.get("error_description", ""))[:300])
    return str(token)


def app_token_roles(token: str) -> list[str]:
    """The application permissions (`roles`) an app-only token carries (read, not verified: Graph verifies)."""
    import jwt

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return []
    roles = claims.get("roles")
    return [str(role) for role in roles] if isinstance(roles, list) else []
