from __future__ import annotations

from django.urls import path

from portal.selfservice import views

app_name = "selfservice"
urlpatterns = [
    path("", views.home, name="home"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/add", views.add, name="add"),
    path("tokens/<uuid:token_uuid>/activate", views.activate, name="activate"),
    path("tokens/<uuid:token_uuid>/remove", views.remove, name="remove"),
    path("tokens/<uuid:token_uuid>/report", views.report, name="report"),
    path("tokens/reported/<int:event_id>", views.reported, name="reported"),
]
