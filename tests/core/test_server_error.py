"""The server error page speaks the language the request asks for, wherever the failure happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.failing_urls")]


class FailsBeforeLocale:
    """A middleware failing before LocaleMiddleware has run (a session store that is down, say)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise RuntimeError("the session store is down")


def server_error_page(path: str, **headers: Any) -> str:
    # Another request's language is still active in this thread, as on a busy server.
    with translation.override("fr"):
        response = Client(raise_request_exception=False).get(path, **headers)
    assert response.status_code == 500
    return response.content.decode()


def test_the_server_error_page_is_in_the_browsers_language() -> None:
    page = server_error_page("/fails", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert '<html lang="de">' in page
    assert "Im Portal ist ein Problem aufgetreten" in page


def test_the_server_error_page_follows_the_language_switch(settings: Any) -> None:
    page = server_error_page("/fails", HTTP_COOKIE=f"{settings.LANGUAGE_COOKIE_NAME}=es", HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="es">' in page


def test_a_failure_before_the_language_is_chosen_still_gets_the_requests_language(settings: Any) -> None:
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")],
        f"{__name__}.FailsBeforeLocale",
    ]
    page = server_error_page("/", HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="de">' in page
    assert "Im Portal ist ein Problem aufgetreten" in page
    assert "Something broke" not in page and "Traceback" not in page
