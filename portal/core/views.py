"""Pages that belong to no area: the CSRF failure page (settings.CSRF_FAILURE_VIEW: plain words and a
next step, in the portal's own layout, instead of Django's technical page) and /favicon.ico."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # `reason` ("CSRF token missing." …) is already logged by django.security.csrf; never shown.
    response = render(request, "core/csrf_failure.html", status=403)
    if request.headers.get("HX-Request") == "true":
        # htmx doesn't swap a 403: reload the page, which brings a fresh token with it.
        response["HX-Refresh"] = "true"
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon every page links to; browsers and bookmark tools also ask for /favicon.ico itself."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
