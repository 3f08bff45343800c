"""Run the periodic notification work once: recover interrupted sends, send due reminders and the
administrators' digest.

    python manage.py notifications_run

Safe to run as often as you like (every run only does what is due, and no mail is sent twice).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.notifications.schedule import notifications_periodic


class Command(BaseCommand):
    help = "Send due activation reminders and the administrators' digest; recover interrupted sends."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = notifications_periodic(now=timezone.now())
        self.stdout.write(
            f"Reminders queued: {summary.reminders}; digests queued: {summary.digests}; "
            f"interrupted sends marked unconfirmed: {summary.recovered}."
        )
