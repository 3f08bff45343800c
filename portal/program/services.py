"""Administrators' actions on the queue that are the portal's own (not Graph's): each one audited."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.core.attempts import lockout_lift
from portal.identity.models import User
from portal.program.attention import lockout_items


def lockout_lift_record(*, actor: User, key: str, now: datetime, client_ip: str | None) -> bool:
    """Lift the lockout with this key; False when there was none (already ended or lifted). A token's
    own lockout can be lifted even where the queue lists it under its people (a code form's pause)."""
    lockouts = lockout_items(now=now, folded=False)
    item = next((item for item in lockouts if item.lockout and item.lockout.key == key), None)
    if item is None:
        return False
    with transaction.atomic():
        removed = lockout_lift(key=key)
        audit_event_record(
            actor=actor,
            action=AuditEvent.Action.LOCKOUT_LIFT,
            outcome=AuditEvent.Outcome.SUCCESS,
            target_oid=item.who_id,
            target_upn=item.upn,
            token_serial=item.serial,
            client_ip=client_ip,
            extra={"wrong_attempts_forgotten": removed},
        )
    return True
