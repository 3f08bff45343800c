from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "portal.imports"
    label = "imports"
    verbose_name = "Bulk imports"

    def ready(self) -> None:
        from portal.imports import maintenance  # noqa: F401 - registers the periodic purge
