"""The one discovery value MSAL doesn't keep for us: the end-session endpoint."""

from __future__ import annotations

import time

from django.conf import settings

from portal.identity.msal_client import authority, http_session

_cached: tuple[float, str] | None = None
_TTL_SECONDS = 24 * 3600


def end_session_endpoint() -> str:
    global _cached
    if _cached and _cached[0] > time.monotonic():
        return _cached[1]
    fallback = f"{authority()}/oauth2/v2.0/logout"
    try:
        response = http_session().get(f"{authority()}/v2.0/.well-known/openid-configuration")
        endpoint = str(response.json().get("end_session_endpoint") or fallback) if response.ok else fallback
    except (OSError, ValueError):
        return fallback
    _cached = (time.monotonic() + _TTL_SECONDS, endpoint)
    return endpoint


def reset() -> None:
    global _cached
    _cached = None


__all__ = ["end_session_endpoint", "reset", "settings"]
