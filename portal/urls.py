from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("portal.selfservice.urls")),
    path("auth/", include("portal.identity.urls")),
    path("admin/", include("portal.tokenadmin.urls")),
    path("admin/imports/", include("portal.imports.urls")),
    path("admin/audit/", include("portal.tokenadmin.audit.urls")),
    path("admin/mail/", include("portal.notifications.urls")),
    path("", include("portal.core.urls")),
    # Django's set_language view (POST language + next): the language switch under every page. POST
    # only: a GET would change nothing and only redirect.
    path("i18n/setlang/", require_POST(set_language), name="set_language"),
]

# The server error page in the request's language, and never failing itself.
handler500 = "portal.core.views.server_error"

# The sandbox tenant's pages and its HTTP endpoints exist only when the sandbox is on.
if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("portal.sandbox.urls")))
