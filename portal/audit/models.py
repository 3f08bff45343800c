from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One write (or attempted write) made through the portal.

    Acting and target people are denormalised (oid + UPN) so the trail survives account clean-ups.
    Never holds a secret, a verification code or a token: portal.audit.services.audit_event_record refuses them.
    """

    class Action(models.TextChoices):
        SELF_ASSIGN_ACTIVATE = "self.assign_activate", _("Added own token")
        SELF_ACTIVATE = "self.activate", _("Activated own token")
        SELF_REMOVE = "self.remove", _("Removed own token")
        SELF_REPORT = "self.report", _("Reported own token lost, broken or stolen")
        USER_ASSIGN = "user.assign", _("Assigned token to user")
        USER_ASSIGN_ACTIVATE = "user.assign_activate", _("Assigned and activated token for user")
        USER_ACTIVATE = "user.activate", _("Activated user's token")
        USER_DEACTIVATE = "user.deactivate", _("Deactivated user's token")
        USER_UNASSIGN = "user.unassign", _("Unassigned token from user")
        USER_REPORT = "user.report", _("Marked user's token lost, broken or stolen")
        USER_PASS_CREATE = "user.pass_create", _("Issued a Temporary Access Pass")
        DEVICE_ASSIGN = "device.assign", _("Assigned inventory token by reference")
        INVENTORY_CREATE = "inventory.create", _("Created inventory token")
        INVENTORY_UPDATE = "inventory.update", _("Edited inventory token")
        INVENTORY_DELETE = "inventory.delete", _("Deleted inventory token")
        INVENTORY_LIFECYCLE = "inventory.lifecycle", _("Recorded a token's lifecycle state")
        INVENTORY_RETIRE = "inventory.retire", _("Retired inventory token")
        IMPORT_START = "import.start", _("Started a bulk import")
        IMPORT_CANCEL = "import.cancel", _("Cancelled a bulk import")
        IMPORT_FINISH = "import.finish", _("Bulk import finished")
        PROGRAM_REFRESH = "program.refresh", _("Refreshed the token program snapshot")
        LOCKOUT_LIFT = "lockout.lift", _("Lifted a wrong-code pause")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Succeeded")
        FAILURE = "failure", _("Failed")
        DENIED = "denied", _("Refused")

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
