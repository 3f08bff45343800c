from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One write (or attempted write) made through the portal.

    Acting and target people are denormalised (oid + UPN) so the trail survives account clean-ups.
    Never holds a secret, a verification code or a token: portal.audit.services.audit_event_record refuses them.
    """

    class Action(models.TextChoices):
        SELF_ASSIGN_ACTIVATE = "self.assign_activate", "Added own token"
        SELF_ACTIVATE = "self.activate", "Activated own token"
        SELF_REMOVE = "self.remove", "Removed own token"
        SELF_REPORT = "self.report", "Reported own token lost, broken or stolen"
        USER_ASSIGN = "user.assign", "Assigned token to user"
        USER_ASSIGN_ACTIVATE = "user.assign_activate", "Assigned and activated token for user"
        USER_ACTIVATE = "user.activate", "Activated user's token"
        USER_DEACTIVATE = "user.deactivate", "Deactivated user's token"
        USER_UNASSIGN = "user.unassign", "Unassigned token from user"
        USER_REPORT = "user.report", "Marked user's token lost, broken or stolen"
        USER_PASS_CREATE = "user.pass_create", "Issued a Temporary Access Pass"
        DEVICE_ASSIGN = "device.assign", "Assigned inventory token by reference"
        INVENTORY_CREATE = "inventory.create", "Created inventory token"
        INVENTORY_UPDATE = "inventory.update", "Edited inventory token"
        INVENTORY_DELETE = "inventory.delete", "Deleted inventory token"
        INVENTORY_LIFECYCLE = "inventory.lifecycle", "Recorded a token's lifecycle state"
        INVENTORY_RETIRE = "inventory.retire", "Retired inventory token"
        IMPORT_START = "import.start", "Started a bulk import"
        IMPORT_CANCEL = "import.cancel", "Cancelled a bulk import"
        IMPORT_FINISH = "import.finish", "Bulk import finished"
        PROGRAM_REFRESH = "program.refresh", "Refreshed the token program snapshot"
        LOCKOUT_LIFT = "lockout.lift", "Lifted a wrong-code lockout"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Succeeded"
        FAILURE = "failure", "Failed"
        DENIED = "denied", "Refused"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_oid = models.CharField(max_length=64, blank=True, db_index=True)
    actor_upn = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=64, choices=Action.choices, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, db_index=True)
    target_oid = models.CharField(max_length=64, blank=True, db_index=True)
    target_upn = models.CharField(max_length=255, blank=True)
    token_serial = models.CharField(max_length=255, blank=True, db_index=True)
    token_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=64, blank=True)  # a portal.core.reasons.Reason value, e.g. "wrong_code"
    graph_request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_upn} {self.action} {self.outcome}"
