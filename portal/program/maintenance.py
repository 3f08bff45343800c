"""The token program's periodic work, in the portal's one home for it (portal.core.periodic):

* `program.snapshot`: when the snapshot is older than PROGRAM_REFRESH_MINUTES, queue its refresh (a
  background task, so a long build never holds up the other periodic jobs). Checked every 15
  minutes, so a build that is still running is not queued again.
* `program.purge`: the stored sign-in past its limits is erased (portal.program.refresh), and the
  record of snapshot builds older than PROGRAM_RUN_RETENTION_DAYS deleted (the last successful one,
  the pages' "as of", and the last attempt always stay).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from portal.core.periodic import periodic_job
from portal.program.models import SnapshotRun
from portal.program.refresh import refresh_delegation_expire, snapshot_refresh_due
from portal.program.tasks import program_snapshot_refresh


@periodic_job(name="program.snapshot", every=timedelta(minutes=15))
def program_snapshot_when_due(*, now: datetime) -> int:
    """1 when a refresh was queued, 0 when the snapshot is fresh."""
    if not snapshot_refresh_due(now=now):
        return 0
    program_snapshot_refresh.enqueue()
    return 1


@periodic_job(name="program.purge", every=timedelta(hours=1))
def program_purge(*, now: datetime) -> int:
    return refresh_delegation_expire(now=now) + snapshot_runs_purge(now=now)


def snapshot_runs_purge(*, now: datetime) -> int:
    """Delete the builds started more than PROGRAM_RUN_RETENTION_DAYS ago (0: keep them all)."""
    days = settings.PROGRAM_RUN_RETENTION_DAYS
    if days <= 0:
        return 0
    latest = SnapshotRun.objects.filter(outcome=SnapshotRun.Outcome.SUCCESS).values_list("pk", flat=True).first()
    last_attempt = SnapshotRun.objects.values_list("pk", flat=True).first()
    old = SnapshotRun.objects.filter(started_at__lt=now - timedelta(days=days))
    deleted, _ = old.exclude(pk__in=[pk for pk in (latest, last_attempt) if pk is not None]).delete()
    return deleted
