"""Purging what portal.identity keeps (run periodically: portal.core.maintenance)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.models import Session


def sessions_purge(*, now: datetime) -> int:
    """Delete sessions past their expiry, as `clearsessions` does, with the portal's lifetimes: a
    signed-in session's expiry follows its idle and absolute limits (portal.identity.signin
    .session_expiry_renew), so an abandoned session, with its sealed token cache, is gone within
    the periodic job's interval of its idle limit rather than kept until its browser comes back."""
    deleted, _ = Session.objects.filter(expire_date__lte=now).delete()
    return deleted
