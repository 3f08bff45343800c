"""Pieces every write action shares, in both areas: who acts and how (Acting), recording its one
audit event, giving a failed Graph call its meaning, and guarding verification-code attempts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.core.action_errors import ActionError, Meaning
from portal.core.attempts import (
    Attempt,
    Lockout,
    Paused,
    TooManyAttempts,
    attempt_begin,
    attempt_finish,
    attempts_left,
    pause_current,
    token_key,
    token_lockout_key,
)
from portal.core.events import TokenChange, TokenEvent, token_event_emit
from portal.core.reasons import Reason
from portal.core.wording import Audience, lockout_params, tries_left_text, words
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.types import DirectoryUser
from portal.identity.errors import ReauthenticationRequired
from portal.identity.models import User

Action = AuditEvent.Action
_LOCKOUT_REASONS = {Lockout.WINDOW: Reason.TOO_MANY_ATTEMPTS, Lockout.DAY: Reason.TOO_MANY_ATTEMPTS_TODAY}
# What a successful action means for the person whose token it is (announced by Auditor.success).
_TOKEN_CHANGES: dict[str, TokenChange] = {
    Action.SELF_ASSIGN_ACTIVATE: TokenChange.ADDED,
    Action.SELF_ACTIVATE: TokenChange.ACTIVATED,
    Action.SELF_REMOVE: TokenChange.REMOVED,
    Action.USER_ASSIGN: TokenChange.ASSIGNED,
    Action.DEVICE_ASSIGN: TokenChange.ASSIGNED,
    Action.USER_ASSIGN_ACTIVATE: TokenChange.ADDED,
    Action.USER_ACTIVATE: TokenChange.ACTIVATED,
    Action.USER_UNASSIGN: TokenChange.REMOVED,
}


class Auditor:
    """Records the one audit event of an action. Fields known up front (the target, the serial) are
    fixed when the action starts; the outcome and Graph's request-id are added at the end."""

    def __init__(self, *, actor: User, action: str, client_ip: str | None, flow_id: str = "", **fixed: str) -> None:
        self.actor, self.action, self.client_ip = actor, action, client_ip
        self.fixed = dict(fixed)
        # Links the events of one flow (e.g. a token replacement) in the audit trail's `extra`.
        self.flow_id = flow_id
        self.recorded = False
        #: The target person's mail address, when the action read their profile (for notifications).
        self.person_mail = ""

    def update(self, **fields: str) -> None:
        """Add what was learnt on the way (e.g. the serial read back from Graph)."""
        self.fixed.update({key: value for key, value in fields.items() if value})

    def person(self, user: DirectoryUser) -> None:
        """The person the action is about, as Graph read them: their UPN for the trail, their mail
        for the notification the success announces."""
        self.update(target_upn=user.user_principal_name or "")
        self.person_mail = user.mail or ""

    def __call__(
        self,
        *,
        outcome: str,
        reason: Reason | None = None,
        graph_request_id: str | None = "",
        extra: dict[str, object] | None = None,
    ) -> AuditEvent:
        # One action, one event: a second call would be a bug that double-counts in the trail.
        if self.recorded:
            raise RuntimeError("This action has already been recorded in the audit trail.")
        self.recorded = True
        return audit_event_record(
            actor=self.actor,
            action=self.action,
            outcome=outcome,
            reason=reason or "",
            graph_request_id=graph_request_id or "",
            client_ip=self.client_ip,
            extra={"flow_id": self.flow_id, **(extra or {})} if self.flow_id else extra,
            **self.fixed,
        )

    def success(self, *, graph_request_id: str | None, extra: dict[str, object] | None = None) -> None:
        """Record the success, and announce what it changed for the token's holder (portal.core.events)."""
        recorded = self(outcome=AuditEvent.Outcome.SUCCESS, graph_request_id=graph_request_id, extra=extra)
        change = _TOKEN_CHANGES.get(self.action)
        if change is None or not recorded.target_oid:
            return
        token_event_emit(
            TokenEvent(
                change=change,
                person_oid=recorded.target_oid,
                person_upn=recorded.target_upn,
                person_mail=self.person_mail,
                serial=recorded.token_serial,
                method_id=recorded.token_id,
                by_self=recorded.target_oid == self.actor.oid,
                occurrence=f"audit:{recorded.pk}",
                at=recorded.at,
            )
        )


@dataclass(frozen=True)
class Acting:
    """Who does an administrator's action, and how: the signed-in person, a Graph client acting as
    them, the address they came from, whether they may change the tokens of people who hold an admin
    role, and the flow the action is a step of (a token replacement). A view builds it once
    (portal.web.access.admin_acting); the services pass it on."""

    actor: User
    client: GraphClient
    client_ip: str | None
    manage_admin_targets: bool
    #: Links the audit events of one flow (AuditEvent.extra["flow_id"]); "" for a single action.
    flow_id: str = ""

    def audit(self, action: str, **fixed: str) -> Auditor:
        """The Auditor of one action by this person (`fixed`: the target and token known up front)."""
        return Auditor(actor=self.actor, action=action, client_ip=self.client_ip, flow_id=self.flow_id, **fixed)


def failure(
    exc: GraphError,
    *,
    audit: Auditor,
    meaning: Meaning,
    attempt: Attempt | None = None,
    params: Mapping[str, object] | None = None,
) -> ActionError:
    """Give a failed Graph call its meaning, settle the code attempt, record the event; returns the
    ActionError for the caller to `raise ... from exc`.

    A 401 becomes ReauthenticationRequired inside `meaning` (a sign-in round trip): that failed
    attempt is recorded too before the exception goes on to the middleware.
    """
    try:
        error = meaning(exc, params)
    except ReauthenticationRequired:
        if attempt is not None:
            attempt_finish(attempt, wrong_code=False)
        audit(
            outcome=AuditEvent.Outcome.FAILURE,
            reason=Reason.REAUTHENTICATION_REQUIRED,
            graph_request_id=exc.request_id,
        )
        raise
    if attempt is not None:
        attempt_finish(attempt, wrong_code=error.reason.counts_as_wrong_code)
        if error.reason.counts_as_wrong_code:
            tries = attempts_left(attempt)
            error.tries_left = tries_left_text(tries)
            if isinstance(tries, Paused):
                # "Type the code it shows now" no longer holds: say what the pause asks instead.
                error.unlock_at = tries.until
                error.lift_key = token_lockout_key(serial_key=attempt.serial_key)
                _, error.next_step = words(
                    _LOCKOUT_REASONS[tries.lockout], meaning.audience, params=lockout_params(tries.until)
                )
    # A refusal by Graph (403) is recorded as "denied", everything else as "failure".
    outcome = AuditEvent.Outcome.DENIED if exc.status == 403 else AuditEvent.Outcome.FAILURE
    audit(outcome=outcome, reason=error.reason, graph_request_id=error.request_id or exc.request_id)
    return error


def refusal(error: ActionError, *, audit: Auditor) -> ActionError:
    """Record an action the portal itself refused before asking Graph (e.g. unknown serial)."""
    audit(outcome=AuditEvent.Outcome.FAILURE, reason=error.reason, graph_request_id=error.request_id)
    return error


def attempt_or_refuse(
    *,
    actor: User,
    serial: str,
    audit: Auditor,
    audience: Audience,
    serial_known: Callable[[str], bool | None] | None = None,
) -> Attempt:
    """Reserve one code attempt for (this person, this token), or refuse and record it.

    `serial` is the token's serial number in both areas, so nobody can brute-force a token by
    spreading guesses over the admin area and self-service, or over several accounts.

    Whether a serial exists is not a code attempt: when only the person is paused (not this token)
    and `serial_known` says the serial is in no inventory the portal knows of (False; None: it
    cannot tell), the answer is "unknown serial", as it would be without the pause. The code is
    never sent. SECURITY.md says what this tells a guesser.
    """
    try:
        return attempt_begin(person_oid=actor.oid, serial=serial)
    except TooManyAttempts as exc:
        if not exc.token_paused and serial_known is not None and serial_known(serial) is False:
            unknown = ActionError.of(Reason.UNKNOWN_SERIAL, audience, params={"serial": serial})
            raise refusal(unknown, audit=audit) from exc
        audit(outcome=AuditEvent.Outcome.DENIED, reason=_LOCKOUT_REASONS[exc.lockout])
        raise _pause_error(exc.unlock_at, exc.lockout, audience, serial) from exc


def code_pause_get(
    *, actor: User, serial: str | None = None, audience: Audience, now: datetime | None = None
) -> ActionError | None:
    """The pause on code entry a page must show before anything is typed (this person's, or this
    token's when the page knows its serial), as the same error a refused code gets; None when code
    entry is open. A database read: no Graph call, no attempt reserved, nothing audited."""
    paused = pause_current(person_oid=actor.oid, serial=serial, now=now)
    return None if paused is None else _pause_error(paused.until, paused.lockout, audience, serial, now)


def _pause_error(
    until: datetime, lockout: Lockout, audience: Audience, serial: str | None, now: datetime | None = None
) -> ActionError:
    error = ActionError.of(_LOCKOUT_REASONS[lockout], audience, params=lockout_params(until), unlock_at=until)
    if serial:
        error.lift_key = token_lockout_key(serial_key=token_key(serial), now=now)
    return error
