"""Administrators' actions on the queue that are the portal's own (not Graph's): each one audited."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.core.attempts import lockout_lift, lockouts_current
from portal.identity.models import User
from portal.program.attention import Item, Rule, attention_groups


def lockout_lift_record(*, actor: User, key: str, now: datetime, client_ip: str | None) -> bool:
    """Lift the lockout with this key; False when there was none (already ended or lifted)."""
    if not any(lockout.key == key for lockout in lockouts_current(now=now)):
        return False
    item = _lockout_item(key, now)
    with transaction.atomic():
        removed = lockout_lift(key=key)
        audit_event_record(
            actor=actor,
            action=AuditEvent.Action.LOCKOUT_LIFT,
            outcome=AuditEvent.Outcome.SUCCESS,
            target_oid=item.who_id if item else "",
            target_upn=item.upn if item else "",
            token_serial=item.serial if item else "",
            client_ip=client_ip,
            extra={"wrong_attempts_forgotten": removed},
        )
    return True


def _lockout_item(key: str, now: datetime) -> Item | None:
    for group in attention_groups(now=now, limit=10_000):
        if group.rule is Rule.LOCKED_OUT:
            return next((item for item in group.items if item.lockout and item.lockout.key == key), None)
    return None
