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


def http_session() -> OutgoingSession:
    global _http_session
    with _lock:
        if _http_session is None:
            _http_session = build_session()
        return _http_session


def reset_http_state() -> None:
    """Forget the shared session, MSAL's HTTP cache and every thread's application (tests that
    change transports call this)."""
    global _http_session, _generation
    with _lock:
        _http_session = None
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
