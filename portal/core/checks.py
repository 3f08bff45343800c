"""Start-up checks: a misconfigured portal refuses to start and says what to fix."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def check_tenant_configuration(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if settings.SANDBOX_CONFLICT:
        errors.append(
            Error(
                "A real Entra tenant is configured (ENTRA_TENANT_ID / ENTRA_CLIENT_ID / ENTRA_CLIENT_SECRET) "
                "and PORTAL_SANDBOX is on.",
                hint="Unset PORTAL_SANDBOX to use the real tenant, or unset the ENTRA_* variables to use the sandbox.",
                id="portal.E001",
            )
        )
    if not settings.SANDBOX_ENABLED:
        missing = [
            name
            for name in ("ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_CLIENT_SECRET")
            if not getattr(settings, name)
        ]
        if missing:
            errors.append(
                Error(
                    f"Incomplete Entra configuration: {', '.join(missing)} not set.",
                    hint="Set all three (see README, 'Connect your tenant').",
                    id="portal.E002",
                )
            )
        if settings.SECRET_KEY_MISSING:
            errors.append(
                Error(
                    "DJANGO_SECRET_KEY is not set.",
                    hint="Set it to a long random value, the same on every instance.",
                    id="portal.E003",
                )
            )
    return errors
