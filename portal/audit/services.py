"""The one way to write to the audit trail."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from portal.audit.models import AuditEvent
from portal.identity.models import User

# Keys that must never be stored, whatever a caller passes in `extra`. A belt to go with the braces
# of never handing secrets to this function in the first place.
_SECRET_KEY_PATTERN = re.compile(r"secret|code|token|password|assertion|verifier|seed", re.IGNORECASE)


def audit_event_record(
    *,
    actor: User | None,
    action: str,
    outcome: str,
    target_oid: str = "",
    target_upn: str = "",
    token_serial: str = "",
    token_id: str = "",
    reason: str = "",
    graph_request_id: str = "",
    client_ip: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record one write or attempted write. Call it from the service that made the change."""
    if action not in AuditEvent.Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if outcome not in AuditEvent.Outcome.values:
        raise ValueError(f"Unknown audit outcome {outcome!r}")
    safe_extra = {key: value for key, value in (extra or {}).items() if not _SECRET_KEY_PATTERN.search(key)}
    return AuditEvent.objects.create(
        actor=actor,
        actor_oid=actor.oid if actor else "",
        actor_upn=actor.upn if actor else "",
        action=action,
        outcome=outcome,
        target_oid=target_oid,
        target_upn=target_upn,
        token_serial=token_serial,
        token_id=token_id,
        reason=reason,
        graph_request_id=graph_request_id,
        client_ip=client_ip or None,
        extra=safe_extra,
    )
