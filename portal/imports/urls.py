"""Bulk imports, mounted at /admin/imports/ (portal.urls)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.imports import views

app_name = "imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("new", views.seed_new, name="seed_new"),
    path("assignments/new", views.assignments_new, name="assignments_new"),
    path("<uuid:job_id>/", views.job_detail, name="job"),
    path("<uuid:job_id>/confirm", views.job_confirm, name="confirm"),
    path("<uuid:job_id>/discard", views.job_discard, name="discard"),
    path("<uuid:job_id>/cancel", views.job_cancel, name="cancel"),
    path("<uuid:job_id>/assign-created", views.job_follow_up, name="follow_up"),
    path("<uuid:job_id>/rows.csv", views.job_csv, name="csv"),
]
