from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("portal.selfservice.urls")),
    path("auth/", include("portal.identity.urls")),
    path("admin/", include("portal.tokenadmin.urls")),
    path("admin/imports/", include("portal.imports.urls")),
    path("admin/audit/", include("portal.tokenadmin.audit.urls")),
    path("admin/mail/", include("portal.notifications.urls")),
    path("", include("portal.core.urls")),
    # Django's set_language view (POST language + next): the language switch under every page.
    path("i18n/", include("django.conf.urls.i18n")),
]

# The sandbox tenant's pages and its HTTP endpoints exist only when the sandbox is on.
if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("portal.sandbox.urls")))
