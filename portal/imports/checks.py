"""Start-up checks for imports: the key that seals seed secrets must be set, and valid."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register

from portal.imports.crypto import encryption_keys


@register(Tags.security)
def check_import_encryption_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    keys = encryption_keys(settings.IMPORT_ENCRYPTION_KEY)
    if not keys:
        # The sandbox derives a key from SECRET_KEY (portal.settings); a real installation must
        # choose its own, so that it can be kept apart from the database it protects.
        return [
            Error(
                "IMPORT_ENCRYPTION_KEY is not set.",
                hint=(
                    'Set it to a Fernet key, e.g. the output of: python -c "from cryptography.fernet '
                    'import Fernet; print(Fernet.generate_key().decode())". Keep it out of the database.'
                ),
                id="portal.imports.E001",
            )
        ]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            return [
                Error(
                    "IMPORT_ENCRYPTION_KEY is not a valid Fernet key (or list of keys).",
                    hint=(
                        "Each key is 32 random bytes, url-safe base64-encoded (44 characters); "
                        "separate keys with commas."
                    ),
                    id="portal.imports.E002",
                )
            ]
    return []
