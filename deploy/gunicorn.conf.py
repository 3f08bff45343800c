"""gunicorn settings for the portal: `gunicorn --config deploy/gunicorn.conf.py` (see deploy/Procfile).

Everything comes from the environment, with the same variable names and defaults the portal's own
settings use (tests/ops/test_gunicorn_config.py keeps the two in step). This file is read by the
gunicorn master before Django is loaded, so it doesn't import the portal's settings (only the
settings-free logging helpers, so gunicorn's lines have the portal's shape).
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, wherever gunicorn starts

from portal.core.logging import handlers_config


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def worst_case_graph_call_seconds() -> float:
    """How long one Graph call may take with every retry (portal.graph.retry, page policy): each attempt up to
    GRAPH_TIMEOUT_SECONDS, and up to GRAPH_MAX_RETRIES waits of at most GRAPH_MAX_RETRY_WAIT_SECONDS."""
    timeout = _env_float("GRAPH_TIMEOUT_SECONDS", 10.0)
    retries = _env_int("GRAPH_MAX_RETRIES", 3)
    wait = _env_float("GRAPH_MAX_RETRY_WAIT_SECONDS", 8.0)
    return timeout * (retries + 1) + wait * retries


wsgi_app = "portal.wsgi:application"
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{_env_int('PORT', 8000)}"]  # noqa: S104 (a container's port)

# Processes times threads. The portal mostly waits on Graph, so threads are cheap concurrency; each
# thread holds its own database connection (DATABASE_CONN_MAX_AGE), so workers x threads x instances
# must stay below the database's connection limit.
workers = _env_int("WEB_CONCURRENCY", 2)
threads = _env_int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# A request must be allowed to outlive its slowest Graph call with all its retries, plus margin for
# a second call and rendering; otherwise gunicorn kills a worker that is only waiting patiently.
timeout = _env_int("GUNICORN_TIMEOUT", math.ceil(worst_case_graph_call_seconds()) + 30)
graceful_timeout = timeout
# Longer than the load balancer's idle timeout (60 s on most), so the balancer closes idle
# connections first and never sends a request down one gunicorn is closing.
keepalive = _env_int("GUNICORN_KEEPALIVE", 75)

# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# gunicorn's access log would print full request URIs, query strings included (the sign-in callback
# carries the authorization code). The portal writes one line per request itself, with a request
# id and the path only (portal.core.middleware), so gunicorn's own access log stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info").lower()
# gunicorn's own lines in the same shape as the portal's (JSON when PORTAL_LOG_FORMAT=json), with
# query strings cut from "Error handling request /path?..." lines.
logconfig_dict = {
    **handlers_config(os.environ.get("PORTAL_LOG_FORMAT", "text").strip()),
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}

# Only these addresses may tell gunicorn the original scheme (X-Forwarded-Proto): the load balancer.
# Django itself decides "is this https" from SECURE_PROXY_SSL_HEADER (portal/settings.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Heartbeat files in memory, not on a container's overlay filesystem (which can stall the heartbeat).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# gunicorn ≥ 25.1 opens a control socket in $HOME by default; two instances on one host would fight
# over it, and the process manager (systemd, the container runtime) is the control interface here.
control_socket_disable = True
