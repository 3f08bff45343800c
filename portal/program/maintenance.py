"""The token program's periodic work, in the portal's one home for it (portal.core.periodic): when
the snapshot is older than PROGRAM_REFRESH_MINUTES, queue its refresh (a background task, so a
long build never holds up the other periodic jobs). Checked every 15 minutes, so a build that is
still running is not queued again."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.core.periodic import periodic_job
from portal.program.refresh import snapshot_refresh_due
from portal.program.tasks import program_snapshot_refresh


@periodic_job(name="program.snapshot", every=timedelta(minutes=15))
def program_snapshot_when_due(*, now: datetime) -> int:
    """1 when a refresh was queued, 0 when the snapshot is fresh."""
    if not snapshot_refresh_due(now=now):
        return 0
    program_snapshot_refresh.enqueue()
    return 1
