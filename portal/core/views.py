"""Pages that belong to no area: the CSRF failure page (settings.CSRF_FAILURE_VIEW: plain words and a
next step, in the portal's own layout, instead of Django's technical page), the server error page
(handler500) and /favicon.ico."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.http import require_GET

logger = logging.getLogger("portal.request")

#: The last resort, should even the plain 500 page fail to render: no template, no translation.
_BARE_SERVER_ERROR = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Token portal</title>'
    "<h1>The portal ran into a problem</h1><p>Your request could not be completed. Try again in a minute; "
    'if it happens again, contact your IT helpdesk.</p><p><a href="/">Go to the start page</a></p></html>'
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # `reason` ("CSRF token missing." …) is already logged by django.security.csrf; never shown.
    response = render(request, "core/csrf_failure.html", status=403)
    if request.headers.get("HX-Request") == "true":
        # htmx doesn't swap a 403: reload the page, which brings a fresh token with it.
        response["HX-Refresh"] = "true"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the server error page in the language the request asks for (its language cookie,
    else the browser's Accept-Language), whatever failed and wherever: a failure before
    LocaleMiddleware (the session store, say) left some other request's language active.

    It must not fail itself: a plain template rendered without the request (no context processors,
    no session, no database), and a bare page should even that raise."""
    try:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            body: str = loader.render_to_string("500.html")
    except Exception:
        logger.exception("The server error page could not be rendered")
        body = _BARE_SERVER_ERROR
    return HttpResponseServerError(body)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon every page links to; browsers and bookmark tools also ask for /favicon.ico itself."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
