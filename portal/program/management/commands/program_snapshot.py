"""Refresh the token program's snapshot now (or only when it is due), with the stored sign-in of the
administrator who last pressed "Refresh now"."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from portal.program.refresh import snapshot_refresh, snapshot_refresh_due


class Command(BaseCommand):
    help = "Refresh the token program's snapshot (tokens, holders, daily counts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-due", action="store_true", help="only when PROGRAM_REFRESH_MINUTES have passed")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["if_due"] and not snapshot_refresh_due(now=now):
            self.stdout.write("The snapshot is fresh; nothing to do.")
            return
        run = snapshot_refresh(now=now)
        if run is None:
            raise CommandError(
                "No administrator sign-in is stored for refreshes: sign in to the admin area and press "
                "'Refresh now' on the overview."
            )
        if run.outcome != run.Outcome.SUCCESS:
            raise CommandError("Graph could not be read; the previous snapshot is kept. Try again later.")
        self.stdout.write(f"Snapshot of {run.tokens} tokens and {run.holders} holders, {run.round_trips} round trips.")
