"""Periodic jobs for imports (portal.core.periodic): nothing an import no longer needs stays."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.core.periodic import periodic_job
from portal.imports.models import ImportJob, ImportRow
from portal.imports.services.jobs import drafts_expire, jobs_recover


@periodic_job(name="imports.purge", every=timedelta(minutes=15))
def imports_purge(*, now: datetime) -> int:
    """Delete dry runs abandoned for IMPORT_DRAFT_HOURS (rows and sealed secrets with them), hand
    on jobs whose worker died (without waiting for someone to open the imports page), and erase
    any sealed secret or sign-in a finished job still holds (a job erases them as it ends; this
    catches one that ended without doing so)."""
    count = drafts_expire(now=now)
    jobs_recover()
    finished = ImportJob.objects.filter(status__in=ImportJob.FINISHED)
    count += finished.exclude(delegated_cache=b"").update(delegated_cache=b"", home_account_id="")
    count += ImportRow.objects.filter(job__in=finished).exclude(secret=b"").update(secret=b"")
    return count
