"""Import jobs and their rows.

A job goes: analysing (rows stored, dry-run lookups running) → draft (dry run ready) → queued
(confirmed) → running → done | failed | cancelled. Discarding a draft deletes it.

What is kept secret, and for how long:
* `ImportRow.secret`: the seed (Base32), Fernet-sealed, only while the row may still be sent; set
  to b"" the moment the row is finished, skipped or rejected, and for every row when the job ends.
* `ImportJob.delegated_cache`: the admin's MSAL token cache, sealed, only while a task of the job
  needs to call Graph (analysing, queued, running); erased when the dry run is ready and when the
  job ends.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        SEED = "seed", _("Seed file import")
        ASSIGNMENT = "assignment", _("Bulk assignment")

    class Status(models.TextChoices):
        ANALYSING = "analysing", _("Checking the file")
        DRAFT = "draft", _("Dry run ready")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.ANALYSING, Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    #: In URLs instead of the sequential id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ANALYSING, db_index=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_by_upn = models.CharField(max_length=255, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=32, blank=True)
    format_label = models.CharField(max_length=120, blank=True)
    default_manufacturer = models.CharField(max_length=120, blank=True)
    default_model = models.CharField(max_length=120, blank=True)
    #: Seed jobs: send `assignTo` for rows that name a user (the admin's roles allow assigning).
    assign_allowed = models.BooleanField(default=False)
    #: A bulk assignment made from a finished seed job's tokens that were created without their
    #: assignment (services.followup): the seed job it completes.
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )

    # Sizes and progress. `to_send` rows have a verdict that makes them go to Graph.
    total_rows = models.PositiveIntegerField(default=0)
    analysed_rows = models.PositiveIntegerField(default=0)
    to_send = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    #: Dry-run verdict → count, written when the dry run is ready.
    plan = models.JSONField(default=dict, blank=True)
    #: Outcome → count, written when the job ends.
    results = models.JSONField(default=dict, blank=True)
    #: Why the job failed, in words for the admin (never a Graph message), and a stable code.
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Acting for the admin (portal.identity.delegation): sealed, erased when no task needs it.
    delegated_cache = models.BinaryField(default=b"", editable=False)
    home_account_id = models.CharField(max_length=255, blank=True)

    # Running: cancel between chunks; the lease says a live worker holds the job.
    cancel_requested = models.BooleanField(default=False)
    cancelled_by_upn = models.CharField(max_length=255, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires = models.DateTimeField(null=True, blank=True)
    #: How many times a worker started running the job (more than 1: it was resumed).
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def polling(self) -> bool:
        """Whether a page showing this job should keep asking for news."""
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.ANALYSING:
            done, total = self.analysed_rows, self.total_rows
        else:
            done, total = self.processed_rows, self.to_send
        if total <= 0:
            return 100 if self.finished else 0
        return min(100, (100 * done) // total)


class ImportRow(models.Model):
    class Verdict(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        CREATE = "create", _("Create")
        CREATE_ASSIGN = "create_assign", _("Create and assign")
        #: The row names a user, but the token is created without the assignment (`unassigned_because`).
        CREATE_UNASSIGNED = "create_unassigned", _("Create, not assigned")
        ASSIGN = "assign", _("Assign")
        SKIP_DUPLICATE_FILE = "skip_duplicate_file", _("Skip: repeated in this file")
        SKIP_EXISTS = "skip_exists", _("Skip: already in the inventory")
        SKIP_ASSIGNED = "skip_assigned", _("Skip: already assigned to this user")
        REJECT = "reject", _("Rejected")

    SENDING = (Verdict.CREATE, Verdict.CREATE_ASSIGN, Verdict.CREATE_UNASSIGNED, Verdict.ASSIGN)
    SKIPPING = (Verdict.SKIP_DUPLICATE_FILE, Verdict.SKIP_EXISTS, Verdict.SKIP_ASSIGNED)

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CREATED = "created", _("Created")
        #: Created, and not assigned to the user the row names (verdict CREATE_UNASSIGNED).
        CREATED_UNASSIGNED = "created_unassigned", _("Created, not assigned")
        ASSIGNED = "assigned", _("Assigned")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")
        REJECTED = "rejected", _("Not sent (rejected)")
        CANCELLED = "cancelled", _("Not sent (cancelled)")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    #: The row (or record) number as the admin counts it in the file.
    row_number = models.PositiveIntegerField()
    serial = models.CharField(max_length=255, blank=True)
    assignee_upn = models.CharField(max_length=255, blank=True)
    #: The directory object id the UPN resolved to (dry run).
    assignee_id = models.CharField(max_length=64, blank=True)

    # What a seed row sends besides the secret (nothing here is secret).
    manufacturer = models.CharField(max_length=255, blank=True)
    model = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    time_interval = models.PositiveSmallIntegerField(null=True, blank=True)
    hash_function = models.CharField(max_length=16, blank=True)
    #: Fernet-sealed Base32 seed; b"" once the row no longer needs it (see the module docstring).
    secret = models.BinaryField(default=b"", editable=False)

    verdict = models.CharField(max_length=24, choices=Verdict.choices, default=Verdict.PENDING)
    #: Why the row is skipped or rejected, or a note about the plan (dry run).
    reason = models.TextField(blank=True)
    #: Verdict CREATE_UNASSIGNED: why the assignment is dropped (a portal.core.reasons.Reason value).
    unassigned_because = models.CharField(max_length=32, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, default=Outcome.PENDING)
    #: What happened when it was sent, in words for the admin.
    detail = models.TextField(blank=True)
    #: The inventory token (created, found, or to assign).
    device_id = models.CharField(max_length=64, blank=True)
    #: Set just before the row goes to Graph. A row still pending with `sent_at` set may have been
    #: created without us hearing back: it is looked up by serial before it is sent again.
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["row_number", "id"]
        constraints = [models.UniqueConstraint(fields=["job", "row_number"], name="import_row_unique_number")]
        indexes = [
            models.Index(fields=["job", "outcome", "row_number"], name="import_row_outcome"),
            models.Index(fields=["job", "verdict"], name="import_row_verdict"),
        ]

    def __str__(self) -> str:  # never the secret
        return f"row {self.row_number} {self.serial} {self.verdict}/{self.outcome}"
