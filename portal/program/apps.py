from __future__ import annotations

from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "portal.program"
    label = "program"
    verbose_name = "Token program"

    def ready(self) -> None:
        from portal.program import maintenance  # noqa: F401 - registers the periodic snapshot refresh
