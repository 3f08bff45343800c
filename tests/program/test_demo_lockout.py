"""The demo's "locked out" case: `make run` and `make sandbox-reset` lock a demo person out through
the portal's own wrong-code limit (manage.py attempts_lockout), so the queue shows every kind of item."""

from __future__ import annotations

import re
import shlex
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.core.attempts import TooManyAttempts, attempt_begin, lockouts_current, person_key
from portal.sandbox import seed
from tests.support.admins import PRIV_AUTH_ADMIN, READER, SignedIn, snapshot_refreshed

pytestmark = pytest.mark.django_db(transaction=True)

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def demo_lockout_args() -> list[str]:
    """The arguments `make run` gives manage.py attempts_lockout."""
    found = re.search(r"^DEMO_LOCKOUT := (.+)$", MAKEFILE.read_text(), re.M)
    assert found
    assert "attempts_lockout $(DEMO_LOCKOUT)" in MAKEFILE.read_text()
    return shlex.split(found.group(1))


def run_demo_lockout() -> None:
    oid, serial, *options = demo_lockout_args()
    call_command("attempts_lockout", oid, serial, *options, verbosity=0)


def test_the_demo_shows_a_locked_out_person_in_the_queue(signed_in: SignedIn) -> None:
    oid, serial, *_ = demo_lockout_args()
    assert oid == seed.JOHANNA and any(t.serial == serial and t.holder == oid for t in seed.TOKENS)
    run_demo_lockout()
    snapshot_refreshed(signed_in(PRIV_AUTH_ADMIN))
    page = signed_in(READER).get("/admin/").content.decode()
    [locked] = re.findall(r'<li class="attention-item" data-rule="locked_out">(.*?)</li>', page, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", locked))
    assert "Johanna Lorenz" in text and f"johanna.lorenz@{seed.DOMAIN}" in text and serial in text
    assert "10 wrong codes" in text  # the day's limit: the lockout lasts the day, not 15 minutes
    with pytest.raises(TooManyAttempts):  # she is refused, as after typing them herself
        attempt_begin(person_oid=oid, serial=serial)


def test_the_demo_lockout_lasts_the_day_and_is_not_doubled() -> None:
    oid = demo_lockout_args()[0]
    run_demo_lockout()
    now = timezone.now()
    key = f"p:{person_key(oid)}"
    assert [item.key for item in lockouts_current(now=now + timedelta(hours=20))] == [key]
    assert lockouts_current(now=now + timedelta(hours=25)) == []
    [before] = lockouts_current(now=now)
    run_demo_lockout()  # `make run` again: she is locked out already
    [after] = lockouts_current(now=timezone.now())
    assert after.wrong_codes == before.wrong_codes == 10
