"""What happened to a person's token, announced once, for whoever needs to know (notifications).

Feature apps emit through here and never import the apps that listen: the admin area, self-service
and the bulk imports announce through `portal.core.actions.Auditor` (every successful write action
is recorded once and announced once); a feature without an Auditor (e.g. recording a lost or broken
token) calls `token_event_emit` itself. Listeners connect to `token_event` in their AppConfig.ready.

An event carries no secret: never a code, a seed, a token or a pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Sent with `event=<TokenEvent>`.
token_event = Signal()


class TokenChange(StrEnum):
    ASSIGNED = "assigned"  # given to the person, waiting for them to activate it
    ADDED = "added"  # assigned and activated in one step (the token works for sign-in now)
    ACTIVATED = "activated"  # an assigned token was activated
    REMOVED = "removed"  # taken off the person's account
    LOST_OR_BROKEN = "lost_or_broken"  # the portal recorded that the token is lost or broken


@dataclass(frozen=True)
class TokenEvent:
    change: TokenChange
    person_oid: str
    person_upn: str
    serial: str
    #: The hardware OATH method's id (the token's id in Graph); empty when unknown.
    method_id: str = ""
    #: The person's mail address as the directory knows it (Graph `mail`); empty when not read.
    person_mail: str = ""
    #: True when the person did it themselves (self-service).
    by_self: bool = False
    #: A stable id of the occurrence (e.g. the audit event's id): one event, one announcement.
    occurrence: str = ""
    #: For LOST_OR_BROKEN: which of the two (a label from the recording feature); else empty.
    detail: str = ""
    at: datetime = field(default_factory=timezone.now)


def token_event_emit(event: TokenEvent) -> None:
    """Announce an event. A listener that fails is logged, never lets the person's action fail: the
    change has already been made in Microsoft Entra ID."""
    for receiver, outcome in token_event.send_robust(sender=TokenEvent, event=event):
        if isinstance(outcome, Exception):
            logger.error(
                "A listener (%s) failed on a token event (%s, token %s)",
                getattr(receiver, "__qualname__", receiver),
                event.change,
                event.serial or event.method_id,
                exc_info=outcome,
            )
