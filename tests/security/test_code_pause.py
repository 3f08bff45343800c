"""What a person is told about the wrong-code limits (issue 12, point 4): how many tries are left,
with the real numbers of the settings; when code entry opens again, in their own time zone; and a
serial the inventory does not hold is still answered as such while only the person is paused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.core.attempts import (
    Lockout,
    Paused,
    TooManyAttempts,
    TriesLeft,
    attempt_begin,
    attempt_finish,
    attempts_left,
    lockout_of_person,
)
from portal.core.wording import lockout_params, tries_left_text
from portal.program.models import ProgramToken, SnapshotRun
from portal.sandbox.requestlog import count_graph_calls
from tests.support.admins import EMPLOYEE
from tests.support.signin import signed_in_client
from tests.support.tokens import wrong_code_for

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FREE_SERIAL = "60200104"  # in the demo inventory, unassigned
ANOTHER_FREE = "60200105"


def wrong(person: str, serial: str, at: datetime) -> TriesLeft | Paused:
    attempt = attempt_begin(person_oid=person, serial=serial, now=at)
    attempt_finish(attempt, wrong_code=True)
    return attempts_left(attempt, now=at)


def test_tries_left_count_down_to_the_pause_with_the_settings_numbers(settings: Any) -> None:
    settings.CODE_ATTEMPT_LIMIT, settings.CODE_ATTEMPT_WINDOW_SECONDS = 4, 10 * 60
    settings.CODE_ATTEMPT_DAILY_LIMIT = 20
    left = [wrong("person", "TRIES-1", T0 + timedelta(seconds=n)) for n in range(4)]
    assert left[:3] == [TriesLeft(n, Lockout.WINDOW, timedelta(minutes=10)) for n in (3, 2, 1)]
    assert left[3] == Paused(T0 + timedelta(minutes=10), Lockout.WINDOW, by_person=True)
    assert tries_left_text(left[0]) == "You have 3 tries left before code entry pauses. The pause lasts 10 minutes."
    assert tries_left_text(left[2]) == "You have 1 try left before code entry pauses. The pause lasts 10 minutes."
    with timezone.override("UTC"):
        last = tries_left_text(left[3])
    assert last == "That was the last try: code entry is paused until 9:10 a.m. to protect the account."


def test_each_count_of_the_tries_left_has_its_own_plural(settings: Any) -> None:
    settings.CODE_ATTEMPT_LIMIT, settings.CODE_ATTEMPT_WINDOW_SECONDS = 3, 60
    settings.CODE_ATTEMPT_DAILY_LIMIT = 20
    left = wrong("person", "TRIES-3", T0)
    assert tries_left_text(left) == "You have 2 tries left before code entry pauses. The pause lasts 1 minute."


def test_the_daily_cap_is_named_when_it_is_the_nearer_limit(settings: Any) -> None:
    settings.CODE_ATTEMPT_LIMIT, settings.CODE_ATTEMPT_WINDOW_SECONDS = 5, 15 * 60
    settings.CODE_ATTEMPT_DAILY_LIMIT = 7
    for n in range(5):
        wrong("person", "TRIES-2", T0 + timedelta(seconds=n))
    later = T0 + timedelta(minutes=20)  # the short window has passed: 5 of the day's 7 are used
    left = wrong("person", "TRIES-2", later)
    assert left == TriesLeft(1, Lockout.DAY, timedelta(hours=24))
    assert tries_left_text(left) == "You have 1 try left today before code entry pauses for up to 24 hours."
    assert wrong("person", "TRIES-2", later + timedelta(seconds=1)) == Paused(
        T0 + timedelta(hours=24), Lockout.DAY, by_person=True
    )


def test_the_unlock_time_is_in_the_readers_time_zone_without_naming_utc() -> None:
    unlock = datetime(2026, 3, 2, 10, 44, tzinfo=UTC)
    with timezone.override("Europe/Berlin"):
        assert lockout_params(unlock) == {"time": "11:44 a.m.", "day": "2 Mar 2026"}
    with timezone.override("America/New_York"):
        assert lockout_params(unlock)["time"] == "5:44 a.m."


def test_a_pause_ends_at_the_later_limit_when_both_are_reached(settings: Any) -> None:
    # Before: the short window's end was named though the day's cap kept refusing after it.
    settings.CODE_ATTEMPT_LIMIT, settings.CODE_ATTEMPT_WINDOW_SECONDS = 3, 15 * 60
    settings.CODE_ATTEMPT_DAILY_LIMIT = 3
    for n in range(3):
        wrong("person", "BOTH-1", T0 + timedelta(seconds=n))
    with pytest.raises(TooManyAttempts) as refused:
        attempt_begin(person_oid="person", serial="BOTH-1", now=T0 + timedelta(minutes=1))
    assert refused.value.lockout is Lockout.DAY and refused.value.unlock_at == T0 + timedelta(hours=24)
    locked = lockout_of_person(person_oid="person", now=T0 + timedelta(minutes=1))
    assert locked is not None and locked.until == T0 + timedelta(hours=24) and locked.wrong_codes_today == 3


def snapshot_of(*serials: str) -> None:
    SnapshotRun.objects.create(outcome=SnapshotRun.Outcome.SUCCESS, finished_at=timezone.now())
    for n, serial in enumerate(serials):
        ProgramToken.objects.create(device_id=f"device-{n}", serial_number=serial, status="available")


def paused_employee(settings: Any) -> Client:
    """Adele, paused by her own wrong codes for one token (two, with a limit of two)."""
    settings.CODE_ATTEMPT_LIMIT = 2
    adele = signed_in_client(EMPLOYEE)
    for _ in range(2):
        adele.post("/tokens/add", {"serial_number": FREE_SERIAL, "code": wrong_code_for(FREE_SERIAL)})
    return adele


def test_an_unknown_serial_is_answered_during_the_persons_pause_and_no_code_is_sent(
    demo_tenant: None, settings: Any
) -> None:
    snapshot_of(FREE_SERIAL, ANOTHER_FREE)
    adele = paused_employee(settings)
    with count_graph_calls() as graph:
        page = adele.post("/tokens/add", {"serial_number": "NO-SUCH-7", "code": "123456"}).content.decode()
    assert "No token with that serial number is in your organisation" in page
    assert "Too many wrong codes" not in page
    assert graph.requests == []  # answered from the portal's own records: the code went nowhere
    assert AuditEvent.objects.filter(reason="unknown_serial", outcome="failure").count() == 1
    # A serial the inventory holds stays paused: the pause is the person's, whatever the token.
    with count_graph_calls() as graph:
        held = adele.post("/tokens/add", {"serial_number": ANOTHER_FREE, "code": "123456"}).content.decode()
    assert "Too many wrong codes" in held and graph.requests == []


def test_without_a_snapshot_the_pause_is_kept_for_any_serial(demo_tenant: None, settings: Any) -> None:
    # The portal can't tell an unknown serial from a token added since: nothing is said about it.
    adele = paused_employee(settings)
    with count_graph_calls() as graph:
        page = adele.post("/tokens/add", {"serial_number": "NO-SUCH-7", "code": "123456"}).content.decode()
    assert "Too many wrong codes" in page and graph.requests == []


def test_a_paused_token_is_not_answered_as_unknown_even_if_the_snapshot_lacks_it(
    demo_tenant: None, settings: Any
) -> None:
    snapshot_of(ANOTHER_FREE)  # built before FREE_SERIAL was imported, say
    adele = paused_employee(settings)
    page = adele.post("/tokens/add", {"serial_number": FREE_SERIAL, "code": "123456"}).content.decode()
    assert "Too many wrong codes" in page and "No token with that serial number" not in page
