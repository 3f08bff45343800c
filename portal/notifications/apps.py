from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from portal.core.events import token_event
        from portal.notifications import (
            checks,  # noqa: F401 - registers the system checks
            maintenance,  # noqa: F401 - registers the periodic jobs
        )
        from portal.notifications.services import on_token_event

        token_event.connect(on_token_event, dispatch_uid="portal.notifications.on_token_event")
