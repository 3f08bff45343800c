from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"

    def ready(self) -> None:
        from portal.audit import maintenance  # noqa: F401  (registers its periodic jobs)
