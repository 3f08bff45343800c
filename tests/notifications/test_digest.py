"""The administrators' digest is the needs-attention queue (portal.program.attention) as of the stored
snapshot, plus the mail that could not be delivered: the same rules and PROGRAM_* thresholds as the
overview, in the recipient's language, never a misleading empty digest when the snapshot is missing
or stale. Delivered through a real SMTP server (aiosmtpd) where the content is read."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import formats, timezone

from portal.core.attempts import attempt_begin, attempt_finish, lockouts_current
from portal.graph.types import TokenStatus
from portal.identity.models import User
from portal.notifications.delivery import notification_deliver, notification_message
from portal.notifications.models import Kind, Notification
from portal.notifications.schedule import admin_digest_send
from portal.program.models import ProgramToken, RefreshDelegation, SnapshotRun
from portal.sandbox import seed
from portal.sandbox.models import HardwareToken
from tests.notifications.conftest import Relay, parts
from tests.support.admins import PRIV_AUTH_ADMIN, SignedIn, snapshot_refreshed
from tests.support.tokens import code_of

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMINS = "it-security@contoso-sandbox.example"
ROOT = Path(__file__).resolve().parents[2]


def days(n: float) -> timedelta:
    return timedelta(days=n)


def digests() -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.ADMIN_DIGEST).order_by("id"))


def snapshot(*, at: datetime) -> SnapshotRun:
    return SnapshotRun.objects.create(
        started_at=at - timedelta(minutes=1), finished_at=at, outcome=SnapshotRun.Outcome.SUCCESS
    )


def token(serial: str, *, status: str, assigned: datetime, name: str = "Megan Bowen", **fields: Any) -> ProgramToken:
    return ProgramToken.objects.create(
        device_id=f"dev-{serial}",
        serial_number=serial,
        status=status,
        holder_id=f"oid-{serial}",
        holder_name=name,
        holder_upn=f"{name.split()[0].lower()}@{seed.DOMAIN}",
        holder_exists=fields.pop("holder_exists", True),
        holder_enabled=fields.pop("holder_enabled", True),
        assigned_at=assigned,
        **fields,
    )


# -- built from the real snapshot of the demo tenant, delivered over SMTP ------------------------------


@pytest.mark.django_db(transaction=True)  # the real db_worker builds the snapshot
def test_the_digest_lists_every_rule_of_the_queue_in_the_recipients_language(
    signed_in: SignedIn, relay: Relay, settings: Any
) -> None:
    settings.DIGEST_TO, settings.DIGEST_EVERY = [PRIV_AUTH_ADMIN], "daily"
    lynne = signed_in(PRIV_AUTH_ADMIN)
    snapshot_refreshed(lynne)
    User.objects.filter(upn__iexact=PRIV_AUTH_ADMIN).update(language="de", time_zone="Europe/Berlin")
    User.objects.create(username=seed.ADELE, display_name="Adele Vance", upn=f"adele.vance@{seed.DOMAIN}")
    for _ in range(settings.CODE_ATTEMPT_LIMIT):
        attempt_finish(attempt_begin(person_oid=seed.ADELE, serial="60200104"), wrong_code=True)

    now = timezone.now()
    assert admin_digest_send(now=now) == 1
    [digest] = digests()
    assert notification_deliver(notification_id=digest.pk, now=now) == Notification.State.SENT
    [message] = relay.received
    text, html = parts(message)
    for part in (text, html):
        # The queue's rules, in German (the words the overview uses), each with who, which token, since when.
        assert "Aktivierung fehlgeschlagen" in part and "Alex Wilber" in part and "60200102" in part
        assert "Zugewiesen, aber nie aktiviert" in part and "Johanna Lorenz" in part and "60200109" in part
        assert "Grady Archie" in part and "SI-01000102" in part  # not used to sign in
        assert "Patti Fernandez" in part and "2100040003" in part  # activated, never used
        assert "Diego Siciliani" in part  # a disabled account holds a token
        assert "Lee Gu" in part  # a deleted account holds a token
        assert "Adele Vance" in part and "5" in part  # locked out by the wrong-code limit
        assert "http://127.0.0.1:8000/admin/attention/failed_activation/" in part
        assert "http://127.0.0.1:8000/admin/#attention-title" in part
    assert 'lang="de"' in html
    # Since when: the dates, in the recipient's zone (named with the snapshot's time).
    assert "(Europe/Berlin)" in text
    # Nothing secret: no lockout key, no sealed sign-in, no code of any token.
    [lockout] = lockouts_current(now=now)
    assert lockout.key not in text + html and lockout.key not in str(digest.context)
    assert "refresh_token" not in (text + html).lower()
    shown = {code_of(held) for held in HardwareToken.objects.all()}
    assert not [code for code in shown if re.search(rf"(?<![\d-]){code}(?![\d-])", text + html)]


# -- the same rules and thresholds as the overview -------------------------------------------------------


@pytest.mark.django_db
def test_tokens_assigned_outside_the_portal_count_with_the_queues_threshold(settings: Any) -> None:
    settings.DIGEST_TO, settings.DIGEST_EVERY = [ADMINS], "daily"
    snapshot(at=MONDAY - timedelta(minutes=30))
    # Assigned in the Entra admin center, ten days ago: the portal never saw the assignment.
    token("EXT-1", status=TokenStatus.ASSIGNED, assigned=MONDAY - days(10))
    settings.PROGRAM_NOT_ACTIVATED_DAYS = 14
    assert admin_digest_send(now=MONDAY) == 0  # a fresh snapshot and nothing in the queue: no mail
    settings.PROGRAM_NOT_ACTIVATED_DAYS = 7
    assert admin_digest_send(now=MONDAY) == 1
    body = notification_message(digests()[0]).body
    assert "Assigned but never activated (1)" in body
    assert "Assigned more than 7 days ago and still not activated." in body
    assert "Megan Bowen (megan@contoso-sandbox.example), token EXT-1 · Assigned" in body


@pytest.mark.django_db
def test_each_rule_names_its_first_items_and_links_to_the_rest(settings: Any) -> None:
    settings.DIGEST_TO, settings.DIGEST_EVERY, settings.DIGEST_ITEMS_PER_RULE = [ADMINS], "weekly", 2
    snapshot(at=MONDAY - timedelta(minutes=5))
    for n in range(5):
        token(f"FAIL-{n}", status=TokenStatus.FAILED_ACTIVATION, assigned=MONDAY - days(20 - n))
    token(
        "OFF-1", status=TokenStatus.ACTIVATED, assigned=MONDAY - days(100), name="Diego Siciliani", holder_enabled=False
    )
    assert admin_digest_send(now=MONDAY) == 1
    digest = digests()[0]
    assert digest.context["attention_total"] == 6 and digest.context["failed_total"] == 5
    message = notification_message(digest)
    text, html = message.body, str(message.alternatives[0][0])
    assert "FAIL-0" in text and "FAIL-1" in text and "FAIL-2" not in text  # the oldest first
    assert "And 3 more: all 5 at http://127.0.0.1:8000/admin/attention/failed_activation/" in text
    assert 'href="http://127.0.0.1:8000/admin/attention/failed_activation/">And 3 more: see all 5 in the queue' in html
    assert "Held by a disabled account (1)" in text and "Diego Siciliani" in text
    # One sentence, one count (every rule's items): no pieces glued together for the translators.
    assert message.subject == "Token portal weekly digest: 6 items need your attention"


# -- a missing or stale snapshot is said, never an empty digest ------------------------------------------


@pytest.mark.django_db
def test_without_a_snapshot_the_digest_says_so(settings: Any) -> None:
    settings.DIGEST_TO, settings.DIGEST_EVERY = [ADMINS], "daily"
    assert admin_digest_send(now=MONDAY) == 1
    message = notification_message(digests()[0])
    body = message.body
    assert message.subject == "Token portal daily digest"  # nothing to count, only the snapshot to mention
    assert "The token program has not been read yet." in body
    assert "as of" not in body and "Nothing in the queue" not in body


@pytest.mark.django_db
def test_a_stale_snapshot_is_dated_and_why_it_stopped_is_said(settings: Any) -> None:
    settings.DIGEST_TO, settings.DIGEST_EVERY, settings.PROGRAM_REFRESH_MINUTES = [ADMINS], "daily", 60
    snapshot(at=MONDAY - days(3))
    RefreshDelegation.objects.create(pk=1, sealed_cache=b"", home_account_id="", expired_at=MONDAY - days(3))
    assert admin_digest_send(now=MONDAY) == 1  # nothing in the queue, but it is three days old
    body = notification_message(digests()[0]).body
    as_of = formats.date_format(timezone.localtime(MONDAY - days(3)), "SHORT_DATETIME_FORMAT")
    assert f"the needs-attention queue as of {as_of} (UTC)" in body
    assert "has not been read again since then" in body
    assert "Automatic refreshes stopped: the stored sign-in has expired." in body
    assert "Nothing in the queue needed attention then." in body


@pytest.mark.django_db
def test_undelivered_mail_is_the_digests_own_concern(settings: Any) -> None:
    settings.DIGEST_TO, settings.DIGEST_EVERY = [ADMINS], "daily"
    snapshot(at=MONDAY - timedelta(minutes=5))
    Notification.objects.create(
        kind=Kind.TOKEN_ASSIGNED, to_address="x@example.org", idempotency_key="k", state=Notification.State.FAILED
    )
    Notification.objects.filter(idempotency_key="k").update(updated_at=MONDAY - timedelta(hours=2))
    assert admin_digest_send(now=MONDAY) == 1
    body = notification_message(digests()[0]).body
    assert "Mail that could not be delivered: 1 message. See http://127.0.0.1:8000/admin/mail/" in body


def test_the_old_threshold_name_is_read_with_a_warning(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROGRAM_", "DIGEST_"))}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; "
            "from django.core.management import call_command; call_command('check'); "
            "print('days', settings.PROGRAM_NOT_ACTIVATED_DAYS)",
        ],
        cwd=ROOT,
        env={**env, "PORTAL_VAR_DIR": str(tmp_path), "DIGEST_PENDING_DAYS": "9"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "days 9" in result.stdout
    assert "portal.notifications.W001" in result.stderr + result.stdout
    assert "Rename it to PROGRAM_NOT_ACTIVATED_DAYS" in result.stderr + result.stdout
