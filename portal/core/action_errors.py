"""Turning Graph failures into what a person can understand and act on.

Services catch portal.graph.errors.GraphError and raise the ActionError that a `Meaning` gives it:
portal.core.classify decides the reason, portal.core.wording holds the words. Views show `message`
and `next_step` and keep what the person typed. The raw Graph message never reaches a page; the
request id does, so the helpdesk can find the call in Microsoft's logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from portal.core.classify import classify
from portal.core.reasons import About, Reason
from portal.core.wording import Audience, Known, throttle_params, words
from portal.graph.errors import GraphError
from portal.identity.errors import ReauthenticationRequired


@dataclass
class ActionError(Exception):
    reason: Reason  # for the audit trail, the page's status and the wrong-code limit
    message: str  # what happened, in plain words
    next_step: str  # what to do now
    field: str | None = None  # the form field the problem is about, if any
    request_id: str = ""
    #: Code entry is paused until then (a wrong-code limit): the page disables its form and counts down.
    unlock_at: datetime | None = None
    #: After a wrong code: how many tries are left before the pause (portal.core.wording.tries_left_text).
    tries_left: str = ""
    #: While paused: the lockout an administrator may lift to open code entry for this token
    #: (portal.core.attempts.token_lockout_key); "" when only the person is paused.
    lift_key: str = ""

    @property
    def field_message(self) -> str:
        """What the page says next to the field the problem is about."""
        return f"{self.message} {self.tries_left}" if self.tries_left else self.message

    def __str__(self) -> str:
        return str(self.reason)

    @classmethod
    def of(
        cls,
        reason: Reason,
        audience: Audience,
        *,
        about: About | None = None,
        known: Known | None = None,
        field: str | None = None,
        request_id: str | None = "",
        params: Mapping[str, object] | None = None,
        unlock_at: datetime | None = None,
    ) -> ActionError:
        """The error for `reason` in the words for `audience`, `params` filling the placeholders
        (`field` overrides the reason's own, for a form whose field has another name)."""
        message, next_step = words(reason, audience, about=about, known=known, params=params)
        return cls(reason, message, next_step, field or reason.field, request_id or "", unlock_at)


@dataclass(frozen=True)
class Meaning:
    """How to read a failed Graph call for one action: who is told, and what the call was about."""

    audience: Audience
    about: About
    #: The admin may manage targets that hold admin roles (else a 403 on a user means "admin target").
    manage_admin_targets: bool = True
    #: The call carried a write whose answer may be lost: a timeout means "may or may not have happened".
    write_in_flight: bool = False

    def __call__(self, exc: GraphError, params: Mapping[str, object] | None = None) -> ActionError:
        """The ActionError for `exc`. Raises ReauthenticationRequired for a 401 (back through sign-in)."""
        reason = classify(
            exc,
            about=self.about,
            manage_admin_targets=self.manage_admin_targets,
            write_in_flight=self.write_in_flight,
        )
        if reason is Reason.REAUTHENTICATION_REQUIRED:
            # An expired or revoked token, or a claims challenge (fresh MFA needed).
            raise ReauthenticationRequired(
                admin=self.audience is Audience.ADMIN, claims_challenge=exc.claims_challenge
            ) from exc
        if reason is Reason.THROTTLED:
            params = {**throttle_params(exc.retry_after), **(params or {})}
        return ActionError.of(reason, self.audience, about=self.about, request_id=exc.request_id, params=params)
