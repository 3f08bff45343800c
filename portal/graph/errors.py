"""Typed errors for everything that can go wrong between the portal and Microsoft Graph.

Errors flow one way: this module turns an HTTP answer (or a transport failure) into a `GraphError`
subclass; services give it domain meaning; views show a plain-language message. Nothing here is
meant for a person to read: `message` is Graph's developer text and `str(error)` is for logs.

What an error never holds: the access token, request headers or the request body (a verification
code or a token secret travels in the body). `__str__` additionally scrubs anything in Graph's
message that looks like a JWT or a one-time code, in case a server ever echoes one back.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from portal.graph.transport import RefusedURL


class GraphError(Exception):
    """A failed Graph call. `status` is the HTTP status (0 when no answer arrived)."""

    default_status: int = 0

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str = "",
        inner_code: str | None = None,
        request_id: str | None = None,
        client_request_id: str | None = None,
        retry_after: float | None = None,
        claims_challenge: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status: int = self.default_status if status is None else status
        #: Graph's `error.code` ("" when the answer carried no Graph error envelope).
        self.code: str = code
        #: The most specific (innermost) `innerError.code`, when Graph sent one.
        self.inner_code: str | None = inner_code
        #: Developer text from Graph or from us. Never show it to a person; never branch on it.
        self.message: str = message
        self.request_id: str | None = request_id
        self.client_request_id: str | None = client_request_id
        #: Seconds Graph asked us to wait (Retry-After), so the UI can say when to try again.
        self.retry_after: float | None = retry_after
        #: Decoded claims challenge (JSON text) for MSAL's `claims_challenge=`; only on 401 step-up.
        self.claims_challenge: str | None = claims_challenge

    def __str__(self) -> str:
        parts = [f"Graph {self.status or 'transport'} error"]
        if self.code:
            parts.append(self.code)
        if self.inner_code and self.inner_code != self.code:
            parts.append(f"({self.inner_code})")
        text = " ".join(parts)
        if self.message:
            text += ": " + _scrub(self.message)
        if self.request_id:
            text += f" [request-id {self.request_id}]"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, request_id={self.request_id!r})"

    # -- constructors ---------------------------------------------------------------------------

    @classmethod
    def from_response(cls, response: requests.Response) -> GraphError:
        """The error for a non-success answer; tolerates HTML, empty and oddly shaped bodies."""
        return cls.from_parts(response.status_code, response.headers, _json_or_none(response))

    @classmethod
    def from_parts(cls, status: int, headers: Mapping[str, str] | None, body: Any) -> GraphError:
        """The error for a status, headers and an already-decoded body (also used for $batch members,
        whose answers arrive as JSON values rather than `requests.Response` objects)."""
        headers = _lower_keys(headers)
        code, inner_code, message, inner = _parse_envelope(body)
        if not message:
            message = _describe_body(status, body)
        error_class = error_class_for_status(status)
        return error_class(
            message,
            status=status,
            code=code,
            inner_code=inner_code,
            request_id=_str_or_none(inner.get("request-id")) or headers.get("request-id"),
            client_request_id=_str_or_none(inner.get("client-request-id")) or headers.get("client-request-id"),
            retry_after=parse_retry_after(headers.get("retry-after")),
            claims_challenge=parse_claims_challenge(headers.get("www-authenticate")),
        )


class GraphBadRequest(GraphError):
    default_status = 400


class GraphUnauthorized(GraphError):
    """The token is missing, expired or lacks claims. `claims_challenge` set → re-authenticate with it."""

    default_status = 401


class GraphForbidden(GraphError):
    """Signed in, but the scopes or directory roles don't allow this."""

    default_status = 403


class GraphNotFound(GraphError):
    default_status = 404


class GraphConflict(GraphError):
    default_status = 409


class GraphFailedDependency(GraphError):
    """A $batch member that was not run because a request it depends on failed."""

    default_status = 424


class GraphThrottled(GraphError):
    default_status = 429


class GraphServerError(GraphError):
    """Any 5xx (503/504 included) after the retries the client was allowed to make."""

    default_status = 500


class GraphBadResponse(GraphError):
    """Graph answered (status = its HTTP status) but not in a shape we can read."""

    default_status = 200


def bad_response(status: int, what: str, *, request_id: str | None = None) -> GraphBadResponse:
    """The error for an answer we cannot read; `what` names the field, never its value (values can
    be personal data)."""
    return GraphBadResponse(
        f"Unexpected Graph answer: {what}.", status=status, code="badResponse", request_id=request_id
    )


class GraphUnavailable(GraphError):
    """No answer: timeout, connection failure, or a URL this installation refuses (status 0).

    Always raised `from` the requests exception, so the cause stays in tracebacks and logs.
    """

    default_status = 0

    @classmethod
    def from_exception(cls, exc: requests.RequestException) -> GraphUnavailable:
        # Host only: a full URL can carry query options the log should not keep.
        request = getattr(exc, "request", None)
        host = urlsplit(getattr(request, "url", None) or "").hostname or "Graph"
        if isinstance(exc, requests.Timeout):
            code, what = "timeout", f"Timed out waiting for {host}"
        elif isinstance(exc, RefusedURL):
            code, what = "refusedUrl", f"No transport is configured for {host}"
        else:
            code, what = "connectionError", f"Could not connect to {host}"
        return cls(f"{what} ({type(exc).__name__}).", code=code)


class GraphForeignURL(GraphError, ValueError):
    """A URL outside the configured Graph base URL (e.g. a tampered or foreign `@odata.nextLink`).

    Refused before anything is sent, so the access token never leaves for another host.
    """

    default_status = 0


_BY_STATUS: dict[int, type[GraphError]] = {
    400: GraphBadRequest,
    401: GraphUnauthorized,
    403: GraphForbidden,
    404: GraphNotFound,
    409: GraphConflict,
    424: GraphFailedDependency,
    429: GraphThrottled,
}


def error_class_for_status(status: int) -> type[GraphError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if 500 <= status <= 599:
        return GraphServerError
    return GraphError


# -- header parsing ---------------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait: Graph sends (possibly fractional) seconds; HTTP also allows a date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


_AUTH_PARAM = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*"([^"]*)"')


def parse_claims_challenge(www_authenticate: str | None) -> str | None:
    """The decoded claims JSON from `WWW-Authenticate: Bearer ..., error="insufficient_claims",
    claims="<base64>"` — the string MSAL's `claims_challenge=` expects — or None."""
    if not www_authenticate:
        return None
    params = {name.lower(): value for name, value in _AUTH_PARAM.findall(www_authenticate)}
    if params.get("error") != "insufficient_claims" or not params.get("claims"):
        return None
    encoded = params["claims"].strip()
    if encoded.startswith("{"):  # already plain JSON (some proxies and samples send it that way)
        decoded = encoded
    else:
        padded = encoded + "=" * (-len(encoded) % 4)
        try:
            decoded = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_")).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
    try:
        if not isinstance(json.loads(decoded), dict):
            return None
    except ValueError:
        return None
    return decoded


# -- body parsing -----------------------------------------------------------------------------------


def _json_or_none(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return _NotJSON(response.headers.get("Content-Type", ""))


class _NotJSON:
    """Marker for a body that was present but not JSON (an HTML error page from a gateway, say)."""

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type.split(";")[0].strip() or "unknown type"


def _parse_envelope(body: Any) -> tuple[str, str | None, str, dict[str, Any]]:
    """(code, innermost inner code, message, innerError dict) from a Graph error envelope.

    Also accepts the OAuth shape `{"error": "code", "error_description": "..."}` and ignores
    anything else rather than failing: an error while reporting an error helps nobody.
    """
    if not isinstance(body, dict):
        return "", None, "", {}
    error = body.get("error")
    if isinstance(error, str):
        return error, None, _str_or_none(body.get("error_description")) or "", {}
    if not isinstance(error, dict):
        return "", None, "", {}
    code = _str_or_none(error.get("code")) or ""
    message = _str_or_none(error.get("message")) or ""
    inner = _inner(error)
    inner_code = None
    # innerError may nest further innerErrors with ever more specific codes: keep the deepest one.
    # Throttling answers put the HTTP status ("429") there, which says nothing new: skip numbers.
    node: Any = inner
    for _ in range(10):
        if not isinstance(node, dict):
            break
        candidate = _str_or_none(node.get("code"))
        if candidate and not candidate.isdigit():
            inner_code = candidate
        node = _inner(node) or None
    return code, inner_code, message, inner


def _inner(node: dict[str, Any]) -> dict[str, Any]:
    inner = node.get("innerError", node.get("innererror"))
    return inner if isinstance(inner, dict) else {}


def _describe_body(status: int, body: Any) -> str:
    # Say what arrived without repeating it: an unknown body may contain anything.
    if body is None:
        return f"HTTP {status} with an empty body."
    if isinstance(body, _NotJSON):
        return f"HTTP {status} with a non-JSON body ({body.content_type})."
    return f"HTTP {status} without a Graph error envelope ({type(body).__name__} body)."


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _lower_keys(headers: Mapping[str, Any] | None) -> dict[str, str]:
    if not headers:
        return {}
    return {str(key).lower(): str(value) for key, value in headers.items() if value is not None}


_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_CODE = re.compile(r"(?<![\w-])\d{6,8}(?![\w-])")


def _scrub(text: str) -> str:
    text = _JWT.sub("[token]", text[:500])
    return _CODE.sub("[digits]", text)
