"""Periodic jobs for what portal.core keeps (portal.core.periodic)."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.core.attempts import attempts_purge
from portal.core.periodic import periodic_job


@periodic_job(name="attempts.purge", every=timedelta(hours=1))
def code_attempts_purge(*, now: datetime) -> int:
    """Wrong-code attempt rows older than the longest limit's window count for nothing: delete."""
    return attempts_purge(now=now)
