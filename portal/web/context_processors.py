from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from portal.web.access import admin_area
from portal.web.middleware import STEP_UP_PAGE_KEY


def portal(request: HttpRequest) -> dict[str, Any]:
    authenticated = getattr(request, "user", None) is not None and request.user.is_authenticated
    return {
        "sandbox_enabled": settings.SANDBOX_ENABLED,
        "time_zone_cookie": settings.TIME_ZONE_COOKIE_NAME,
        "can_open_admin_area": authenticated and admin_area.allows(request),
        "stepped_up": authenticated and _back_from_step_up(request),
        # The route to a person (portal settings PORTAL_HELPDESK_CONTACT, PORTAL_HELPDESK_URL).
        "helpdesk": {"text": settings.HELPDESK_CONTACT, "url": settings.HELPDESK_URL},
    }


def _back_from_step_up(request: HttpRequest) -> bool:
    """True once, on the page whose form was interrupted by a sign-in (web.middleware): it explains
    why the form is back and what was not kept."""
    page = request.session.get(STEP_UP_PAGE_KEY)
    if page is None or page.split("?")[0] != request.path:
        return False
    del request.session[STEP_UP_PAGE_KEY]
    return True
