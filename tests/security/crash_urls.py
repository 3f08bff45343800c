"""The project's URLs plus three views that fail on purpose (for test_error_pages only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

DETAIL = "canary-detail-7f3a: token 60200104 secret JBSWY3DP"


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(DETAIL)


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(DETAIL)


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(DETAIL)


urlpatterns = [
    *portal_urlpatterns,
    path("test-crash/", crash),
    path("test-denied/", denied),
    path("test-suspicious/", suspicious),
]
