from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from portal.identity.roles import can_open_admin_area
from portal.identity.signin import session_roles


def portal(request: HttpRequest) -> dict[str, Any]:
    authenticated = getattr(request, "user", None) is not None and request.user.is_authenticated
    return {
        "sandbox_enabled": settings.SANDBOX_ENABLED,
        "can_open_admin_area": authenticated and can_open_admin_area(session_roles(request)),
    }
