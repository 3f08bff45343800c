"""Outgoing notifications, and the tokens the portal is waiting for people to activate.

The portal remembers what Graph doesn't: which mail was sent to whom and when (never twice: the
idempotency key), and which assigned tokens still wait for activation (for reminders and the
administrators' digest). No row holds a secret: contexts carry serial numbers, ids, names and dates.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    TOKEN_ASSIGNED = "token_assigned", _("A token was assigned to you")
    TOKEN_ADDED = "token_added", _("A token was added to your account")
    TOKEN_ACTIVATED = "token_activated", _("A token was activated on your account")
    TOKEN_REMOVED = "token_removed", _("A token was removed from your account")
    ACTIVATION_REMINDER = "activation_reminder", _("Reminder to activate a token")
    TOKEN_LOST_OR_BROKEN = "token_lost_or_broken", _("A lost or broken token was recorded")
    ADMIN_DIGEST = "admin_digest", _("Administrators' digest")


class Notification(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be delivered")
        # The send started but its outcome is unknown (the worker stopped, or the mail service
        # didn't answer in time): not sent again by itself, so never twice; shown to administrators.
        UNCONFIRMED = "unconfirmed", _("Delivery unconfirmed")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    to_address = models.CharField(max_length=320)
    recipient_oid = models.CharField(max_length=64, blank=True)  # empty for administrators' mail
    # The language and time zone the recipient last used on the portal, when it was queued (empty:
    # the portal's LANGUAGE_CODE and TIME_ZONE); the mail is written in them when it is sent.
    language = models.CharField(max_length=16, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    context = models.JSONField(default=dict)  # what the templates need; never a secret
    idempotency_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} ({self.state})"


class AwaitingActivation(models.Model):
    """A token assigned to a person through the portal and not (yet) activated, as far as the portal saw."""

    person_oid = models.CharField(max_length=64, db_index=True)
    person_upn = models.CharField(max_length=255, blank=True)
    address = models.CharField(max_length=320)
    serial = models.CharField(max_length=255, blank=True)
    method_id = models.CharField(max_length=64, blank=True)
    assigned_at = models.DateTimeField()
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["assigned_at", "id"]

    def __str__(self) -> str:
        return f"{self.serial or self.method_id} for {self.person_upn}"
