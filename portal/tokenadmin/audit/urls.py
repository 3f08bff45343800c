from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.tokenadmin.audit import views

app_name = "audit"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.events, name="events"),
    path("export.csv", views.export, name="export"),
]
