"""The sandbox tenant's clock for time-limited things it decides on: Temporary Access Pass validity,
and how long ago someone signed in (the auth_time it stamps, and the step-up that reads it).

`now()` is real time shifted by SANDBOX["CLOCK_OFFSET_SECONDS"]: a test (or a demo) moves the tenant
forward to see a pass become valid, expire or run out, or a sign-in grow old enough for a step-up,
without sleeping. Token lifetimes (iat/nbf/exp) stay on real time: the portal checks them against its
own clock, which this offset does not move. Read at call time, so `override_settings` and
pytest-django's `settings` fixture work, across the live server's threads too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from portal.sandbox.config import sandbox_int


def now() -> datetime:
    return timezone.now() + timedelta(seconds=sandbox_int("CLOCK_OFFSET_SECONDS"))
