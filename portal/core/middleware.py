from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from portal.core.health import PROBES
from portal.core.http import client_ip
from portal.core.logging import request_id_var

logger = logging.getLogger("portal.request")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Probed every few seconds by every load balancer: a healthy answer is not worth a log line.
_QUIET_WHEN_OK = frozenset({"/healthz", "/readyz"})


class RequestIdMiddleware:
    """Gives every request an id (or keeps a sane one from the load balancer), logs one line per
    request, and adds the headers Django has no setting for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Set, not reset afterwards: Django logs "Not Found" / "Internal Server Error" after the
        # middleware chain has returned, and gunicorn logs a crashed request in the same thread;
        # those lines should carry this request's id too. The next request sets its own.
        request_id_var.set(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        quiet = request.path in _QUIET_WHEN_OK and response.status_code < 400
        # Path only: query strings can carry authorization codes (the sign-in callback).
        logger.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "client_ip": client_ip(request),
            },
        )
        return response


class ProbeMiddleware:
    """Answers /healthz and /readyz before host validation, sessions and sign-in.

    Load balancers and orchestrators probe an instance by its own address (an IP that is not in
    ALLOWED_HOSTS), so routing the probes through CommonMiddleware would answer 400 DisallowedHost.
    The probe answers never use the Host header. Placed right after RequestIdMiddleware so that a
    failing probe still gets a request id and a log line.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        return probe(request) if probe is not None else self.get_response(request)
