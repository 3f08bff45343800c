"""The periodic jobs of the layers below the feature apps (portal.core.periodic).

Identity and the audit trail sit below portal.core, so they offer plain purge functions and core
registers them here; a feature app registers its own (portal.imports.maintenance).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.audit.maintenance import audit_events_expire
from portal.core.attempts import attempts_purge
from portal.core.periodic import periodic_job
from portal.identity.maintenance import sessions_purge


@periodic_job(name="attempts.purge", every=timedelta(hours=1))
def code_attempts_purge(*, now: datetime) -> int:
    """Wrong-code attempt rows older than the longest limit's window count for nothing: delete."""
    return attempts_purge(now=now)


@periodic_job(name="sessions.purge", every=timedelta(minutes=15))
def expired_sessions_purge(*, now: datetime) -> int:
    return sessions_purge(now=now)


@periodic_job(name="audit.retention", every=timedelta(days=1))
def audit_retention_apply(*, now: datetime) -> int:
    return audit_events_expire(now=now)
