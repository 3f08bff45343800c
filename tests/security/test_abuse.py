"""Abuse: forged sign-in callbacks are cheap and logged; oversized bodies are refused unread.

The code-entry limit under parallel requests: test_code_attempt_race.py.
"""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from portal.sandbox.models import RequestLogEntry
from tests.security.logsink import rendered_log_lines
from tests.support.signin import sign_in

pytestmark = pytest.mark.django_db


def test_forged_callbacks_cost_no_http_call_no_session_and_are_logged(
    demo_tenant: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with_flow = Client()
    with_flow.get("/auth/sign-in?next=/tokens/")  # a pending flow, as a real visitor would have
    sessions = Session.objects.count()
    requests_before = RequestLogEntry.objects.count()  # Entra (login) and Graph alike
    attackers = [Client() for _ in range(10)]
    for n, client in enumerate([*attackers, with_flow, with_flow]):
        response = client.get("/auth/callback", {"code": f"stolen-{n}", "state": f"forged-{n}"})
        assert response.status_code == 400
        assert "Sign in again" in response.content.decode()
    assert RequestLogEntry.objects.count() == requests_before  # no token request, no discovery
    assert Session.objects.count() == sessions  # nothing stored for callers without a flow
    assert not any("sessionid" in c or settings.SESSION_COOKIE_NAME in c for a in attackers for c in a.cookies)
    rejected = [r for r in caplog.records if r.getMessage() == "sign-in callback rejected"]
    assert len(rejected) == 12
    assert {getattr(r, "reason", None) for r in rejected} == {"state_mismatch"}
    assert all(r.levelno == logging.WARNING for r in rejected)
    logged = "\n".join(rendered_log_lines(caplog.records))
    assert "/auth/callback" in logged
    assert "stolen-" not in logged  # the code in the query string never reaches a log line


def test_the_real_flow_still_completes_after_forged_callbacks(employee_client: Client) -> None:
    """Control: the cheap refusal did not break the flow of the person who started it."""
    employee_client.get("/auth/callback", {"code": "x", "state": "forged"})
    assert employee_client.get("/tokens/").status_code == 200


class CountingStream(io.RawIOBase):
    """A request body that counts what the server reads of it (and has more than it should read)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"a" * n
        self.read_bytes += n
        return n


def test_an_oversized_form_is_refused_before_its_body_is_read(employee_client: Client) -> None:
    size = 50 * 1024 * 1024
    assert size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = CountingStream(size)
    response = employee_client.generic(
        "POST",
        "/tokens/add",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(size), "CONTENT_TYPE": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "could not understand this request" in response.content.decode()
    assert body.read_bytes == 0


def test_an_oversized_multipart_form_is_refused(employee_client: Client) -> None:
    """Multipart fields count too (DATA_UPLOAD_MAX_MEMORY_SIZE covers everything but files)."""
    big = "1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = employee_client.post("/tokens/add", {"serial_number": big, "code": "123456"})
    assert response.status_code == 400
    assert "could not understand this request" in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/imports/new", "/admin/imports/assignments/new"])
def test_an_oversized_upload_is_refused_before_its_body_is_read(demo_tenant: None, url: str) -> None:
    """The import uploads accept files (which DATA_UPLOAD_MAX_MEMORY_SIZE does not cover): their own
    limit is checked on Content-Length, before the CSRF check or anything else reads the body."""
    miriam = Client()  # Global Administrator: may use both upload pages
    sign_in(miriam, "miriam.graham@contoso-sandbox.example", admin=True)
    size = settings.IMPORT_MAX_UPLOAD_BYTES * 5
    body = CountingStream(size)
    response = miriam.generic(
        "POST",
        url,
        **{"wsgi.input": body, "CONTENT_LENGTH": str(size), "CONTENT_TYPE": "multipart/form-data; boundary=xyz"},
    )
    assert response.status_code == 413
    assert "so it was not read" in response.content.decode()
    assert body.read_bytes == 0
    # And for someone who may not upload at all, nothing is read either (refused by role first).
    adele = Client()
    sign_in(adele, "adele.vance@contoso-sandbox.example")
    body = CountingStream(size)
    refused = adele.generic(
        "POST",
        url,
        **{"wsgi.input": body, "CONTENT_LENGTH": str(size), "CONTENT_TYPE": "multipart/form-data; boundary=xyz"},
    )
    assert refused.status_code == 403 and body.read_bytes == 0
