"""What the portal remembers about a token's life that Graph has no state for: lost, broken, stolen,
returned, retired, sent back to the vendor — with who, when and why.

One row per event, never edited; a token's lifecycle state is its latest event. Keyed by Graph's
device id (what the inventory and the user's methods name) and the serial number (what survives a
retirement, when Entra forgets the device, and what a later import names).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LifecycleState(models.TextChoices):
    LOST = "lost", _("Lost")
    BROKEN = "broken", _("Broken")
    STOLEN = "stolen", _("Stolen")
    RETURNED = "returned", _("Returned")
    RETIRED = "retired", _("Retired")
    SENT_TO_VENDOR = "sent_to_vendor", _("Sent back to the vendor")

    @property
    def blocks_stock(self) -> bool:
        """Never offered as stock (to the helpdesk's replacement search or to an employee's serial)."""
        return self is not LifecycleState.RETURNED

    @property
    def flags_import(self) -> bool:
        """A later import naming this serial is flagged in the dry run."""
        return self in (LifecycleState.LOST, LifecycleState.STOLEN, LifecycleState.RETIRED)

    @property
    def reportable(self) -> bool:
        """What a person (or the helpdesk, for them) reports about a token they held."""
        return self in (LifecycleState.LOST, LifecycleState.BROKEN, LifecycleState.STOLEN)

    @classmethod
    def reported(cls) -> list[LifecycleState]:
        return [state for state in cls if state.reportable]


class TokenLifecycleEvent(models.Model):
    device_id = models.CharField(max_length=64, db_index=True)
    serial_number = models.CharField(max_length=255)
    serial_key = models.CharField(max_length=255, db_index=True)  # portal.core.serials.serial_normalise
    state = models.CharField(max_length=20, choices=LifecycleState.choices)
    note = models.CharField(max_length=500, blank=True)  # why, in the reporter's words
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_oid = models.CharField(max_length=64, blank=True)
    actor_upn = models.CharField(max_length=255, blank=True)
    # Who held the token when it was reported (empty for tokens in stock).
    holder_oid = models.CharField(max_length=64, blank=True)
    holder_upn = models.CharField(max_length=255, blank=True)
    # Links the event to the audit events of the same flow (AuditEvent.extra["flow_id"]).
    flow_id = models.CharField(max_length=36, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["device_id", "-at"]), models.Index(fields=["serial_key", "-at"])]

    def __str__(self) -> str:
        return f"{self.serial_number} {self.state} {self.at:%Y-%m-%d %H:%M}"

    @property
    def lifecycle_state(self) -> LifecycleState:
        return LifecycleState(self.state)

    @property
    def in_inventory(self) -> bool:
        """Still in Entra's inventory (a retired token was deleted from it)."""
        return self.lifecycle_state is not LifecycleState.RETIRED
