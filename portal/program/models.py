"""The portal's own record of the token program (Graph stays the truth for what Graph holds).

* `SnapshotRun`: one build of the snapshot (when, how, how many Graph round trips).
* `ProgramToken`: one inventory token as the last successful build saw it, with its holder's
  account state. Rows are replaced by each build; what Graph doesn't keep (when the portal first saw
  a token activated, the method's `createdDateTime` already fetched) is carried over.
* `DailyCount`: tokens per status, one row per day and status, for trends.
* `RefreshDelegation`: the sign-in the periodic refresh acts with (one row, sealed; its sealed
  cache is erased once it expires: portal.program.refresh.refresh_delegation_expire).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SnapshotRun(models.Model):
    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCESS = "success", "Succeeded"
        FAILURE = "failure", "Failed"

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    #: Why it failed (a portal.core.reasons.Reason value); never a Graph message.
    reason = models.CharField(max_length=64, blank=True)
    round_trips = models.PositiveIntegerField(default=0)
    tokens = models.PositiveIntegerField(default=0)
    holders = models.PositiveIntegerField(default=0)
    #: Holders whose assignment dates the refreshing administrator's role may not read.
    unreadable_holders = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]


class ProgramToken(models.Model):
    device_id = models.CharField(max_length=64, primary_key=True)
    serial_number = models.CharField(max_length=255, db_index=True)
    manufacturer = models.CharField(max_length=255, blank=True)
    model = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=32, db_index=True)
    #: portal.core.attempts.token_key(serial_number), written by each build: the queue names a
    #: token's lockout by this key without hashing the whole inventory.
    attempts_key = models.CharField(max_length=64, blank=True, db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    holder_id = models.CharField(max_length=64, blank=True, db_index=True)
    holder_name = models.CharField(max_length=255, blank=True)
    holder_upn = models.CharField(max_length=255, blank=True)
    #: False when Graph no longer knows the holder (deleted account); None when there is no holder.
    holder_exists = models.BooleanField(null=True)
    holder_enabled = models.BooleanField(null=True)
    holder_department = models.CharField(max_length=255, blank=True)
    #: The method's `createdDateTime`: when the token was assigned to its holder.
    assigned_at = models.DateTimeField(null=True, blank=True)
    #: When a build first saw the token activated after seeing it not activated (Graph keeps no
    #: activation time); None for tokens already activated when the portal first looked.
    activated_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The stock type-ahead: available tokens by serial prefix (portal.program.stock).
        indexes = [models.Index(fields=["status", "serial_number"], name="program_stock_serial")]


class DailyCount(models.Model):
    day = models.DateField(db_index=True)
    status = models.CharField(max_length=32)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["day", "status"]
        constraints = [models.UniqueConstraint(fields=["day", "status"], name="program_daily_count_unique")]


class RefreshDelegation(models.Model):
    """The administrator's sealed MSAL token cache the periodic refresh reads Graph with: the one of
    whoever last pressed "Refresh now". Singleton (pk=1)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    sealed_cache = models.BinaryField()
    home_account_id = models.CharField(max_length=255)
    #: When the administrator pressed "Refresh now" (gave this sign-in).
    sealed_at = models.DateTimeField(default=timezone.now)
    #: When a refresh last got an access token with it (None: not used yet).
    used_at = models.DateTimeField(null=True, blank=True)
    #: Set when the stored sign-in stopped working (refresh token expired or revoked) or was
    #: expired by the portal (PROGRAM_SIGN_IN_MAX_DAYS, PROGRAM_SIGN_IN_IDLE_DAYS); the sealed
    #: cache is erased then, the row kept so the pages can say a new "Refresh now" is needed.
    expired_at = models.DateTimeField(null=True, blank=True)
