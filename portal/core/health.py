"""Liveness and readiness probes for load balancers and orchestrators.

* `/healthz` — liveness: the process answers. No I/O, so a slow database or an Entra outage never
  gets a healthy instance restarted.
* `/readyz` — readiness: this instance can serve people. Every configured database answers a
  `SELECT 1`, and Entra's tenant discovery document can be fetched through the same transport MSAL
  uses (portal.graph.transport.build_session) with a short timeout. The discovery result is kept
  for READINESS_CACHE_SECONDS so that probes from several load balancers don't each cost a round
  trip to Microsoft.

Both are reachable without sign-in and from any address, so their bodies hold status words only:
no versions, host names, tenant ids or exception texts. The reason for a failure goes to the log
(exception class only), where the operator looks anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from portal.graph.transport import build_session

logger = logging.getLogger("portal.health")

OK, UNAVAILABLE = "ok", "unavailable"

_identity_lock = threading.Lock()
_identity_memo: tuple[float, bool] | None = None


def discovery_url() -> str:
    """Tenant discovery (OpenID configuration v2.0), the first thing MSAL fetches at sign-in."""
    return f"{settings.ENTRA_AUTHORITY_HOST}/{settings.ENTRA_TENANT_ID}/v2.0/.well-known/openid-configuration"


def fetch_discovery_document(*, timeout: float) -> dict[str, Any]:
    """The discovery document, or requests.RequestException / ValueError saying why not."""
    with build_session(timeout=timeout) as session:
        response = session.get(discovery_url())
        response.raise_for_status()
        document = response.json()
    if not isinstance(document, dict) or not {"authorization_endpoint", "token_endpoint"} <= document.keys():
        raise ValueError("not an OpenID configuration document")
    return document


def databases_ready() -> bool:
    for alias in settings.DATABASES:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:  # every driver fails differently; any failure means "not ready"
            # A broken connection is marked unusable and closed at the end of the request by Django,
            # so the next probe reconnects.
            logger.warning("readiness: database unavailable", extra={"database": alias, "error": type(exc).__name__})
            return False
    return True


def identity_ready() -> bool:
    global _identity_memo
    # One probe at a time fetches; the others wait for (and reuse) its answer.
    with _identity_lock:
        now = time.monotonic()
        if _identity_memo is not None and _identity_memo[0] > now:
            return _identity_memo[1]
        try:
            fetch_discovery_document(timeout=settings.READINESS_TIMEOUT_SECONDS)
            ready = True
        except Exception as exc:  # whatever the transport raises, a probe answers 503, never 500
            logger.warning("readiness: Entra discovery unavailable", extra={"error": type(exc).__name__})
            ready = False
        _identity_memo = (time.monotonic() + settings.READINESS_CACHE_SECONDS, ready)
        return ready


def reset_readiness_cache() -> None:
    global _identity_memo
    with _identity_lock:
        _identity_memo = None


def _probe_response(body: dict[str, Any], status: int) -> HttpResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _only_get(request: HttpRequest) -> HttpResponse | None:
    if request.method in {"GET", "HEAD"}:
        return None
    response = _probe_response({"status": "method not allowed"}, 405)
    response["Allow"] = "GET, HEAD"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return _only_get(request) or _probe_response({"status": OK}, 200)


def readyz(request: HttpRequest) -> HttpResponse:
    if refused := _only_get(request):
        return refused
    checks = {
        "database": OK if databases_ready() else UNAVAILABLE,
        "identity": OK if identity_ready() else UNAVAILABLE,
    }
    ready = all(value == OK for value in checks.values())
    return _probe_response({"status": OK if ready else UNAVAILABLE, "checks": checks}, 200 if ready else 503)


# Served by portal.core.middleware.ProbeMiddleware (before host validation) and by portal.core.urls.
PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}
