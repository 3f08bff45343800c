"""Turning Graph failures into what a person can understand and act on.

Services catch portal.graph.errors.GraphError, decide what it *means* for the action at hand
(wrong code? someone else's token?), and raise ActionError. Views show `message` and `next_step`
and keep what the person typed. The raw Graph message never reaches a page; the request id does,
so the helpdesk can find the call in Microsoft's logs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from portal.graph.errors import GraphError
from portal.identity.errors import ReauthenticationRequired


@dataclass
class ActionError(Exception):
    reason: str  # stable, for the audit trail and tests: "wrong_code", "throttled", ...
    message: str  # what happened, in plain words
    next_step: str  # what to do now
    field: str | None = None  # the form field the problem is about, if any
    retry_after_seconds: int | None = None
    request_id: str = ""

    def __str__(self) -> str:
        return self.reason


def common_action_error(exc: GraphError, *, admin: bool = False) -> ActionError:
    """Meaning of the failures every action shares. Raises ReauthenticationRequired for a 401."""
    if exc.status == 401:
        # An expired or revoked token, or a claims challenge (fresh MFA needed): back through sign-in.
        raise ReauthenticationRequired(admin=admin, claims_challenge=exc.claims_challenge) from exc
    if exc.status == 403:
        return ActionError(
            reason="forbidden",
            message="Microsoft Entra ID refused this change: your account is not allowed to make it.",
            next_step=(
                "If you think you should be allowed, ask your IT administrator to check your role, "
                "then sign out and in again."
                if admin
                else "Ask your IT helpdesk to check that hardware tokens are enabled for your account."
            ),
            request_id=exc.request_id or "",
        )
    if exc.status == 429:
        wait = max(1, math.ceil(exc.retry_after or 30))
        return ActionError(
            reason="throttled",
            message="Microsoft Entra ID is busy and asked us to slow down.",
            next_step=f"Nothing was changed. Try again in {wait} second{'s' if wait != 1 else ''}.",
            retry_after_seconds=wait,
            request_id=exc.request_id or "",
        )
    if exc.status == 0 or exc.status >= 500:
        return ActionError(
            reason="unavailable",
            message="Microsoft Entra ID could not be reached or did not answer in time.",
            next_step="Try again in a minute. If it keeps happening, contact your IT helpdesk.",
            request_id=exc.request_id or "",
        )
    return ActionError(
        reason="unexpected",
        message="Microsoft Entra ID rejected the request for a reason the portal does not recognise.",
        next_step="Try again. If it happens again, contact your IT helpdesk and quote the reference below.",
        request_id=exc.request_id or "",
    )
