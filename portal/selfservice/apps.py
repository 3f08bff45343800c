from __future__ import annotations

from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "portal.selfservice"
    label = "selfservice"
