"""Log plumbing: a request id on every line, JSON lines for production, no query strings anywhere.

Query strings are the one place where secrets reach log lines without anybody passing them: the
sign-in callback carries the authorization code in its query, and Django's dev server, gunicorn's
error log and Django's own `django.request` records all print the full request URI. RedactFilter
(on every handler, see settings.LOGGING and deploy/gunicorn.conf.py) cuts them off.
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.config
import re
import warnings
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# "/path?anything" up to the next whitespace or quote: the query part of a URI inside a message.
_QUERY_IN_TEXT = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def redact_query_strings(text: str) -> str:
    """`GET /auth/callback?code=… HTTP/1.1` → `GET /auth/callback HTTP/1.1`."""
    return _QUERY_IN_TEXT.sub(r"\1", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # An explicit `extra={"request_id": …}` wins: the request line is written after the
        # middleware has left the request's context.
        if getattr(record, "request_id", None) in (None, "-"):
            record.request_id = request_id_var.get()
        return True


class RedactFilter(logging.Filter):
    """Strips query strings from the formatted message (and drops them from its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call; let the handler report it as usual
            return True
        if "?" in message:
            record.msg, record.args = redact_query_strings(message), ()
        return True


def _describe(value: Any) -> Any:
    """What a non-primitive `extra` value becomes in a JSON line."""
    if isinstance(value, HttpRequest):
        # Django's `django.request`/`django.security` records carry the request; its repr holds the
        # full URL with the query string, so only the method and the path are kept.
        return {"method": value.method, "path": value.path}
    return None if not isinstance(value, str | int | float | bool | list | dict | tuple) else value


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Only the message and explicit `extra` fields: callers never pass secrets."""

    _standard = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": redact_query_strings(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key in self._standard:
                continue
            described = _describe(value)
            # Sockets, handler objects and the like (the dev server attaches its socket) say
            # nothing useful and their reprs carry addresses: left out.
            if described is not None:
                payload[key] = described
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def handlers_config(log_format: str) -> dict[str, Any]:
    """The filters, formatters and the one stderr handler shared by the portal (settings.LOGGING)
    and gunicorn (deploy/gunicorn.conf.py), so both write lines of the same shape."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "portal.core.logging.RequestIdFilter"},
            "redact": {"()": "portal.core.logging.RedactFilter"},
        },
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "portal.core.logging.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format if log_format in {"text", "json"} else "text",
                # No query strings in any line: the sign-in callback's carries the authorization code.
                "filters": ["request_id", "redact"],
            },
        },
    }


def configure(config: dict[str, Any]) -> None:
    """settings.LOGGING_CONFIG: Django's dictConfig, plus Python warnings routed into the same
    handlers (as `py.warnings` records), so production stderr holds JSON lines only."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    # MSAL warns on every sign-in that form_post is recommended; the portal uses the query response
    # mode on purpose (form_post loses the SameSite=Lax session cookie: entra-sign-in.md §3).
    warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended", category=UserWarning)
