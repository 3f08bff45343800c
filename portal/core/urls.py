from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.core import health, views

app_name = "core"
# Normally answered by ProbeMiddleware before URL routing; routed here too so they resolve, reverse
# and keep working should the middleware be left out of a custom MIDDLEWARE list.
urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers and bookmark tools ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.favicon, name="favicon"),
]
