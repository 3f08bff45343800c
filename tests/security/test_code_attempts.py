"""The wrong-code limits (issue 11): one count per token across both areas, a daily cap, keyed
hashes in the rows, and lockouts an administrator can find."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from portal.audit.models import AuditEvent
from portal.core.attempts import Lockout, TooManyAttempts, attempt_begin, attempt_finish, attempts_purge
from portal.core.models import AttemptLock, CodeAttempt
from portal.sandbox import seed
from portal.sandbox.requestlog import count_graph_calls
from tests.support.signin import signed_in_client
from tests.support.tokens import token_id, wrong_code_for

PRE_ASSIGNED = "60200101"  # Adele's, assigned by IT, not activated yet
ADELE = f"adele.vance@{seed.DOMAIN}"
ISAIAH = f"isaiah.langer@{seed.DOMAIN}"  # Authentication Administrator: manages Adele's tokens
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def activations(graph: Any) -> list[str]:
    """Activation calls that reached Graph, as round trips or $batch members."""
    return [e.path for e in [*graph.requests, *graph.batch_items] if e.path.endswith("/activate")]


def wrong(person: str, serial: str, at: datetime) -> None:
    attempt_finish(attempt_begin(person_oid=person, serial=serial, now=at), wrong_code=True)


def test_one_token_one_count_across_self_service_and_the_admin_area(demo_tenant: None) -> None:
    # Before: self-service counted by method id, the admin area by serial: 10 wrong codes reached
    # Graph for one token instead of 5.
    adele, isaiah = signed_in_client(ADELE), signed_in_client(ISAIAH, admin=True)
    method = token_id(PRE_ASSIGNED)
    mine, theirs = f"/tokens/{method}/activate", f"/admin/users/{seed.ADELE}/tokens/{method}/activate"
    for _ in range(3):
        assert "not accepted" in adele.post(mine, {"code": wrong_code_for(PRE_ASSIGNED)}).content.decode()
    for _ in range(2):
        assert "not accept" in isaiah.post(theirs, {"code": wrong_code_for(PRE_ASSIGNED)}).content.decode()
    with count_graph_calls() as graph:
        sixth = isaiah.post(theirs, {"code": wrong_code_for(PRE_ASSIGNED)}).content.decode()
    assert "Too many wrong codes were entered for this token" in sixth
    assert activations(graph) == []  # the code never reached Graph
    # Adele's own limit is not reached (3 of 5), but the token's is: she is refused too.
    with count_graph_calls() as graph:
        again = adele.post(mine, {"code": wrong_code_for(PRE_ASSIGNED)}).content.decode()
    assert "Too many wrong codes" in again and activations(graph) == []
    reasons = AuditEvent.objects.filter(reason="too_many_attempts").values_list("actor_upn", flat=True)
    assert sorted(reasons) == [ADELE, ISAIAH]


def test_serials_count_as_one_token_whatever_their_case(db: None) -> None:
    for n in range(5):
        wrong(f"person-{n}", "ab-123" if n % 2 else " AB-123 ", T0)
    with pytest.raises(TooManyAttempts):
        attempt_begin(person_oid="person-9", serial="Ab-123", now=T0)


def test_the_daily_cap_holds_after_the_short_window_has_passed(db: None, settings: Any) -> None:
    settings.CODE_ATTEMPT_LIMIT, settings.CODE_ATTEMPT_WINDOW_SECONDS = 5, 15 * 60
    settings.CODE_ATTEMPT_DAILY_LIMIT = 8
    for n in range(5):
        wrong("guesser", "DAILY-1", T0 + timedelta(seconds=n))
    with pytest.raises(TooManyAttempts) as short:
        attempt_begin(person_oid="guesser", serial="DAILY-1", now=T0 + timedelta(minutes=1))
    assert short.value.lockout is Lockout.WINDOW and short.value.unlock_at == T0 + timedelta(minutes=15)
    # 16 minutes later the short window has passed: 3 more, and then the day's cap.
    later = T0 + timedelta(minutes=16)
    for n in range(3):
        wrong("guesser", "DAILY-1", later + timedelta(seconds=n))
    with pytest.raises(TooManyAttempts) as daily:
        attempt_begin(person_oid="guesser", serial="DAILY-1", now=T0 + timedelta(hours=3))
    assert daily.value.lockout is Lockout.DAY and daily.value.unlock_at == T0 + timedelta(hours=24)
    # Per token as well as per person: another person is refused for that token, and the guesser
    # for any other token.
    with pytest.raises(TooManyAttempts):
        attempt_begin(person_oid="someone-else", serial="DAILY-1", now=T0 + timedelta(hours=3))
    with pytest.raises(TooManyAttempts):
        attempt_begin(person_oid="guesser", serial="OTHER-2", now=T0 + timedelta(hours=3))
    # A day after the first guess, it opens again.
    attempt_begin(person_oid="guesser", serial="DAILY-1", now=T0 + timedelta(hours=24, seconds=1))


def test_the_daily_lockout_says_when_and_is_listed_for_administrators(demo_tenant: None, settings: Any) -> None:
    settings.CODE_ATTEMPT_DAILY_LIMIT = 2
    adele = signed_in_client(ADELE)
    url = f"/tokens/{token_id(PRE_ASSIGNED)}/activate"
    for _ in range(2):
        adele.post(url, {"code": wrong_code_for(PRE_ASSIGNED)})
    page = adele.post(url, {"code": wrong_code_for(PRE_ASSIGNED)}).content.decode()
    assert "Too many wrong codes were entered for this token (or by you) today" in page
    assert "You can try again after" in page and "nothing you type is sent to Microsoft Entra ID" in page
    # The administrators' view: the audit trail filtered to lockouts, linked from the overview.
    isaiah = signed_in_client(ISAIAH, admin=True)
    assert "/admin/audit/?kind=lockout" in isaiah.get("/admin/").content.decode()
    listed = isaiah.get("/admin/audit/", {"kind": "lockout"}).content.decode()
    assert ADELE in listed
    assert listed.count('class="badge outcome-') == 1  # the lockout, not the two wrong codes before it
    assert isaiah.get("/admin/audit/").content.decode().count('class="badge outcome-') == 3


def test_attempt_rows_hold_keyed_hashes_not_guessable_ones(db: None, settings: Any) -> None:
    wrong("0f1e2d3c-person", "KEYED-1", T0)
    row = CodeAttempt.objects.get()
    # Before: unsalted SHA-256 of "serial:KEYED-1", which anyone can compute from a serial.
    for guess in ("serial:KEYED-1", "KEYED-1", "person:0f1e2d3c-person", "0f1e2d3c-person"):
        assert hashlib.sha256(guess.encode()).hexdigest() not in (row.serial_key, row.person_key)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    wrong("0f1e2d3c-person", "KEYED-1", T0)
    other = CodeAttempt.objects.exclude(pk=row.pk).get()
    assert other.serial_key != row.serial_key and other.person_key != row.person_key


def test_old_attempts_and_their_locks_are_purged(db: None, settings: Any) -> None:
    settings.CODE_ATTEMPT_DAILY_LIMIT = 10
    wrong("old", "PURGE-1", T0)
    wrong("recent", "PURGE-2", T0 + timedelta(hours=20))
    assert AttemptLock.objects.count() == 4
    deleted = attempts_purge(now=T0 + timedelta(hours=24, seconds=1))
    assert deleted == 3  # one attempt, its two lock rows
    assert list(CodeAttempt.objects.values_list("at", flat=True)) == [T0 + timedelta(hours=20)]
    assert AttemptLock.objects.count() == 2
    # Without the daily cap, rows are kept only for the short window.
    settings.CODE_ATTEMPT_DAILY_LIMIT = 0
    assert attempts_purge(now=T0 + timedelta(hours=20, minutes=16)) == 3
    assert not CodeAttempt.objects.exists() and not AttemptLock.objects.exists()


def test_a_person_can_still_activate_after_wrong_codes_below_the_limit(employee_client: Client) -> None:
    url = f"/tokens/{token_id(PRE_ASSIGNED)}/activate"
    employee_client.post(url, {"code": wrong_code_for(PRE_ASSIGNED)})
    from tests.support.tokens import code_for, status_of

    assert employee_client.post(url, {"code": code_for(PRE_ASSIGNED)}).status_code == 302
    assert status_of(PRE_ASSIGNED) == "activated"
