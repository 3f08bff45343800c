"""What each real action queues: the person hears about tokens assigned to, added to, activated on
and removed from their account; failures and non-token actions queue nothing."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core.events import TokenChange, TokenEvent, token_event_emit
from portal.notifications.delivery import mail_context, notification_message
from portal.notifications.models import AwaitingActivation, Kind, Notification
from portal.sandbox import seed
from tests.support.signin import signed_in_client
from tests.support.tokens import code_for, token_id, wrong_code_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_tenant", "graph_mail")]

DOMAIN = seed.DOMAIN
ADELE_UPN, MEGAN_UPN, ALEX_UPN = (f"{n}@{DOMAIN}" for n in ("adele.vance", "megan.bowen", "alex.wilber"))
FREE = "60200104"
ADELE_ASSIGNED = "60200101"
ALEX_ACTIVE = "SI-01000101"


def admin() -> Any:
    return signed_in_client(f"isaiah.langer@{DOMAIN}", admin=True)


def kinds() -> list[tuple[str, str]]:
    return list(Notification.objects.order_by("id").values_list("kind", "to_address"))


def test_an_employee_adding_a_token_gets_a_security_notice() -> None:
    adele = signed_in_client(ADELE_UPN)
    assert adele.post("/tokens/add", {"serial_number": FREE, "code": code_for(FREE)}).status_code == 302
    assert kinds() == [(Kind.TOKEN_ADDED, ADELE_UPN)]
    notification = Notification.objects.get()
    assert notification.context["by_self"] is True and notification.context["serial"] == FREE
    message = notification_message(notification)
    assert "Security notice" in message.subject
    assert "you, in the token portal" in message.body and "your IT helpdesk" in message.body


def test_a_wrong_code_queues_nothing() -> None:
    adele = signed_in_client(ADELE_UPN)
    adele.post("/tokens/add", {"serial_number": FREE, "code": wrong_code_for(FREE)})
    assert not Notification.objects.exists()


def test_assigned_then_activated_by_the_person_stops_the_reminders(settings: Any) -> None:
    settings.HELPDESK_CONTACT = "the Service Desk (ext. 4400)"
    done = admin().post(f"/admin/users/{seed.MEGAN}/assign", {"serial_number": FREE})
    assert done.status_code == 302
    assert kinds() == [(Kind.TOKEN_ASSIGNED, MEGAN_UPN)]
    waiting = AwaitingActivation.objects.get()
    assert (waiting.person_upn, waiting.serial, waiting.closed_at) == (MEGAN_UPN, FREE, None)
    assigned = Notification.objects.get()
    assert assigned.context["activate_url"] == f"http://127.0.0.1:8000/tokens/{token_id(FREE)}/activate"

    megan = signed_in_client(MEGAN_UPN)
    activated = megan.post(f"/tokens/{token_id(FREE)}/activate", {"code": code_for(FREE)})
    assert activated.status_code == 302, activated.content.decode()[:1000]
    assert kinds()[-1] == (Kind.TOKEN_ACTIVATED, MEGAN_UPN)
    waiting.refresh_from_db()
    assert waiting.closed_at is not None
    notice = notification_message(Notification.objects.get(kind=Kind.TOKEN_ACTIVATED))
    assert "the Service Desk (ext. 4400)" in notice.body


def test_an_administrator_removing_a_token_tells_the_holder() -> None:
    done = admin().post(f"/admin/users/{seed.ALEX}/tokens/{token_id(ALEX_ACTIVE)}/unassign")
    assert done.status_code == 302, done.content.decode()[:800]
    assert kinds() == [(Kind.TOKEN_REMOVED, ALEX_UPN)]
    notification = Notification.objects.get()
    assert notification.context["by_self"] is False and notification.context["serial"] == ALEX_ACTIVE
    assert "an administrator" in notification_message(notification).body


def test_a_lost_or_broken_token_can_be_announced_by_the_feature_that_records_it() -> None:
    AwaitingActivation.objects.create(
        person_oid=seed.ADELE, person_upn=ADELE_UPN, address=ADELE_UPN, serial=ADELE_ASSIGNED, assigned_at=_now()
    )
    token_event_emit(
        TokenEvent(
            change=TokenChange.LOST_OR_BROKEN,
            person_oid=seed.ADELE,
            person_upn=ADELE_UPN,
            serial=ADELE_ASSIGNED,
            detail="lost",
            occurrence="lifecycle:1",
        )
    )
    notification = Notification.objects.get()
    assert notification.kind == Kind.TOKEN_LOST_OR_BROKEN
    message = notification_message(notification)
    assert message.subject == f"Your hardware token {ADELE_ASSIGNED} was recorded as “Lost”"
    assert AwaitingActivation.objects.get().closed_at is not None  # no reminders for a lost token


def test_every_kind_renders_a_subject_text_and_html() -> None:
    for kind in Kind:
        notification = Notification(kind=kind, to_address=ADELE_UPN, context=_sample_context(), idempotency_key="x")
        message = notification_message(notification)
        assert message.subject and "\n" not in message.subject, kind
        html = message.alternatives[0][0]
        assert message.body.strip() and "<html" in str(html), kind
        assert "{{" not in message.body and "{%" not in str(html), kind
        assert mail_context(notification)["helpdesk"]


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _sample_context() -> dict[str, Any]:
    return {
        "serial": "60200104",
        "at": "2026-03-02T09:00:00+00:00",
        "since": "2026-02-23T00:00:00+00:00",
        "by_self": False,
        "detail": "broken",
        "days": 3,
        "number": 1,
        "last": False,
        "activate_url": "http://127.0.0.1:8000/tokens/x/activate",
        "tokens_url": "http://127.0.0.1:8000/tokens/",
        "every": "weekly",
        "as_of": "2026-03-02T08:00:00+00:00",
        "stale": False,
        "rules": [
            {
                "rule": "not_activated",
                "days": 14,
                "total": 2,
                "url": "http://127.0.0.1:8000/admin/attention/not_activated/",
                "items": [
                    {"who": "Adele Vance", "upn": ADELE_UPN, "serial": "60200101", "since": "2026-02-01T09:00:00+00:00"}
                ],
            },
            {
                "rule": "locked_out",
                "days": None,
                "total": 1,
                "url": "http://127.0.0.1:8000/admin/attention/locked_out/",
                "items": [
                    {
                        "who": "",
                        "upn": "",
                        "serial": "60200102",
                        "since": "2026-03-02T08:50:00+00:00",
                        "lockout": {"person": False, "wrong": 5, "until": "2026-03-02T09:05:00+00:00"},
                    }
                ],
            },
        ],
        "attention_total": 3,
        "waiting_total": 2,
        "failed_total": 0,
        "undelivered_total": 2,
        "queue_url": "http://127.0.0.1:8000/admin/#attention-title",
        "undelivered_url": "http://127.0.0.1:8000/admin/mail/",
    }
