"""Enqueueing notifications: from token events (portal.core.events), never sent from the request.

A notification is a row first (idempotency key: one occurrence, one mail, whatever retries or
duplicate events happen), then a background task delivers it (portal.notifications.delivery).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.core.events import TokenChange, TokenEvent
from portal.core.serials import serial_normalise
from portal.identity.models import User
from portal.notifications.models import AwaitingActivation, Kind, Notification

logger = logging.getLogger(__name__)

_KIND_OF_CHANGE: dict[TokenChange, Kind] = {
    TokenChange.ASSIGNED: Kind.TOKEN_ASSIGNED,
    TokenChange.ADDED: Kind.TOKEN_ADDED,
    TokenChange.ACTIVATED: Kind.TOKEN_ACTIVATED,
    TokenChange.REMOVED: Kind.TOKEN_REMOVED,
    TokenChange.LOST_OR_BROKEN: Kind.TOKEN_LOST_OR_BROKEN,
}


def kind_enabled(kind: Kind) -> bool:
    return bool(settings.MAIL_TRANSPORT) and kind.value not in settings.NOTIFICATIONS_OFF


def notification_enqueue(
    *,
    kind: Kind,
    to_address: str,
    context: dict[str, Any],
    key: str,
    recipient_oid: str = "",
    now: datetime | None = None,
) -> Notification | None:
    """Queue one mail (once per key); the worker sends it after this transaction commits.
    None when this kind of notification is switched off."""
    if not kind_enabled(kind):
        return None
    now = now or timezone.now()
    language, zone = recipient_preferences(oid=recipient_oid, address=to_address)
    notification, created = Notification.objects.get_or_create(
        idempotency_key=key[:200],
        defaults={
            "language": language,
            "time_zone": zone,
            "kind": kind,
            "to_address": to_address,
            "recipient_oid": recipient_oid,
            "context": context,
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    if created and not to_address:
        _undeliverable(notification, "The directory has no mail address for this person.")
    elif created:
        notification_schedule(notification)
    return notification


def recipient_preferences(*, oid: str, address: str) -> tuple[str, str]:
    """The language and time zone the recipient last used on the portal ("" for what is not known):
    found by their Entra object id, else (an administrators' digest) by their sign-in name."""
    people = User.objects.filter(username=oid) if oid else User.objects.filter(upn__iexact=address) if address else None
    person = people.only("language", "time_zone").first() if people is not None else None
    return (person.language, person.time_zone) if person else ("", "")


def notification_schedule(notification: Notification) -> None:
    """Hand the notification to the worker once the row is committed (and not before it is due)."""
    from portal.notifications.tasks import notification_deliver_task

    pk, due = notification.pk, notification.next_attempt_at

    def enqueue() -> None:
        notification_deliver_task.using(run_after=due).enqueue(pk)

    transaction.on_commit(enqueue)


def _undeliverable(notification: Notification, why: str) -> None:
    logger.error("Notification %s (%s) can't be delivered: %s", notification.pk, notification.kind, why)
    notification.state = Notification.State.FAILED
    notification.last_error = why
    notification.save(update_fields=["state", "last_error", "updated_at"])


# --- token events --------------------------------------------------------------------------------


def on_token_event(sender: Any, *, event: TokenEvent, **kwargs: Any) -> None:
    """The listener connected to portal.core.events.token_event."""
    token_event_notify(event=event)


def token_event_notify(*, event: TokenEvent) -> Notification | None:
    """Tell the person what happened to their token, and keep track of tokens awaiting activation."""
    address = event.person_mail or event.person_upn
    if event.change == TokenChange.ASSIGNED:
        awaiting_open(event=event, address=address)
    else:
        awaiting_close(person_oid=event.person_oid, serial=event.serial, method_id=event.method_id, at=event.at)
    kind = _KIND_OF_CHANGE[event.change]
    context = {
        "serial": event.serial,
        "by_self": event.by_self,
        "at": event.at.isoformat(),
        "upn": event.person_upn,
        "detail": event.detail,
        "activate_url": activation_url(event.method_id),
        "tokens_url": settings.PORTAL_BASE_URL + reverse("selfservice:tokens"),
    }
    occurrence = event.occurrence or f"{event.person_oid}:{event.serial or event.method_id}:{event.at.isoformat()}"
    return notification_enqueue(
        kind=kind,
        to_address=address,
        recipient_oid=event.person_oid,
        context=context,
        key=f"{kind.value}:{occurrence}",
        now=event.at,
    )


def activation_url(method_id: str) -> str:
    """The token's activation page in self-service (My tokens when the id isn't known)."""
    try:
        token_uuid = UUID(method_id)
    except ValueError:
        return settings.PORTAL_BASE_URL + reverse("selfservice:tokens")
    return settings.PORTAL_BASE_URL + reverse("selfservice:activate", args=[token_uuid])


def awaiting_open(*, event: TokenEvent, address: str) -> AwaitingActivation:
    existing = AwaitingActivation.objects.filter(
        person_oid=event.person_oid, serial=event.serial, method_id=event.method_id, closed_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return AwaitingActivation.objects.create(
        person_oid=event.person_oid,
        person_upn=event.person_upn,
        address=address,
        serial=event.serial,
        method_id=event.method_id,
        assigned_at=event.at,
    )


def awaiting_close(*, person_oid: str, serial: str, method_id: str, at: datetime) -> int:
    """The token was activated, removed or recorded lost: stop reminding."""
    open_rows = AwaitingActivation.objects.filter(person_oid=person_oid, closed_at__isnull=True)
    matching = [
        row.pk
        for row in open_rows
        if (serial and serial_normalise(row.serial) == serial_normalise(serial))
        or (method_id and row.method_id == method_id)
    ]
    return AwaitingActivation.objects.filter(pk__in=matching).update(closed_at=at)
