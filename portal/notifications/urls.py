from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.notifications import views

app_name = "notifications"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.undelivered, name="undelivered"),
]
