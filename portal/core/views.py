"""The CSRF failure page (settings.CSRF_FAILURE_VIEW): plain words and a next step, in the portal's
own layout, instead of Django's technical page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # `reason` ("CSRF token missing." …) is already logged by django.security.csrf; never shown.
    response = render(request, "core/csrf_failure.html", status=403)
    if request.headers.get("HX-Request") == "true":
        # htmx doesn't swap a 403: reload the page, which brings a fresh token with it.
        response["HX-Refresh"] = "true"
    return response
