"""Notifications leave through Django's mail framework: a real SMTP relay (aiosmtpd) or the sandbox
tenant's Graph sendMail (as the app, over MSAL's client-credentials flow); failures are retried with
backoff, shown to administrators when they stay, and no message is ever sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portal.core.events import TokenChange, TokenEvent, token_event_emit
from portal.notifications.delivery import notification_deliver
from portal.notifications.models import Kind, Notification
from portal.notifications.schedule import notifications_recover
from portal.notifications.services import notification_enqueue
from portal.sandbox import seed
from portal.sandbox.models import OutboxMessage
from tests.notifications.conftest import SMTP_USER, Relay, parts
from tests.support.sandbox import sandbox
from tests.support.signin import signed_in_client

pytestmark = pytest.mark.django_db

State = Notification.State
MEGAN_UPN = f"megan.bowen@{seed.DOMAIN}"


def t0() -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def assigned(*, serial: str = "60200104", at: datetime | None = None, occurrence: str = "test:1") -> None:
    token_event_emit(
        TokenEvent(
            change=TokenChange.ASSIGNED,
            person_oid=seed.MEGAN,
            person_upn=MEGAN_UPN,
            person_mail=MEGAN_UPN,
            serial=serial,
            method_id="7d0c2a8e-0000-4000-8000-000000000001",
            occurrence=occurrence,
            at=at or t0(),
        )
    )


def only_notification() -> Notification:
    return Notification.objects.get()


def test_smtp_relay_receives_both_parts_with_login(relay: Relay, demo_tenant: None) -> None:
    assigned()
    notification = only_notification()
    assert notification.state == State.PENDING and notification.kind == Kind.TOKEN_ASSIGNED
    assert notification_deliver(notification_id=notification.pk, now=t0()) == State.SENT
    [message] = relay.received
    assert relay.logins == [SMTP_USER]
    assert relay.envelopes[0][1] == [MEGAN_UPN]
    assert message["To"] == MEGAN_UPN and message["Auto-Submitted"] == "auto-generated"
    assert "60200104" in message["Subject"]
    text, html = parts(message)
    link = "http://127.0.0.1:8000/tokens/7d0c2a8e-0000-4000-8000-000000000001/activate"
    assert link in text and f'href="{link}"' in html
    # Sent once: delivering again (a duplicate task) claims nothing and sends nothing.
    assert notification_deliver(notification_id=notification.pk, now=t0()).startswith("not claimed")
    assert len(relay.received) == 1


def test_the_same_occurrence_queues_one_mail(relay: Relay, demo_tenant: None) -> None:
    assigned(occurrence="audit:42")
    assigned(occurrence="audit:42")
    assert Notification.objects.count() == 1


def test_a_temporary_refusal_is_retried_with_backoff_then_given_up(relay: Relay, settings: Any) -> None:
    settings.MAIL_MAX_ATTEMPTS, settings.MAIL_RETRY_SECONDS = 3, 60
    relay.rcpt_answer = "451 4.3.0 Try again later"
    notification = notification_enqueue(
        kind=Kind.TOKEN_REMOVED, to_address=MEGAN_UPN, context={"serial": "X1"}, key="t:retry", now=t0()
    )
    assert notification is not None
    assert notification_deliver(notification_id=notification.pk, now=t0()) == State.PENDING
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.next_attempt_at == t0() + timedelta(seconds=60)
    assert "451" in notification.last_error
    # Not due yet: nothing happens.
    early = t0() + timedelta(seconds=59)
    assert notification_deliver(notification_id=notification.pk, now=early).startswith("not claimed")
    second = t0() + timedelta(seconds=60)
    assert notification_deliver(notification_id=notification.pk, now=second) == State.PENDING
    notification.refresh_from_db()
    assert notification.next_attempt_at == second + timedelta(seconds=120)  # doubled
    assert notification_deliver(notification_id=notification.pk, now=notification.next_attempt_at) == State.FAILED
    notification.refresh_from_db()
    assert notification.attempts == 3 and not relay.received


def test_a_permanent_refusal_fails_at_once_and_is_shown_to_administrators(relay: Relay, demo_tenant: None) -> None:
    relay.rcpt_answer = "550 5.1.1 No such user"
    assigned()
    notification = only_notification()
    assert notification_deliver(notification_id=notification.pk, now=t0()) == State.FAILED
    notification.refresh_from_db()
    assert notification.attempts == 1 and "550" in notification.last_error

    reader = signed_in_client(f"grady.archie@{seed.DOMAIN}", admin=True)
    page = reader.get("/admin/mail/").content.decode()
    assert "Mail that could not be delivered" in page
    assert MEGAN_UPN in page and "60200104" in page and "550" in page
    employee = signed_in_client(MEGAN_UPN)
    assert employee.get("/admin/mail/").status_code == 403


def test_an_unreachable_relay_is_retried(relay: Relay, settings: Any) -> None:
    settings.EMAIL_PORT = relay.port + 1 if relay.port < 65535 else relay.port - 1  # nothing listens there
    notification = notification_enqueue(kind=Kind.TOKEN_ADDED, to_address=MEGAN_UPN, context={}, key="t:down", now=t0())
    assert notification is not None
    assert notification_deliver(notification_id=notification.pk, now=t0()) == State.PENDING
    notification.refresh_from_db()
    assert "could not be reached" in notification.last_error


def test_no_address_is_recorded_as_undeliverable(relay: Relay) -> None:
    notification = notification_enqueue(kind=Kind.TOKEN_ADDED, to_address="", context={}, key="t:none", now=t0())
    assert notification is not None and notification.state == State.FAILED
    assert "no mail address" in notification.last_error


def test_switched_off_kinds_queue_nothing(relay: Relay, settings: Any, demo_tenant: None) -> None:
    settings.NOTIFICATIONS_OFF = ["token_assigned"]
    assigned()
    assert not Notification.objects.exists()


def test_without_a_transport_nothing_is_queued(settings: Any, demo_tenant: None) -> None:
    settings.MAIL_TRANSPORT = ""
    assigned()
    assert not Notification.objects.exists()


def test_an_interrupted_send_becomes_unconfirmed_never_sent_twice(relay: Relay, settings: Any) -> None:
    notification = notification_enqueue(
        kind=Kind.TOKEN_ADDED, to_address=MEGAN_UPN, context={}, key="t:stuck", now=t0()
    )
    assert notification is not None
    Notification.objects.filter(pk=notification.pk).update(state=State.SENDING, sending_since=t0())
    assert notifications_recover(now=t0() + timedelta(seconds=settings.MAIL_SENDING_LEASE_SECONDS - 1)) == 0
    assert notifications_recover(now=t0() + timedelta(seconds=settings.MAIL_SENDING_LEASE_SECONDS + 1)) == 1
    notification.refresh_from_db()
    assert notification.state == State.UNCONFIRMED
    assert notification_deliver(notification_id=notification.pk, now=t0() + timedelta(days=1)).startswith("not claimed")
    assert not relay.received


# --- Graph sendMail, through the sandbox ------------------------------------------------------------


def test_graph_backend_sends_as_the_app_from_the_shared_mailbox(graph_mail: None, demo_tenant: None) -> None:
    assigned()
    notification = only_notification()
    assert notification_deliver(notification_id=notification.pk, now=t0()) == State.SENT
    message = OutboxMessage.objects.get()
    assert message.sent_as == "app" and message.mailbox == seed.TOKEN_DESK_MAILBOX
    assert message.sender == f"Token Desk <{seed.TOKEN_DESK_MAILBOX}>"
    assert message.to == [MEGAN_UPN]
    assert "60200104" in message.subject
    # Both parts arrive as built (MIME), each with the activation link.
    link = "/tokens/7d0c2a8e-0000-4000-8000-000000000001/activate"
    assert link in message.text and f'{link}"' in message.html


@pytest.mark.parametrize(
    ("switches", "expected_error"),
    [
        ({"APP_ROLES": []}, "HTTP 403 ErrorAccessDenied"),
        ({"MAILBOXES_NOT_ENABLED": [seed.TOKEN_DESK_MAILBOX]}, "HTTP 404 MailboxNotEnabledForRESTAPI"),
    ],
)
def test_graph_refusals_fail_without_retrying(
    graph_mail: None, demo_tenant: None, settings: Any, switches: dict[str, Any], expected_error: str
) -> None:
    sandbox(settings, **switches)
    assigned()
    notification = only_notification()
    assert notification_deliver(notification_id=notification.pk, now=t0()) == State.FAILED
    notification.refresh_from_db()
    assert expected_error in notification.last_error and notification.attempts == 1
    assert not OutboxMessage.objects.exists()


def test_graph_unavailable_is_retried(graph_mail: None, demo_tenant: None, settings: Any) -> None:
    sandbox(settings, UNAVAILABLE_RATE=1.0, RETRY_AFTER_SECONDS=0.0)
    settings.GRAPH_JOB_MAX_RETRIES = 0
    assigned()
    notification = only_notification()
    assert notification_deliver(notification_id=notification.pk, now=t0()) == State.PENDING
    notification.refresh_from_db()
    assert "503" in notification.last_error
    sandbox(settings, UNAVAILABLE_RATE=0.0)
    assert notification_deliver(notification_id=notification.pk, now=notification.next_attempt_at) == State.SENT
    assert OutboxMessage.objects.count() == 1


def test_a_wrong_client_secret_is_retried_and_named(graph_mail: None, demo_tenant: None, settings: Any) -> None:
    settings.ENTRA_CLIENT_SECRET = "not-the-secret"
    assigned()
    notification = only_notification()
    assert notification_deliver(notification_id=notification.pk, now=t0()) == State.PENDING
    notification.refresh_from_db()
    assert notification.last_error == "No token for sending mail from Entra ID (invalid_client)"
    assert "not-the-secret" not in notification.last_error


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_what_an_administrator_assigned(graph_mail: None, demo_tenant: None) -> None:
    from tests.support.imports import run_worker

    admin = signed_in_client(f"isaiah.langer@{seed.DOMAIN}", admin=True)
    done = admin.post(f"/admin/users/{seed.MEGAN}/assign", {"serial_number": "60200104"})
    assert done.status_code == 302, done.content.decode()[:1500]
    notification = only_notification()
    assert notification.kind == Kind.TOKEN_ASSIGNED and notification.to_address == MEGAN_UPN
    assert not OutboxMessage.objects.exists()  # never sent from the request
    run_worker()
    notification.refresh_from_db()
    assert notification.state == State.SENT
    message = OutboxMessage.objects.get()
    assert message.to == [MEGAN_UPN]
    run_worker()
    assert OutboxMessage.objects.count() == 1
