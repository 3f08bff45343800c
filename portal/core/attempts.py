"""The brute-force limits on verification codes, enforced before Graph is asked.

Per person and per token, two limits (a wrong code counts against both the person entering it and
the token it was entered for):

* the short one: settings.CODE_ATTEMPT_LIMIT wrong codes within CODE_ATTEMPT_WINDOW_SECONDS;
* the daily one: CODE_ATTEMPT_DAILY_LIMIT wrong codes within 24 hours (0: off). Entra accepts a
  code from a token whose clock drifted by up to a day or two, about 1 in 174 random guesses; the
  short limit alone would still allow some 480 guesses a day (SECURITY.md).

A token is its serial number, whichever area the code is entered in (self-service or admin) and
whether the page knew it by serial or by method id: one token, one count. Rows hold keyed hashes
(HMAC-SHA256 with a key derived from SECRET_KEY), never the code, the person's id or the serial.

Shared by every worker process through the database; race-free because counting and reserving
happen in one transaction holding row locks (and SQLite's IMMEDIATE transactions serialise writers
anyway). `attempts_purge` (a periodic job, portal.core.maintenance) deletes rows nothing counts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.core.models import AttemptLock, CodeAttempt
from portal.core.serials import serial_normalise
from portal.identity.models import User

DAY = timedelta(hours=24)


class Lockout(enum.Enum):
    """Which limit was reached: the short window's, or the day's."""

    WINDOW = "too_many_attempts"
    DAY = "too_many_attempts_today"


class TooManyAttempts(Exception):
    def __init__(self, unlock_at: datetime, lockout: Lockout = Lockout.WINDOW, *, token_paused: bool = True) -> None:
        super().__init__("too many wrong codes")
        self.unlock_at = unlock_at
        self.lockout = lockout
        #: The token's own count reached a limit (False: only the person's did, whatever the serial).
        self.token_paused = token_paused


@dataclass(frozen=True)
class Attempt:
    id: int
    person_key: str
    serial_key: str


@dataclass(frozen=True)
class TriesLeft:
    """How many more wrong codes the nearest limit allows, and the pause that follows them."""

    count: int
    lockout: Lockout
    #: How long the pause after the last try lasts at most (the limit's window).
    pause: timedelta


@dataclass(frozen=True)
class Paused:
    """Code entry is paused (for this person, or this token) until `until`."""

    until: datetime
    lockout: Lockout
    #: The person's own count reached the limit (else the token's).
    by_person: bool = True


@dataclass(frozen=True)
class Limit:
    count: int
    window: timedelta
    lockout: Lockout


def attempt_limits() -> list[Limit]:
    limits = [
        Limit(settings.CODE_ATTEMPT_LIMIT, timedelta(seconds=settings.CODE_ATTEMPT_WINDOW_SECONDS), Lockout.WINDOW)
    ]
    if settings.CODE_ATTEMPT_DAILY_LIMIT > 0:
        limits.append(Limit(settings.CODE_ATTEMPT_DAILY_LIMIT, DAY, Lockout.DAY))
    return limits


def _key(kind: str, value: str) -> str:
    # Keyed: without SECRET_KEY nobody can tell from a row whose attempt it was or for which serial.
    return salted_hmac("portal.core.attempts", f"{kind}:{value}", algorithm="sha256").hexdigest()


def person_key(person_oid: str) -> str:
    return _key("person", person_oid)


def token_key(serial: str) -> str:
    """One key per token: serials in their canonical form (portal.core.serials)."""
    return _key("serial", serial_normalise(serial))


def attempt_begin(*, person_oid: str, serial: str, now: datetime | None = None) -> Attempt:
    """Reserve one attempt, or raise TooManyAttempts with the time it unlocks."""
    person, token = person_key(person_oid), token_key(serial)
    now = now or timezone.now()
    with transaction.atomic():
        for key in sorted((f"p:{person}", f"s:{token}")):  # fixed order: no deadlock between two keys
            AttemptLock.objects.select_for_update().get_or_create(key=key)
        pauses, _ = _standing(person, token, now)
        if pauses:
            latest = _latest(pauses)
            raise TooManyAttempts(
                latest.until, latest.lockout, token_paused=any(not pause.by_person for pause in pauses)
            )
        row = CodeAttempt.objects.create(at=now, person_key=person, serial_key=token)
        # Their key, for naming a lockout without hashing every user (one indexed update, usually of no row).
        User.objects.filter(username=person_oid).exclude(attempts_key=person).update(attempts_key=person)
    return Attempt(id=row.id, person_key=person, serial_key=token)


def attempt_finish(attempt: Attempt, *, wrong_code: bool) -> None:
    """A wrong code keeps counting; anything else (success, or a failure that says nothing about
    the code) gives the place back."""
    if wrong_code:
        CodeAttempt.objects.filter(id=attempt.id).update(outcome=CodeAttempt.Outcome.WRONG)
    else:
        CodeAttempt.objects.filter(id=attempt.id).delete()


def attempts_left(attempt: Attempt, *, now: datetime | None = None) -> TriesLeft | Paused:
    """After a wrong code: the tries the nearest limit still allows (for this person and this
    token alike), or the pause that code has just started."""
    pauses, nearest = _standing(attempt.person_key, attempt.serial_key, now or timezone.now())
    return _latest(pauses) if pauses else nearest


def pause_current(*, person_oid: str, serial: str | None = None, now: datetime | None = None) -> Paused | None:
    """The pause attempt_begin would refuse this person (and this token, when the page knows it)
    with now, or None. A read: it reserves nothing and writes nothing, so a page can show the pause
    before anything is typed. Without a serial, only the person's own pause is known; whether a
    serial the inventory does not hold is still answered is attempt_or_refuse's (SECURITY.md)."""
    token = token_key(serial) if serial else None
    pauses, _ = _standing(person_key(person_oid), token, now or timezone.now())
    return _latest(pauses) if pauses else None


def token_lockout_key(*, serial_key: str, now: datetime | None = None) -> str:
    """The key `lockout_lift` takes to open code entry for this token again ("s:<hash>", from
    `token_key`), or "" when the token's own count is under every limit (only a person is paused)."""
    pauses, _ = _standing(None, serial_key, now or timezone.now())
    return f"s:{serial_key}" if pauses else ""


def _latest(pauses: list[Paused]) -> Paused:
    """Of the limits reached, the one that ends last: code entry opens only then."""
    return max(pauses, key=lambda pause: pause.until)


def _standing(person: str | None, token: str | None, now: datetime) -> tuple[list[Paused], TriesLeft]:
    """Every limit this person or this token (None: not asked about) has reached, and the tries the
    nearest other one allows."""
    pauses: list[Paused] = []
    nearest: TriesLeft | None = None
    for limit in attempt_limits():
        recent = CodeAttempt.objects.filter(at__gt=now - limit.window)
        scopes = [(True, recent.filter(person_key=person))] if person is not None else []
        if token is not None:
            scopes.append((False, recent.filter(serial_key=token)))
        for by_person, scope in scopes:
            used = scope.count()
            if used >= limit.count:
                oldest = scope.aggregate(oldest=Min("at"))["oldest"] or now
                pauses.append(Paused(oldest + limit.window, limit.lockout, by_person))
            elif nearest is None or limit.count - used < nearest.count:
                nearest = TriesLeft(limit.count - used, limit.lockout, limit.window)
    return pauses, nearest or TriesLeft(0, Lockout.WINDOW, timedelta(0))


def attempts_purge(*, now: datetime) -> int:
    """Delete attempts older than the longest limit's window, and the lock rows nothing uses."""
    longest = max(limit.window for limit in attempt_limits())
    deleted, _ = CodeAttempt.objects.filter(at__lte=now - longest).delete()
    live = {f"p:{key}" for key in CodeAttempt.objects.values_list("person_key", flat=True).distinct()}
    live |= {f"s:{key}" for key in CodeAttempt.objects.values_list("serial_key", flat=True).distinct()}
    unused, _ = AttemptLock.objects.exclude(key__in=live).delete()
    return deleted + unused


# -- lockouts, for the administrators' needs-attention queue -----------------------------------


@dataclass(frozen=True)
class LockedOut:
    """A person or a token that has reached a wrong-code limit and is refused until `until`."""

    #: "p:<hash>" (a person) or "s:<hash>" (a token): what `lockout_lift` takes.
    key: str
    since: datetime
    until: datetime
    wrong_codes: int
    #: The token keys the codes were typed for.
    serial_keys: frozenset[str]
    lockout: Lockout


def lockouts_current(*, now: datetime, folded: bool = True) -> list[LockedOut]:
    """Everyone and every token at a limit now (the short window's or the day's), as attempt_begin
    counts them. A token locked only by the codes of people who are locked out themselves is not
    listed again (unless not `folded`): lifting their lockout forgets those codes, which frees the
    token too."""
    found: dict[str, LockedOut] = {}
    for limit in attempt_limits():
        recent = list(
            CodeAttempt.objects.filter(at__gt=now - limit.window).values_list("person_key", "serial_key", "at")
        )
        by_person: dict[str, list[tuple[str, str, datetime]]] = {}
        by_token: dict[str, list[tuple[str, str, datetime]]] = {}
        for row in recent:
            by_person.setdefault(row[0], []).append(row)
            by_token.setdefault(row[1], []).append(row)

        def locked(key: str, rows: list[tuple[str, str, datetime]], limit: Limit = limit) -> LockedOut:
            ats = [at for _, _, at in rows]
            serials = frozenset(serial for _, serial, _ in rows)
            return LockedOut(key, max(ats), min(ats) + limit.window, len(rows), serials, limit.lockout)

        people = {person for person, rows in by_person.items() if len(rows) >= limit.count}
        candidates = [locked(f"p:{person}", by_person[person]) for person in people]
        candidates += [
            locked(f"s:{token}", rows)
            for token, rows in by_token.items()
            if len(rows) >= limit.count and not (folded and all(person in people for person, _, _ in rows))
        ]
        for item in candidates:
            if item.key not in found or item.until > found[item.key].until:
                found[item.key] = item
    return sorted(found.values(), key=lambda item: item.key)


@dataclass(frozen=True)
class PersonLockout:
    """A person's own pause, as their admin page shows it."""

    #: What `lockout_lift` takes.
    key: str
    until: datetime
    #: Their wrong codes in the last 24 hours (the daily limit's window).
    wrong_codes_today: int


def lockout_of_person(*, person_oid: str, now: datetime) -> PersonLockout | None:
    """This person's own lockout now (until the later end if both limits are reached), or None."""
    key = person_key(person_oid)
    locked = [item for item in lockouts_current(now=now) if item.key == f"p:{key}"]
    if not locked:
        return None
    today = CodeAttempt.objects.filter(person_key=key, at__gt=now - DAY).count()
    return PersonLockout(f"p:{key}", max(item.until for item in locked), today)


def lockout_lift(*, key: str) -> int:
    """Forget the codes behind a lockout (its "p:" or "s:" key), for both limits; returns how many."""
    prefix, _, value = key.partition(":")
    column = {"p": "person_key", "s": "serial_key"}.get(prefix)
    if column is None or not value:
        raise ValueError("not a lockout key")
    deleted, _ = CodeAttempt.objects.filter(**{column: value}).delete()
    return deleted


def lockout_stage(*, person_oid: str, serial: str, now: datetime) -> int:
    """Lock this person out the way wrong codes typed for `serial` would, through the same counting
    (for a demo, or to rehearse the queue's "locked out" item): wrong codes ending `now`, spaced so
    that the shortest limit is not reached before the longest one is (the day's, when on), so the
    lockout lasts as long as a real one can. Nothing when they are locked out already; returns how
    many wrong codes were recorded."""
    if any(item.key == f"p:{person_key(person_oid)}" for item in lockouts_current(now=now)):
        return 0
    limits = attempt_limits()
    longest = max(limits, key=lambda limit: limit.window)
    shortest = min(limits, key=lambda limit: limit.window)
    spacing = (
        shortest.window / max(shortest.count - 1, 1) + timedelta(seconds=1) if shortest is not longest else timedelta(0)
    )
    recorded = 0
    for step in range(longest.count):
        try:
            attempt = attempt_begin(
                person_oid=person_oid, serial=serial, now=now - spacing * (longest.count - 1 - step)
            )
        except TooManyAttempts:
            break  # codes typed before already count towards it
        attempt_finish(attempt, wrong_code=True)
        recorded += 1
    return recorded
