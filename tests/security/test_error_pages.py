"""Error pages in production (DEBUG off): the portal's own plain pages, with a next step and no
detail — no stack trace, exception text, settings, file paths or URL patterns."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.security.crash_urls import DETAIL

pytestmark = pytest.mark.django_db

LEAKS = ("Traceback", "RuntimeError", "SuspiciousOperation", "PermissionDenied", ".py", "canary-detail", "URLconf")


def assert_plain(text: str) -> None:
    found = [leak for leak in LEAKS if leak in text]
    assert not found, found
    assert DETAIL not in text
    assert 'href="/"' in text  # a way on


@override_settings(ROOT_URLCONF="tests.security.crash_urls", DEBUG=False)
def test_500_shows_no_stack_trace() -> None:
    response = Client(raise_request_exception=False).get("/test-crash/")
    text = response.content.decode()
    assert response.status_code == 500
    assert "The portal ran into a problem" in text
    assert_plain(text)


@override_settings(ROOT_URLCONF="tests.security.crash_urls", DEBUG=False)
def test_403_and_400_show_no_detail() -> None:
    client = Client()
    denied = client.get("/test-denied/")
    assert denied.status_code == 403 and "You don't have access to this page" in denied.content.decode()
    assert_plain(denied.content.decode())
    bad = client.get("/test-suspicious/")
    assert bad.status_code == 400 and "could not understand this request" in bad.content.decode()
    assert_plain(bad.content.decode())


def test_unknown_host_is_a_plain_400() -> None:
    response = Client(HTTP_HOST="evil.example").get("/tokens/")
    assert response.status_code == 400
    assert "could not understand this request" in response.content.decode()
    assert "evil.example" not in response.content.decode()
    assert_plain(response.content.decode())


def test_404_lists_no_url_patterns() -> None:
    response = Client().get("/admin/no-such-page/<script>")
    text = response.content.decode()
    assert response.status_code == 404 and "Page not found" in text
    assert "<script>" not in text and "tokens/&lt;uuid" not in text and "admin/users" not in text
    assert_plain(text)
