"""Purging the audit trail past its retention (run periodically: portal.core.maintenance)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from portal.audit.models import AuditEvent


def audit_events_expire(*, now: datetime) -> int:
    """Delete events older than AUDIT_RETENTION_DAYS; 0 (the default) keeps the trail for ever."""
    days = settings.AUDIT_RETENTION_DAYS
    if days <= 0:
        return 0
    deleted, _ = AuditEvent.objects.filter(at__lt=now - timedelta(days=days)).delete()
    return deleted
