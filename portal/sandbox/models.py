"""State of the sandbox tenant: its directory, its token inventory, and its sign-in bookkeeping.

Lives in the "sandbox" database (portal.sandbox.router), shared by every worker process and kept
across restarts. `manage.py sandbox_seed --reset` starts it over.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class ExistingUserManager(models.Manager["DirectoryUser"]):
    """Users that exist: a deleted user is gone from every lookup, listing and sign-in."""

    def get_queryset(self) -> models.QuerySet[DirectoryUser]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class DirectoryUser(models.Model):
    """A user of the sandbox tenant, as Graph's /users returns it.

    `objects` sees only existing users; `everyone` includes deleted ones (Entra keeps a deleted user
    for 30 days before it is gone for good; the sandbox keeps them until restored or re-seeded). A
    token's `assigned_to` still reaches a deleted holder (related lookups use the base manager), so
    the device keeps naming the holder who no longer exists, as a soft-deleted user's id would.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user_principal_name = models.CharField(max_length=255, unique=True)
    display_name = models.CharField(max_length=255)
    given_name = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    mail = models.CharField(max_length=255, blank=True)
    job_title = models.CharField(max_length=255, blank=True)
    department = models.CharField(max_length=255, blank=True)
    user_type = models.CharField(max_length=20, default="Member")  # "Member" or "Guest"
    account_enabled = models.BooleanField(default=True)
    # Directory-role template ids, as they appear in `wids` (reference: entra-sign-in.md §5).
    roles = models.JSONField(default=list)
    # Shown on the sandbox sign-in page so a demo visitor knows whom to pick.
    demo_description = models.CharField(max_length=255, blank=True)
    sort_order = models.IntegerField(default=100)
    deleted_at = models.DateTimeField(null=True, blank=True)

    everyone = models.Manager()
    objects = ExistingUserManager()

    class Meta:
        ordering = ["sort_order", "display_name"]
        default_manager_name = "objects"
        base_manager_name = "everyone"

    def __str__(self) -> str:
        return self.user_principal_name


class HardwareToken(models.Model):
    """One inventory device and, when assigned, the user's method (same id, as in Graph's examples)."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ASSIGNED = "assigned", _("Assigned")
        ACTIVATED = "activated", _("Activated")
        FAILED_ACTIVATION = "failedActivation", _("Activation failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    serial_number = models.CharField(max_length=255, db_index=True)
    display_name = models.CharField(max_length=255, null=True, blank=True)
    manufacturer = models.CharField(max_length=255)
    model = models.CharField(max_length=255)
    secret_key = models.CharField(max_length=128)  # Base32, normalised; never returned by Graph
    time_interval = models.PositiveSmallIntegerField(default=30)
    hash_function = models.CharField(max_length=20, default="hmacsha1")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    assigned_to = models.ForeignKey(
        DirectoryUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="tokens"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)  # the method's createdDateTime
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["serial_number", "id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["assigned_to", "serial_number"]),
            # Serial numbers are unique case-insensitively: a bulk create looks its items up by this.
            models.Index(Lower("serial_number"), name="sandbox_token_serial_lower"),
        ]

    def __str__(self) -> str:
        return self.serial_number


class SigningKey(models.Model):
    """The tenant's RS256 key; generated once, so tokens survive a restart."""

    kid = models.CharField(max_length=64, primary_key=True)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)


class AuthorizationCode(models.Model):
    """A single-use, short-lived code issued by the sandbox authorize page."""

    code_hash = models.CharField(max_length=64, primary_key=True)  # sha256 hex; the code itself isn't kept
    client_id = models.CharField(max_length=64)
    redirect_uri = models.CharField(max_length=2000)
    scopes = models.JSONField(default=list)
    nonce = models.CharField(max_length=512, blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    user = models.ForeignKey(DirectoryUser, on_delete=models.CASCADE)
    auth_time = models.DateTimeField()
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class RefreshToken(models.Model):
    token_hash = models.CharField(max_length=64, primary_key=True)  # sha256 hex
    client_id = models.CharField(max_length=64)
    user = models.ForeignKey(DirectoryUser, on_delete=models.CASCADE)
    scopes = models.JSONField(default=list)
    auth_time = models.DateTimeField()
    created_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)


class RequestLogEntry(models.Model):
    """One HTTP request the sandbox answered: what the tests count round trips with."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    service = models.CharField(max_length=10)  # "graph" or "login"
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)  # without the query string (it may carry codes)
    status = models.PositiveSmallIntegerField()
    request_id = models.CharField(max_length=64, blank=True)
    client_request_id = models.CharField(max_length=64, blank=True)
    caller_oid = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"


class OutboxMessage(models.Model):
    """A message sent through Graph's sendMail: what the sandbox outbox page shows.

    The sandbox delivers nothing; it keeps what the recipient would have received.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    mailbox = models.CharField(max_length=255)  # the sending mailbox (UPN) named in the request
    sender = models.CharField(max_length=255)  # the From address as the recipient sees it
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    subject = models.CharField(max_length=998, blank=True)
    html = models.TextField(blank=True)  # the HTML body, if any
    text = models.TextField(blank=True)  # the plain-text body, if any
    sent_as = models.CharField(max_length=10)  # "app" (client credentials) or "user" (delegated)
    caller_id = models.CharField(max_length=64, blank=True)  # appid or the user's oid
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.subject


class TemporaryAccessPass(models.Model):
    """A user's Temporary Access Pass (at most one per user, as in Entra).

    Only the pass's hash is kept: Graph returns the pass once, in the create answer, and the sign-in
    page compares hashes, so a copy of the sandbox database holds no usable pass.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.OneToOneField(DirectoryUser, on_delete=models.CASCADE, related_name="temporary_access_pass")
    pass_hash = models.CharField(max_length=64)  # sha256 hex of the pass
    created_at = models.DateTimeField()
    start_at = models.DateTimeField()
    lifetime_minutes = models.PositiveIntegerField()
    is_usable_once = models.BooleanField(default=False)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Temporary Access Pass of {self.user_id}"
