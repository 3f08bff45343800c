"""The portal's worker process: background tasks (django-tasks' `db_worker`) and periodic work.

Everything `db_worker` takes (--batch, --interval, --queue-name…), plus a ticker thread that runs
the periodic jobs that are due (portal.core.periodic) every PERIODIC_TICK_SECONDS. What is due also
runs once as the worker starts, so `worker --batch` does a round of periodic work too.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from portal.core.periodic import PeriodicTicker, periodic_run_due

logger = logging.getLogger("portal.periodic")


class Command(db_worker.Command):
    help = "Run the background task worker and the portal's periodic jobs (purges and the like)."

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload the parent process only watches files: its child does the work.
        watcher = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        ticker: PeriodicTicker | None = None
        if not watcher:
            try:
                periodic_run_due()
            except DatabaseError:  # a locked or unreachable database must not keep tasks from running
                logger.exception("periodic run failed")
            if not options.get("batch"):
                ticker = PeriodicTicker(tick=settings.PERIODIC_TICK_SECONDS)
                ticker.start()
        try:
            super().handle(*args, **options)
        finally:
            if ticker is not None:
                ticker.stop()
