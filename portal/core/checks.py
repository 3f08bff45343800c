"""Start-up checks: a misconfigured portal refuses to start and says what to fix."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from portal.identity.sealing import encryption_keys, invalid_keys


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


@register(Tags.security)
def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The key(s) that seal sessions' token caches and import secrets: set, valid; the old name noted."""
    messages: list[CheckMessage] = []
    if settings.ENCRYPTION_KEYS_FROM_DEPRECATED_NAME:
        messages.append(
            Warning(
                "IMPORT_ENCRYPTION_KEY is deprecated: it now seals everything the portal seals.",
                hint="Rename it to PORTAL_ENCRYPTION_KEYS (same value); the old name will stop working.",
                id="portal.W001",
            )
        )
    keys = encryption_keys(settings.PORTAL_ENCRYPTION_KEYS)
    if not keys:
        # The sandbox generates a key into var/ (portal.settings); a real installation must choose
        # its own, so that it can be kept apart from the database it protects.
        messages.append(
            Error(
                "PORTAL_ENCRYPTION_KEYS is not set.",
                hint=(
                    'Set it to a Fernet key, e.g. the output of: python -c "from cryptography.fernet '
                    'import Fernet; print(Fernet.generate_key().decode())". Keep it out of the database.'
                ),
                id="portal.E004",
            )
        )
    elif invalid_keys(keys):
        messages.append(
            Error(
                "PORTAL_ENCRYPTION_KEYS is not a valid Fernet key (or list of keys).",
                hint="Each key is 32 random bytes, url-safe base64-encoded (44 characters); separate keys with commas.",
                id="portal.E005",
            )
        )
    return messages


#: What PORTAL_HELPDESK_URL may be: a link a person can follow (never `javascript:` or a bare word).
HELPDESK_URL_SCHEMES = ("https://", "http://", "mailto:", "tel:")


@register(Tags.security)
def check_helpdesk_url(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    url = settings.HELPDESK_URL
    if url and not url.startswith(HELPDESK_URL_SCHEMES):
        return [
            Error(
                "PORTAL_HELPDESK_URL is not a link a person can follow.",
                hint="Use an https://, mailto: or tel: link, or leave it empty to name PORTAL_HELPDESK_CONTACT only.",
                id="portal.E006",
            )
        ]
    return []
