"""Delivering one notification: claim it, render it, hand it to Django's mail framework, record the
outcome; retry with backoff when trying again can help; never send it twice.

* Claiming is a conditional update (pending → sending): of two workers holding the same task, one sends.
* A failure that may pass (a relay or Graph unavailable, throttled) → pending again, due after a
  doubling wait (MAIL_RETRY_SECONDS, then twice, four times… at most an hour), up to MAIL_MAX_ATTEMPTS attempts.
* A refusal (no such mailbox, no permission), the last attempt, or an outcome that is unknown (the
  answer was lost) → failed / unconfirmed: logged, and listed for administrators on the
  "Mail that could not be delivered" page. An unconfirmed message is not sent again by itself.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from portal.core.localisation import language_supported, zone_named
from portal.lifecycle.models import LifecycleState
from portal.notifications.digest import digest_words
from portal.notifications.errors import MailDeliveryError
from portal.notifications.models import Kind, Notification

logger = logging.getLogger(__name__)

State = Notification.State
MAX_RETRY_WAIT = timedelta(hours=1)


def notification_deliver(*, notification_id: int, now: datetime) -> str:
    """Send one due notification. Returns its state afterwards (for the task's result)."""
    claimed = Notification.objects.filter(pk=notification_id, state=State.PENDING, next_attempt_at__lte=now).update(
        state=State.SENDING, sending_since=now, attempts=F("attempts") + 1
    )
    if not claimed:
        current = Notification.objects.filter(pk=notification_id).values_list("state", flat=True).first()
        return f"not claimed ({current or 'gone'})"
    notification = Notification.objects.get(pk=notification_id)
    try:
        message = notification_message(notification)
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except Exception as exc:
        return _failed(notification, _classified(exc), now)
    notification.state = State.SENT
    notification.sent_at = now
    notification.last_error = ""
    notification.save(update_fields=["state", "sent_at", "last_error", "updated_at"])
    logger.info("Sent notification %s (%s)", notification.pk, notification.kind)
    return notification.state


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """The mail: subject, plain-text and HTML parts from the kind's templates."""
    base = f"notifications/mail/{notification.kind}"
    # In the language the recipient last used on the portal, times in their zone (named in the mail);
    # the portal's own language and zone for someone the portal has not seen (portal.web.middleware).
    zone = zone_named(notification.time_zone) or timezone.get_default_timezone()
    with (
        translation.override(language_supported(notification.language) or settings.LANGUAGE_CODE),
        timezone.override(zone),
    ):
        context = mail_context(notification)
        subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_address],
        headers={
            # RFC 3834: no out-of-office replies to an automatic message.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def mail_context(notification: Notification) -> dict[str, Any]:
    """The kind's template context, from what was stored when the notification was queued: the words
    (a lifecycle state, an audit label) are looked up now, in the language the mail is written in."""
    context = dict(notification.context)
    at = parse_datetime(str(context.get("at", "")))
    zone = str(timezone.get_current_timezone())
    words = {
        "kind": Kind(notification.kind),
        "at": at,
        "zone": zone,
        "state": _state_words(str(context.get("detail", ""))),
        "since": parse_datetime(str(context.get("since", ""))),
        "daily": context.get("every") == "daily",
        "helpdesk": settings.HELPDESK_CONTACT,
        "portal_url": settings.PORTAL_BASE_URL + "/",
    }
    if notification.kind == Kind.ADMIN_DIGEST:
        words |= digest_words(context, zone=zone)
    return {**context, **words}


def _state_words(value: str) -> str:
    """What a lost-or-broken notice says the token was recorded as (the label: "Lost", "Stolen"…)."""
    try:
        return str(LifecycleState(value).label)
    except ValueError:
        # Translators: what a token was recorded as, when the portal did not say which.
        return gettext("Lost or broken")


def _classified(exc: Exception) -> MailDeliveryError:
    if isinstance(exc, MailDeliveryError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return MailDeliveryError(
            f"The mail server refused the recipient (SMTP {', '.join(map(str, codes))})",
            retry=all(400 <= code < 500 for code in codes),
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailDeliveryError(
            f"The mail server answered SMTP {exc.smtp_code} ({type(exc).__name__})",
            retry=exc.smtp_code < 500 or isinstance(exc, smtplib.SMTPAuthenticationError),
        )
    if isinstance(exc, smtplib.SMTPException | OSError):
        return MailDeliveryError(f"The mail server could not be reached ({type(exc).__name__})", retry=True)
    logger.exception("Building or sending a notification failed")
    return MailDeliveryError(f"The message could not be built or sent ({type(exc).__name__})", retry=False)


def _failed(notification: Notification, error: MailDeliveryError, now: datetime) -> str:
    notification.last_error = str(error)[:500]
    notification.sending_since = None
    if error.unconfirmed:
        notification.state = State.UNCONFIRMED
    elif error.retry and notification.attempts < settings.MAIL_MAX_ATTEMPTS:
        notification.state = State.PENDING
        notification.next_attempt_at = now + retry_wait(notification.attempts)
    else:
        notification.state = State.FAILED
    notification.save(update_fields=["state", "last_error", "sending_since", "next_attempt_at", "updated_at"])
    if notification.state == State.PENDING:
        logger.warning(
            "Notification %s (%s) not delivered, attempt %d; next try at %s: %s",
            notification.pk,
            notification.kind,
            notification.attempts,
            notification.next_attempt_at.isoformat(),
            notification.last_error,
        )
        from portal.notifications.services import notification_schedule

        notification_schedule(notification)
    else:
        # No address in the log line: the administrators' page shows whom it was for.
        logger.error(
            "Notification %s (%s) could not be delivered (%s after %d attempt(s)): %s",
            notification.pk,
            notification.kind,
            notification.state,
            notification.attempts,
            notification.last_error,
        )
    return notification.state


def retry_wait(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: MAIL_RETRY_SECONDS, doubling, at most an hour."""
    wait = timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return min(wait, MAX_RETRY_WAIT)
