"""Periodic notification work, each a plain function of `now` (the clock is injected):

* `notifications_recover` — a message left "sending" past MAIL_SENDING_LEASE_SECONDS (its worker
  stopped mid-send) becomes "unconfirmed" (shown to administrators, never sent twice); a pending
  message that is due is handed to the worker again (its task may have been lost).
* `activation_reminders_send` — while a token stays assigned but not activated: a reminder after
  REMINDER_AFTER_DAYS days, then every REMINDER_AFTER_DAYS days (counted from the previous reminder
  when a run was late: never a burst), at most REMINDER_MAX times.
* `admin_digest_send` — once a day or once a week (DIGEST_EVERY), to DIGEST_TO: the needs-attention
  queue as of the stored snapshot, and the mail that could not be delivered since the last digest
  (portal.notifications.digest). Nothing to report on a fresh snapshot, no digest.
* `notifications_purge` — records of sent or undeliverable mail, and of reminders that are over,
  older than NOTIFICATION_RETENTION_DAYS: deleted.

All four are periodic jobs of the portal's one home for them (portal.notifications.maintenance):
the worker runs them; `manage.py run_periodic --only notifications.reminders` (etc.) by hand.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from portal.notifications.digest import digest_context, digest_worth_sending
from portal.notifications.models import AwaitingActivation, Kind, Notification
from portal.notifications.services import activation_url, kind_enabled, notification_enqueue, notification_schedule

logger = logging.getLogger(__name__)

State = Notification.State


def notifications_recover(*, now: datetime) -> int:
    stale = now - timedelta(seconds=settings.MAIL_SENDING_LEASE_SECONDS)
    stuck = Notification.objects.filter(state=State.SENDING, sending_since__lt=stale)
    for notification in stuck:
        logger.error(
            "Notification %s (%s): its send was interrupted; delivery unconfirmed", notification.pk, notification.kind
        )
    count = stuck.update(
        state=State.UNCONFIRMED, last_error="The send was interrupted; it may or may not have been delivered."
    )
    for notification in Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=now):
        notification_schedule(notification)
    return count


def activation_reminders_send(*, now: datetime) -> int:
    every = timedelta(days=settings.REMINDER_AFTER_DAYS)
    limit = settings.REMINDER_MAX
    if limit <= 0 or every <= timedelta(0) or not kind_enabled(Kind.ACTIVATION_REMINDER):
        return 0
    sent = 0
    waiting = AwaitingActivation.objects.filter(closed_at__isnull=True, reminders_sent__lt=limit)
    for row in waiting.filter(assigned_at__lte=now - every):
        number = row.reminders_sent + 1
        due = row.assigned_at + every * number
        if row.last_reminded_at is not None:  # after a late run, the next one is N days after it
            due = max(due, row.last_reminded_at + every)
        if now < due:
            continue
        notification_enqueue(
            kind=Kind.ACTIVATION_REMINDER,
            to_address=row.address,
            recipient_oid=row.person_oid,
            key=f"{Kind.ACTIVATION_REMINDER.value}:{row.pk}:{number}",
            context={
                "serial": row.serial,
                "at": row.assigned_at.isoformat(),
                "days": (now - row.assigned_at).days,
                "number": number,
                "last": number == limit,
                "activate_url": activation_url(row.method_id),
            },
            now=now,
        )
        AwaitingActivation.objects.filter(pk=row.pk).update(reminders_sent=number, last_reminded_at=now)
        sent += 1
    return sent


def digest_period(now: datetime) -> tuple[str, datetime]:
    """The digest's period key and its start, in the portal's time zone."""
    local = timezone.localtime(now)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if settings.DIGEST_EVERY == "daily":
        return local.strftime("%Y-%m-%d"), day
    year, week, weekday = local.isocalendar()
    return f"{year}-W{week:02d}", day - timedelta(days=weekday - 1)


def admin_digest_send(*, now: datetime) -> int:
    if not settings.DIGEST_TO or not kind_enabled(Kind.ADMIN_DIGEST):
        return 0
    period, start = digest_period(now)
    if Notification.objects.filter(idempotency_key__startswith=f"{Kind.ADMIN_DIGEST.value}:{period}:").exists():
        return 0
    context = digest_context(now=now, since=_previous_period_start(start))
    if not digest_worth_sending(context):
        return 0
    sent = 0
    for address in settings.DIGEST_TO:
        created = notification_enqueue(
            kind=Kind.ADMIN_DIGEST,
            to_address=address,
            key=f"{Kind.ADMIN_DIGEST.value}:{period}:{address.lower()}",
            context={**context, "period": period},
            now=now,
        )
        sent += created is not None
    return sent


def _previous_period_start(start: datetime) -> datetime:
    return start - (timedelta(days=1) if settings.DIGEST_EVERY == "daily" else timedelta(days=7))


def notifications_purge(*, now: datetime) -> int:
    """Delete what is older than NOTIFICATION_RETENTION_DAYS (0: keep everything): mail that was
    sent or could not be delivered (never one still waiting or being sent), and the tracking of
    tokens awaiting activation once it is closed or its reminders are over."""
    days = settings.NOTIFICATION_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    done = [State.SENT, State.FAILED, State.UNCONFIRMED]
    mail, _ = Notification.objects.filter(state__in=done, updated_at__lt=cutoff).delete()
    reminded = Q(closed_at__isnull=True, assigned_at__lt=cutoff, reminders_sent__gte=settings.REMINDER_MAX)
    over = Q(closed_at__lt=cutoff) | reminded
    awaiting, _ = AwaitingActivation.objects.filter(over).delete()
    return mail + awaiting
