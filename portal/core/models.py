from __future__ import annotations

from django.db import models


class CodeAttempt(models.Model):
    """One verification-code attempt, counted by the brute-force limit (portal.core.attempts).

    Rows are keyed by a hash of who and which serial, never by the code; a "pending" row holds a
    place while Graph is asked, so parallel requests cannot slip past the limit together.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending"
        WRONG = "wrong"

    at = models.DateTimeField(db_index=True)
    person_key = models.CharField(max_length=64, db_index=True)
    serial_key = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)


class AttemptLock(models.Model):
    """A row to lock (SELECT … FOR UPDATE) so that counting and reserving an attempt is atomic."""

    key = models.CharField(max_length=80, primary_key=True)


class PeriodicRun(models.Model):
    """When a periodic job (portal.core.periodic) last ran: the claim that keeps two workers from
    running it twice in one interval, and what an operator looks at."""

    class Outcome(models.TextChoices):
        OK = "ok"
        FAILED = "failed"

    name = models.CharField(max_length=80, primary_key=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    last_count = models.BigIntegerField(default=0)
