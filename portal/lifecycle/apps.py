from __future__ import annotations

from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "portal.lifecycle"
    label = "lifecycle"
    verbose_name = "Token lifecycle"
