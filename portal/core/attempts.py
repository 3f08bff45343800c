"""The brute-force limit on verification codes, enforced before Graph is asked.

Per person and per serial (settings.CODE_ATTEMPT_LIMIT wrong codes within
CODE_ATTEMPT_WINDOW_SECONDS). Shared by every worker process through the database; race-free
because counting and reserving happen in one transaction holding row locks (and SQLite's
IMMEDIATE transactions serialise writers anyway).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from portal.core.models import AttemptLock, CodeAttempt
from portal.core.serials import serial_normalise


class TooManyAttempts(Exception):
    def __init__(self, unlock_at: datetime) -> None:
        super().__init__("too many wrong codes")
        self.unlock_at = unlock_at


@dataclass(frozen=True)
class Attempt:
    id: int


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def serial_key(serial: str) -> str:
    return _key("serial", serial_normalise(serial))


def attempt_begin(*, person_oid: str, serial: str) -> Attempt:
    """Reserve one attempt, or raise TooManyAttempts with the time it unlocks."""
    person, token = _key("person", person_oid), serial_key(serial)
    now = timezone.now()
    window_start = now - timedelta(seconds=settings.CODE_ATTEMPT_WINDOW_SECONDS)
    with transaction.atomic():
        for key in sorted((f"p:{person}", f"s:{token}")):  # fixed order: no deadlock between two keys
            AttemptLock.objects.get_or_create(key=key)
            AttemptLock.objects.select_for_update().get(key=key)
        recent = CodeAttempt.objects.filter(at__gte=window_start)
        for scope in (recent.filter(person_key=person), recent.filter(serial_key=token)):
            if scope.count() >= settings.CODE_ATTEMPT_LIMIT:
                oldest = scope.aggregate(oldest=Min("at"))["oldest"] or now
                raise TooManyAttempts(oldest + timedelta(seconds=settings.CODE_ATTEMPT_WINDOW_SECONDS))
        row = CodeAttempt.objects.create(at=now, person_key=person, serial_key=token)
    return Attempt(id=row.id)


def attempt_finish(attempt: Attempt, *, wrong_code: bool) -> None:
    """A wrong code keeps counting; anything else (success, or a failure that says nothing about
    the code) gives the place back."""
    if wrong_code:
        CodeAttempt.objects.filter(id=attempt.id).update(outcome=CodeAttempt.Outcome.WRONG)
    else:
        CodeAttempt.objects.filter(id=attempt.id).delete()


def attempts_clear_old() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.CODE_ATTEMPT_WINDOW_SECONDS)
    deleted, _ = CodeAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted
