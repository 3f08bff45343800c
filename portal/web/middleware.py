from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from portal.core.http import redirect_after_post
from portal.core.localisation import zone_named
from portal.graph.errors import GraphError, GraphUnavailable
from portal.identity.errors import IdentityUnavailable, ReauthenticationRequired
from portal.identity.models import User
from portal.identity.signin import LAST_SEEN_KEY, SIGNED_IN_AT_KEY, session_expiry_renew
from portal.identity.views import PENDING_CLAIMS_KEY

#: The page whose form a step-up sign-in interrupted (read once by web.context_processors.portal).
STEP_UP_PAGE_KEY = "web.step_up_page"


class SessionLifetimeMiddleware:
    """Idle and absolute session lifetimes, enforced server-side (and kept in the session row's
    expiry, for the purge); `Cache-Control: private, no-store` on every signed-in answer; and the
    way back into sign-in for any view that finds the person's tokens no longer good enough."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            signed_in_at = request.session.get(SIGNED_IN_AT_KEY, now)
            if (
                now - last_seen > settings.SESSION_IDLE_SECONDS
                or now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS
            ):
                logout(request)
                return self._to_sign_in(request, admin=False)
            # Write at most once a minute: saving the session on every request costs a DB write.
            if now - last_seen >= 60 or LAST_SEEN_KEY not in request.session:
                session_expiry_renew(request.session, now=now)
            response = self.get_response(request)
            # A signed-in page is this person's: no shared cache keeps it, no browser stores it.
            patch_cache_control(response, private=True, no_store=True)
            return response
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ReauthenticationRequired):
            if exception.claims_challenge:
                request.session[PENDING_CLAIMS_KEY] = exception.claims_challenge
            return self._to_sign_in(request, admin=exception.admin)
        if isinstance(exception, IdentityUnavailable):
            return render(request, "identity/sign_in_error.html", {"kind": "unavailable"}, status=503)
        if isinstance(exception, GraphUnavailable) or (
            isinstance(exception, GraphError) and (exception.status == 429 or exception.status >= 500)
        ):
            # Safety net for a Graph round trip no service turned into a message (a $batch that
            # timed out, say): a plain page with a next step, never a 500 or a hung worker.
            response = render(request, "core/graph_unavailable.html", status=503)
            if getattr(request, "htmx", False):  # htmx swaps 2xx only: show it in the page body
                response.status_code = 200
                response["HX-Retarget"], response["HX-Reswap"] = "#main", "innerHTML"
            return response
        return None

    @staticmethod
    def _to_sign_in(request: HttpRequest, *, admin: bool) -> HttpResponse:
        # Come back to the page the person was on; after a POST, to the page that showed the form.
        back = request.get_full_path() if request.method == "GET" and not request.htmx else _page_of(request)  # type: ignore[attr-defined]
        if request.method == "POST" and request.user.is_authenticated:
            # A form was sent and not acted on: the page it came from says why when the person is back.
            request.session[STEP_UP_PAGE_KEY] = back
        query = {"next": back, **({"purpose": "admin"} if admin else {})}
        return redirect_after_post(request, f"{reverse('identity:sign_in')}?{urlencode(query)}")


def _page_of(request: HttpRequest) -> str:
    current = getattr(request, "htmx", None) and request.htmx.current_url_abs_path  # type: ignore[attr-defined]
    return str(current or request.path)


class PreferencesMiddleware:
    """The browser's time zone for this request (cookie from static/js/timezone.js; the portal's own
    zone when it is missing or not a time zone), and, for a signed-in person, the language and zone
    they are using now, kept on their user row so that mails to them use the same (notifications)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cookie_zone = request.COOKIES.get(settings.TIME_ZONE_COOKIE_NAME, "")
        zone = zone_named(cookie_zone)
        if zone is None:
            timezone.deactivate()  # the portal's zone, settings.TIME_ZONE
        else:
            timezone.activate(zone)
        user = request.user
        if user.is_authenticated:
            _remember(user, language=translation.get_language() or "", zone=cookie_zone if zone else "")
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _remember(user: Any, *, language: str, zone: str) -> None:
    """One UPDATE when the person's language or zone changed since their last request, else none."""
    changes = {}
    if language and user.language != language:
        changes["language"] = language
    if zone and user.time_zone != zone:
        changes["time_zone"] = zone
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
        for field, value in changes.items():
            setattr(user, field, value)
