"""The portal's URLs and error handlers, plus a crash and a bad request (tests/security/crash_urls.py),
so the every-page walk shows the 500 and 400 pages as a person gets them."""

from __future__ import annotations

from portal.urls import handler500
from tests.security.crash_urls import urlpatterns

__all__ = ["handler500", "urlpatterns"]
