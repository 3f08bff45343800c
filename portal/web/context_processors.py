from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from portal.web.access import admin_area


def portal(request: HttpRequest) -> dict[str, Any]:
    authenticated = getattr(request, "user", None) is not None and request.user.is_authenticated
    return {
        "sandbox_enabled": settings.SANDBOX_ENABLED,
        "can_open_admin_area": authenticated and admin_area.allows(request),
    }
