from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "portal.identity"
    label = "identity"

    def ready(self) -> None:
        from portal.identity import maintenance  # noqa: F401  (registers its periodic jobs)
