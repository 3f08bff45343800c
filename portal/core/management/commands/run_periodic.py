"""Run the periodic jobs now, by hand (the worker runs them by itself when they are due)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.core.periodic import periodic_jobs, periodic_run_due


class Command(BaseCommand):
    help = "Run the portal's periodic jobs now (purges and the like), due or not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", metavar="NAME", help="Run this job only (see --list).")
        parser.add_argument("--list", action="store_true", help="List the jobs and how often they run.")

    def handle(self, *args: Any, only: str | None, list: bool, **options: Any) -> None:
        jobs = periodic_jobs()
        if list:
            for job in jobs.values():
                self.stdout.write(f"{job.name}  every {job.every}")
            return
        if only is not None and only not in jobs:
            raise CommandError(f"No periodic job is named {only!r}. There are: {', '.join(jobs)}.")
        failed = []
        for outcome in periodic_run_due(only=only, force=True):
            if outcome.failed:
                failed.append(outcome.name)
                self.stderr.write(f"{outcome.name}: failed (see the log)")
            else:
                self.stdout.write(f"{outcome.name}: {outcome.count}")
        if failed:
            raise CommandError(f"{len(failed)} periodic job(s) failed: {', '.join(failed)}.")
