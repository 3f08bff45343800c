from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"

    def ready(self) -> None:
        from portal.core import (
            checks,  # noqa: F401  (registers the system checks)
            maintenance,  # noqa: F401  (registers its periodic jobs)
        )
