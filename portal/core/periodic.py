"""Periodic work, in one home: purges now; snapshots, reminders and digests as they come.

An app registers a job where its data lives (its `maintenance.py`, imported by its AppConfig):

    @periodic_job(name="sessions.purge", every=timedelta(hours=1))
    def sessions_purge(*, now: datetime) -> int:
        ...  # returns how many things it did (rows deleted, mails sent)

The worker process runs what is due (`manage.py worker`: the task worker plus a ticker, also under
`make run`); `manage.py run_periodic [--only NAME]` runs it by hand. Each job's last run is a
database row, claimed with a conditional UPDATE, so several workers never run one job twice in
the same interval. A job that fails is logged and tried again at its next interval; the others
still run. Every job takes `now` (an injected clock: the tests never sleep).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from portal.core.models import PeriodicRun

logger = logging.getLogger("portal.periodic")


class JobFunction(Protocol):
    __name__: str

    def __call__(self, *, now: datetime) -> int: ...


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    run: JobFunction


@dataclass(frozen=True)
class PeriodicOutcome:
    name: str
    count: int = 0
    failed: bool = False


_JOBS: dict[str, PeriodicJob] = {}


def periodic_job(*, name: str, every: timedelta) -> Callable[[JobFunction], JobFunction]:
    """Register a function as a periodic job (at import time, from an app's `maintenance.py`)."""

    def register(function: JobFunction) -> JobFunction:
        existing = _JOBS.get(name)
        if existing is not None and existing.run is not function:
            raise ValueError(f"Two periodic jobs are named {name!r}.")
        _JOBS[name] = PeriodicJob(name=name, every=every, run=function)
        return function

    return register


def periodic_jobs() -> dict[str, PeriodicJob]:
    return dict(sorted(_JOBS.items()))


def _claim(job: PeriodicJob, now: datetime, *, force: bool) -> bool:
    PeriodicRun.objects.get_or_create(name=job.name)
    due = Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - job.every)
    runs = PeriodicRun.objects.filter(name=job.name)
    return bool((runs if force else runs.filter(due)).update(last_started_at=now))


def periodic_run_due(
    *, now: datetime | None = None, only: str | None = None, force: bool = False
) -> list[PeriodicOutcome]:
    """Run every registered job that is due (`force`: whether due or not); `only`: that one job."""
    now = now or timezone.now()
    if only is not None and only not in _JOBS:
        raise KeyError(only)
    outcomes: list[PeriodicOutcome] = []
    for job in periodic_jobs().values():
        if (only is not None and job.name != only) or not _claim(job, now, force=force):
            continue
        try:
            count = job.run(now=now)
        except Exception:
            logger.exception("periodic job failed", extra={"job": job.name})
            PeriodicRun.objects.filter(name=job.name).update(last_outcome=PeriodicRun.Outcome.FAILED)
            outcomes.append(PeriodicOutcome(name=job.name, failed=True))
            continue
        PeriodicRun.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_outcome=PeriodicRun.Outcome.OK, last_count=count
        )
        logger.info("periodic job done", extra={"job": job.name, "count": count})
        outcomes.append(PeriodicOutcome(name=job.name, count=count))
    return outcomes


class PeriodicTicker(threading.Thread):
    """Runs what is due every `tick` seconds until stopped: the worker process's periodic half."""

    def __init__(self, *, tick: float) -> None:
        super().__init__(name="periodic", daemon=True)
        self.tick = tick
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.tick):
            try:
                periodic_run_due()
            except Exception:  # a database hiccup must not end the ticker
                logger.exception("periodic run failed")
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
