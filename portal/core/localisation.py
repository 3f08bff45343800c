"""The person's language and time zone: what the browser says, checked once here.

The language is Django's own business (LocaleMiddleware: the language cookie, else Accept-Language);
the time zone comes from a cookie that static/js/timezone.js writes from the browser's
`Intl.DateTimeFormat().resolvedOptions().timeZone`. Anything that is not an IANA zone name is
ignored, and the portal's own zone (settings.TIME_ZONE, PORTAL_TIME_ZONE) is used instead.
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.utils import translation

#: Longer than any IANA name ("America/Argentina/ComodRivadavia" is 32): refused without a look-up.
_MAX_ZONE_NAME = 64


@lru_cache(maxsize=512)
def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA time zone called `name`, or None for anything else (bad values are ignored)."""
    if not name or len(name) > _MAX_ZONE_NAME or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def language_supported(code: str) -> str | None:
    """`code` as one of settings.LANGUAGES ("de-AT" → "de"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None
