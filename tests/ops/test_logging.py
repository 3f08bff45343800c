"""Structured logs: one JSON line per request, with its request id, and never a query string."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from portal.core.logging import JsonFormatter, RedactFilter, RequestIdFilter, redact_query_strings


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger's output through the production handler pipeline (settings.LOGGING, json)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def parsed(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_one_json_line_per_request_with_its_id_and_no_query_string(json_lines: io.StringIO) -> None:
    response = Client().get("/auth/callback?code=0.AUTHCODE-SECRET&state=STATE-VALUE&session_state=x")
    lines = parsed(json_lines)
    request_lines = [line for line in lines if line["logger"] == "portal.request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/auth/callback", response.status_code)
    assert isinstance(line["duration_ms"], float)
    output = json_lines.getvalue()
    assert "AUTHCODE-SECRET" not in output and "STATE-VALUE" not in output and "code=" not in output


@pytest.mark.django_db
def test_the_load_balancers_request_id_is_kept_and_djangos_own_lines_carry_it(json_lines: io.StringIO) -> None:
    response = Client().get("/no-such-page?token=SECRET-IN-QUERY", HTTP_X_REQUEST_ID="lb-trace-0123456789")
    assert response["X-Request-ID"] == "lb-trace-0123456789"
    lines = parsed(json_lines)
    not_found = next(line for line in lines if line["logger"] == "django.request")
    # Django attaches the request object; its repr would carry the full URL.
    assert not_found["request"] == {"method": "GET", "path": "/no-such-page"}
    assert not_found["request_id"] == "lb-trace-0123456789"
    assert all(line["request_id"] == "lb-trace-0123456789" for line in lines)
    assert "SECRET-IN-QUERY" not in json_lines.getvalue()


@pytest.mark.django_db
def test_a_forged_request_id_is_replaced() -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID='bad"id\nwith newline')
    assert response["X-Request-ID"] != 'bad"id\nwith newline'
    assert len(response["X-Request-ID"]) == 32


def test_request_lines_of_servers_lose_their_query_strings(json_lines: io.StringIO) -> None:
    # The dev server and gunicorn log the raw request line / URI themselves.
    logging.getLogger("django.server").warning('"%s" %s %s', "GET /auth/callback?code=abc123 HTTP/1.1", 400, 17)
    logging.getLogger("gunicorn.error").error("Error handling request %s", "/tokens/add?x=1&code=999999")
    messages = [line["message"] for line in parsed(json_lines)]
    assert messages == ['"GET /auth/callback HTTP/1.1" 400 17', "Error handling request /tokens/add"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /a/b?c=d HTTP/1.1", "GET /a/b HTTP/1.1"),
        ("https://portal.example/auth/callback?code=x&state=y done", "https://portal.example/auth/callback done"),
        ("'/x?y=z'", "'/x'"),
        ("no query here?", "no query here?"),
    ],
)
def test_redact_query_strings(text: str, expected: str) -> None:
    assert redact_query_strings(text) == expected
