"""Keeping the snapshot fresh, and whose sign-in it is read with.

The snapshot is read with an administrator's own delegated rights, like every other Graph call the
portal makes (it has no application permissions). When an administrator presses "Refresh now", their
MSAL token cache (with its refresh token) is sealed into the one `RefreshDelegation` row and the
build is queued; the periodic refresh reuses that sealed sign-in, and MSAL's refreshed cache is
sealed back after every use, so it keeps working as long as it is used within the refresh token's
lifetime (90 days of inactivity in Entra) and the administrator keeps a role that can read the
inventory. It is not kept for ever: PROGRAM_SIGN_IN_MAX_DAYS after "Refresh now", or once unused
for PROGRAM_SIGN_IN_IDLE_DAYS (by then Entra's refresh token has expired anyway), the periodic purge
erases it (`refresh_delegation_expire`). When it stops working or is erased the page says so and
the next "Refresh now" starts it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.core.serials import serial_normalise
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.retry import RetryPolicy
from portal.identity.delegation import DelegatedCache, DelegationExpired, delegated_access_token
from portal.identity.errors import IdentityUnavailable
from portal.identity.models import User
from portal.identity.sealing import SealBroken, seal, unseal
from portal.program.models import ProgramToken, RefreshDelegation, SnapshotRun
from portal.program.snapshot import snapshot_build

logger = logging.getLogger("portal.program")


@dataclass(frozen=True)
class SnapshotState:
    """What the pages say about the snapshot: as of when, and whether it is being refreshed."""

    latest: SnapshotRun | None
    last_attempt: SnapshotRun | None
    #: No stored sign-in can refresh it (it stopped working or was erased): "Refresh now" is needed.
    delegation_expired: bool

    @property
    def as_of(self) -> datetime | None:
        return self.latest.finished_at if self.latest is not None else None

    @property
    def refreshing(self) -> bool:
        return self.last_attempt is not None and self.last_attempt.outcome == SnapshotRun.Outcome.RUNNING

    @property
    def last_failed(self) -> bool:
        return self.last_attempt is not None and self.last_attempt.outcome == SnapshotRun.Outcome.FAILURE

    def stale(self, *, now: datetime) -> bool:
        """Missing, or older than two refresh intervals: the periodic refresh has not kept it fresh."""
        return self.as_of is None or now - self.as_of > 2 * timedelta(minutes=settings.PROGRAM_REFRESH_MINUTES)


def snapshot_state_get() -> SnapshotState:
    """Three queries."""
    latest = SnapshotRun.objects.filter(outcome=SnapshotRun.Outcome.SUCCESS).first()
    last_attempt = SnapshotRun.objects.first()
    delegation = RefreshDelegation.objects.filter(pk=1).only("expired_at").first()
    # A snapshot with no stored sign-in left (its row gone) is as stuck as one whose sign-in expired.
    stopped = delegation.expired_at is not None if delegation is not None else latest is not None
    return SnapshotState(latest, last_attempt, stopped)


def snapshot_has_serial(serial: str) -> bool | None:
    """Whether the last snapshot of the inventory holds a token with this serial (None: there is no
    snapshot, so the portal cannot tell). Compared without case, as Entra does (portal.core.serials)."""
    if not SnapshotRun.objects.filter(outcome=SnapshotRun.Outcome.SUCCESS).exists():
        return None
    return ProgramToken.objects.filter(serial_number__iexact=serial_normalise(serial)).exists()


def snapshot_refresh_request(*, actor: User, delegation: DelegatedCache, client_ip: str | None) -> None:
    """ "Refresh now": keep this administrator's sign-in for the refreshes and audit it (the view
    then queues the build: portal.program.tasks is the only enqueuer)."""
    with transaction.atomic():
        RefreshDelegation.objects.update_or_create(
            pk=1,
            defaults={
                "actor": actor,
                "sealed_cache": seal(delegation.blob),
                "home_account_id": delegation.home_account_id,
                "sealed_at": timezone.now(),
                "used_at": None,
                "expired_at": None,
            },
        )
        audit_event_record(
            actor=actor,
            action=AuditEvent.Action.PROGRAM_REFRESH,
            outcome=AuditEvent.Outcome.SUCCESS,
            client_ip=client_ip,
        )


def snapshot_refresh_due(*, now: datetime) -> bool:
    latest = SnapshotRun.objects.filter(outcome=SnapshotRun.Outcome.SUCCESS).first()
    if latest is None or latest.finished_at is None:
        return True
    return now - latest.finished_at >= timedelta(minutes=settings.PROGRAM_REFRESH_MINUTES)


def snapshot_refresh(*, now: datetime, client: GraphClient | None = None) -> SnapshotRun | None:
    """Build the snapshot with `client`, or with the stored administrator's sign-in. None when there
    is no usable sign-in (recorded, and shown on the page)."""
    if client is None:
        client = _stored_client(now)
        if client is None:
            return None
    try:
        return snapshot_build(client=client, now=now)
    except GraphError as exc:
        logger.warning("program snapshot failed", extra={"status": exc.status, "request_id": exc.request_id})
        return SnapshotRun.objects.first()


def _stored_client(now: datetime) -> GraphClient | None:
    row = RefreshDelegation.objects.filter(pk=1, expired_at__isnull=True).first()
    if row is None:
        return None
    try:
        token = delegated_access_token(unseal(bytes(row.sealed_cache)), row.home_account_id)
    except (DelegationExpired, SealBroken) as exc:
        RefreshDelegation.objects.filter(pk=1).update(expired_at=now)
        logger.info("program refresh sign-in expired", extra={"error": type(exc).__name__})
        return None
    except IdentityUnavailable:
        logger.warning("program refresh: identity provider unavailable")
        return None
    if token.updated_blob is not None:
        RefreshDelegation.objects.filter(pk=1).update(sealed_cache=seal(token.updated_blob), used_at=now)
    else:
        RefreshDelegation.objects.filter(pk=1).update(used_at=now)
    return GraphClient(token.access_token, policy=RetryPolicy.for_jobs())


def refresh_delegation_expire(*, now: datetime) -> int:
    """Erase the stored sign-in (its sealed MSAL cache, refresh token included) once it is
    PROGRAM_SIGN_IN_MAX_DAYS past the "Refresh now" that gave it, or unused for
    PROGRAM_SIGN_IN_IDLE_DAYS, or stopped working; 0 days switches that limit off. The row stays,
    marked expired, so the pages say a new "Refresh now" is needed. 1 when it was erased."""
    due = Q(expired_at__isnull=False)
    if settings.PROGRAM_SIGN_IN_MAX_DAYS > 0:
        due |= Q(sealed_at__lte=now - timedelta(days=settings.PROGRAM_SIGN_IN_MAX_DAYS))
    if settings.PROGRAM_SIGN_IN_IDLE_DAYS > 0:
        idle_since = now - timedelta(days=settings.PROGRAM_SIGN_IN_IDLE_DAYS)
        due |= Q(used_at__lte=idle_since) | Q(used_at__isnull=True, sealed_at__lte=idle_since)
    erased = (
        RefreshDelegation.objects.exclude(sealed_cache=b"")
        .filter(due)
        .update(sealed_cache=b"", home_account_id="", expired_at=Coalesce(F("expired_at"), Value(now)))
    )
    if erased:
        logger.info("program refresh sign-in erased")
    return erased
