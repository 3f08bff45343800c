"""Reminders while a token stays assigned but not activated, and the administrators' digest — on an
injected clock: every schedule is a function of `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from portal.core.events import TokenChange, TokenEvent, token_event_emit
from portal.graph.types import TokenStatus
from portal.notifications.delivery import notification_message
from portal.notifications.models import Kind, Notification
from portal.notifications.schedule import activation_reminders_send, admin_digest_send, digest_period
from portal.program.models import ProgramToken, SnapshotRun
from portal.sandbox import seed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("graph_mail")]

MEGAN_UPN = f"megan.bowen@{seed.DOMAIN}"
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def event(change: TokenChange, *, at: datetime, serial: str = "60200104", n: int = 1) -> None:
    token_event_emit(
        TokenEvent(
            change=change,
            person_oid=seed.MEGAN,
            person_upn=MEGAN_UPN,
            serial=serial,
            method_id="2b1f5b43-0000-4000-8000-000000000002",
            occurrence=f"test:{change}:{n}",
            at=at,
        )
    )


def reminders() -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.ACTIVATION_REMINDER).order_by("id"))


def days(n: float) -> timedelta:
    return timedelta(days=n)


def test_reminders_after_n_days_then_every_n_days_at_most_m_times(settings: Any) -> None:
    settings.REMINDER_AFTER_DAYS, settings.REMINDER_MAX = 3, 2
    event(TokenChange.ASSIGNED, at=MONDAY)
    assert activation_reminders_send(now=MONDAY + days(3) - timedelta(minutes=1)) == 0
    assert activation_reminders_send(now=MONDAY + days(3)) == 1
    assert activation_reminders_send(now=MONDAY + days(3) + timedelta(hours=1)) == 0  # once per step
    assert activation_reminders_send(now=MONDAY + days(5)) == 0
    assert activation_reminders_send(now=MONDAY + days(6)) == 1
    assert activation_reminders_send(now=MONDAY + days(30)) == 0  # at most twice
    first, second = reminders()
    assert (first.context["number"], first.context["last"], first.context["days"]) == (1, False, 3)
    assert (second.context["number"], second.context["last"]) == (2, True)
    assert second.to_address == MEGAN_UPN
    text = notification_message(second).body
    assert "6 days ago" in text and "last reminder" in text
    assert "/tokens/2b1f5b43-0000-4000-8000-000000000002/activate" in text


def test_a_late_run_sends_one_reminder_not_a_burst(settings: Any) -> None:
    settings.REMINDER_AFTER_DAYS, settings.REMINDER_MAX = 3, 3
    event(TokenChange.ASSIGNED, at=MONDAY)
    assert activation_reminders_send(now=MONDAY + days(20)) == 1  # the worker was down for weeks
    assert activation_reminders_send(now=MONDAY + days(20)) == 0


@pytest.mark.parametrize("change", [TokenChange.ACTIVATED, TokenChange.REMOVED, TokenChange.LOST_OR_BROKEN])
def test_no_reminder_once_the_token_is_activated_removed_or_lost(change: TokenChange, settings: Any) -> None:
    settings.REMINDER_AFTER_DAYS = 3
    event(TokenChange.ASSIGNED, at=MONDAY)
    event(change, at=MONDAY + days(1))
    assert activation_reminders_send(now=MONDAY + days(10)) == 0


def test_reminders_can_be_switched_off(settings: Any) -> None:
    event(TokenChange.ASSIGNED, at=MONDAY)
    settings.NOTIFICATIONS_OFF = ["activation_reminder"]
    assert activation_reminders_send(now=MONDAY + days(10)) == 0
    settings.NOTIFICATIONS_OFF, settings.REMINDER_MAX = [], 0
    assert activation_reminders_send(now=MONDAY + days(10)) == 0


def failed_activation(serial: str, *, assigned: datetime) -> None:
    """A token the snapshot saw in failedActivation (whoever assigned it, wherever)."""
    ProgramToken.objects.create(
        device_id=f"dev-{serial}",
        serial_number=serial,
        status=TokenStatus.FAILED_ACTIVATION,
        holder_id=seed.ALEX,
        holder_name="Alex Wilber",
        holder_upn=f"alex.wilber@{seed.DOMAIN}",
        holder_exists=True,
        holder_enabled=True,
        assigned_at=assigned,
    )


def snapshot_at(at: datetime) -> None:
    SnapshotRun.objects.create(started_at=at, finished_at=at, outcome=SnapshotRun.Outcome.SUCCESS)


def digests() -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.ADMIN_DIGEST).order_by("to_address"))


def test_weekly_digest_lists_what_needs_attention_once_a_week(settings: Any) -> None:
    settings.DIGEST_TO = ["it-security@contoso-sandbox.example", "isaiah.langer@contoso-sandbox.example"]
    settings.DIGEST_EVERY, settings.PROGRAM_REFRESH_MINUTES = "weekly", 60 * 24 * 7
    snapshot_at(MONDAY - timedelta(hours=1))
    failed_activation("60200102", assigned=MONDAY - days(3))

    assert admin_digest_send(now=MONDAY) == 2
    assert admin_digest_send(now=MONDAY + days(3)) == 0  # same week
    first = digests()[0]
    assert first.context["failed_total"] == 1 and first.context["waiting_total"] == 0
    message = notification_message(first)
    assert message.subject == "Token portal weekly digest: 1 item needs your attention"
    assert "Alex Wilber (alex.wilber@contoso-sandbox.example), token 60200102" in message.body
    assert "http://127.0.0.1:8000/admin/attention/failed_activation/" in message.body

    assert admin_digest_send(now=MONDAY + days(7)) == 2  # next week: still failed
    assert digest_period(MONDAY + days(7))[0] == "2026-W11"


def test_daily_digest_and_nothing_to_report(settings: Any) -> None:
    settings.DIGEST_TO, settings.DIGEST_EVERY = ["it-security@contoso-sandbox.example"], "daily"
    snapshot_at(MONDAY - timedelta(hours=1))
    assert admin_digest_send(now=MONDAY) == 0  # a fresh snapshot, nothing needs attention: no mail
    failed_activation("60200102", assigned=MONDAY - days(3))
    assert admin_digest_send(now=MONDAY) == 1
    assert notification_message(digests()[0]).subject == "Token portal daily digest: 1 item needs your attention"
    assert admin_digest_send(now=MONDAY + timedelta(hours=5)) == 0
    snapshot_at(MONDAY + timedelta(hours=23))
    assert admin_digest_send(now=MONDAY + days(1)) == 1
    assert [d.idempotency_key for d in digests()] == [
        "admin_digest:2026-03-02:it-security@contoso-sandbox.example",
        "admin_digest:2026-03-03:it-security@contoso-sandbox.example",
    ]


def test_no_addresses_no_digest(settings: Any) -> None:
    settings.DIGEST_TO = []
    failed_activation("60200102", assigned=MONDAY - days(1))
    assert admin_digest_send(now=MONDAY) == 0


def test_the_notification_work_is_registered_in_the_one_periodic_home(settings: Any) -> None:
    from io import StringIO

    settings.DIGEST_TO = []
    out = StringIO()
    call_command("run_periodic", "--list", stdout=out)
    assert {"notifications.recover", "notifications.reminders", "notifications.digest"} <= {
        line.split()[0] for line in out.getvalue().splitlines()
    }
    for name in ("notifications.recover", "notifications.reminders", "notifications.digest"):
        ran = StringIO()
        call_command("run_periodic", "--only", name, stdout=ran)
        assert ran.getvalue().strip() == f"{name}: 0"
