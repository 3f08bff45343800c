"""What an employee can do with their own tokens: one function per action.

Each write checks the code-attempt limit first (codes are guessable, six digits), calls Graph as
the signed-in person (/me), records the outcome in the audit trail, and turns Graph's failures into
ActionErrors a person can act on. A code never leaves this module except in the Graph request body.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import audit_event_record
from portal.core.action_errors import ActionError, common_action_error
from portal.core.attempts import Attempt, TooManyAttempts, attempt_begin, attempt_finish
from portal.graph.batch import BatchRequest, BatchResponse
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError, GraphUnavailable
from portal.graph.types import HardwareOathMethod, TokenStatus
from portal.identity.models import User
from portal.selfservice import graph_meaning

ME_METHODS = "/me/authentication/hardwareOathMethods"


def my_tokens_list(*, client: GraphClient) -> list[HardwareOathMethod]:
    try:
        return client.methods_list()
    except GraphError as exc:
        raise common_action_error(exc) from exc


def my_token_get(*, client: GraphClient, method_id: str) -> HardwareOathMethod:
    try:
        return client.method_get(None, method_id)
    except GraphError as exc:
        raise graph_meaning.method_error(exc) from exc


def my_token_add(
    *,
    actor: User,
    client: GraphClient,
    serial_number: str,
    code: str,
    display_name: str,
    client_ip: str | None,
) -> None:
    """Assign and activate the token with this serial to the signed-in person (one Graph call)."""
    audit = _auditor(actor, AuditEvent.Action.SELF_ASSIGN_ACTIVATE, client_ip, token_serial=serial_number)
    attempt = _attempt_or_refuse(actor, serial_number, audit)
    try:
        client.method_assign_and_activate_by_serial(None, serial_number, code, display_name or None)
    except GraphUnavailable as exc:
        # The write may have reached Graph and succeeded before its answer was lost (a timeout):
        # never tell the person to try again before looking. This costs a second round trip, on
        # this failure path only.
        if not _is_mine_and_active(client, serial_number):
            error = _unconfirmed(exc) if exc.code == "timeout" else graph_meaning.add_error(exc)
            attempt_finish(attempt, wrong_code=False)
            audit(outcome=AuditEvent.Outcome.FAILURE, reason=error.reason, graph_request_id=error.request_id)
            raise error from exc
    except GraphError as exc:
        error = graph_meaning.add_error(exc)
        attempt_finish(attempt, wrong_code=error.reason == "wrong_code")
        audit(outcome=AuditEvent.Outcome.FAILURE, reason=error.reason, graph_request_id=error.request_id)
        raise error from exc
    attempt_finish(attempt, wrong_code=False)
    audit(outcome=AuditEvent.Outcome.SUCCESS, graph_request_id=client.last_request_id or "")


def _is_mine_and_active(client: GraphClient, serial_number: str) -> bool:
    try:
        methods = client.methods_list()
    except GraphError:
        return False
    wanted = serial_number.strip().upper()
    return any(
        m.device is not None and m.device.serial_number.upper() == wanted and m.device.status == TokenStatus.ACTIVATED
        for m in methods
    )


def _unconfirmed(exc: GraphError) -> ActionError:
    return ActionError(
        reason="unconfirmed",
        message="Microsoft Entra ID did not answer in time, so we can't tell whether your token was added.",
        next_step="Open My tokens to check. If the token isn't there, add it again with the code it shows then.",
        request_id=exc.request_id or "",
    )


def my_token_activate(
    *, actor: User, client: GraphClient, method_id: str, code: str, client_ip: str | None
) -> HardwareOathMethod | None:
    """Activate a token an administrator assigned to me. Returns the token as read just before
    (one $batch round trip: read it, then activate it), for the audit trail and the page."""
    audit = _auditor(actor, AuditEvent.Action.SELF_ACTIVATE, client_ip, token_id=method_id)
    attempt = _attempt_or_refuse(actor, f"id:{method_id}", audit)
    token, serial = None, ""
    try:
        responses = client.batch(
            [
                BatchRequest(id="read", method="GET", url=f"{ME_METHODS}/{method_id}"),
                BatchRequest(
                    id="activate",
                    method="POST",
                    url=f"{ME_METHODS}/{method_id}/activate",
                    body={"verificationCode": code},
                    depends_on=["read"],
                ),
            ]
        )
        token = _method_or_none(responses["read"])
        serial = token.device.serial_number if token and token.device else ""
        responses["read"].raise_for_error()
        responses["activate"].raise_for_error()
    except GraphError as exc:
        error = graph_meaning.activate_error(exc)
        attempt_finish(attempt, wrong_code=error.reason == "wrong_code")
        audit(
            outcome=AuditEvent.Outcome.FAILURE,
            reason=error.reason,
            graph_request_id=error.request_id,
            token_serial=serial,
        )
        raise error from exc
    attempt_finish(attempt, wrong_code=False)
    audit(
        outcome=AuditEvent.Outcome.SUCCESS,
        token_serial=serial,
        graph_request_id=responses["activate"].request_id or "",
    )
    return token


def my_token_remove(
    *, actor: User, client: GraphClient, method_id: str, client_ip: str | None
) -> list[HardwareOathMethod]:
    """Unassign one of my tokens and return my fresh list: read, delete, list in one $batch."""
    audit = _auditor(actor, AuditEvent.Action.SELF_REMOVE, client_ip, token_id=method_id)
    serial = ""
    try:
        # All members are idempotent, so the client may safely re-send this $batch after a timeout.
        responses = client.batch(
            [
                BatchRequest(id="read", method="GET", url=f"{ME_METHODS}/{method_id}"),
                BatchRequest(id="delete", method="DELETE", url=f"{ME_METHODS}/{method_id}", depends_on=["read"]),
                BatchRequest(id="list", method="GET", url=ME_METHODS, depends_on=["delete"]),
            ]
        )
        token = _method_or_none(responses["read"])
        serial = token.device.serial_number if token and token.device else ""
        responses["read"].raise_for_error()
        responses["delete"].raise_for_error()
    except GraphError as exc:
        error = graph_meaning.method_error(exc)
        audit(
            outcome=AuditEvent.Outcome.FAILURE,
            reason=error.reason,
            graph_request_id=error.request_id,
            token_serial=serial,
        )
        raise error from exc
    audit(
        outcome=AuditEvent.Outcome.SUCCESS,
        token_serial=serial,
        graph_request_id=responses["delete"].request_id or "",
    )
    try:
        return client.methods_from_batch_response(responses["list"])
    except GraphError:
        # The removal happened; only the refreshed list is missing. Let the page load it again.
        return []


def _method_or_none(response: BatchResponse) -> HardwareOathMethod | None:
    try:
        return HardwareOathMethod.from_graph(response.body) if response.status == 200 else None
    except GraphError:
        return None


def _auditor(
    actor: User, action: str, client_ip: str | None, *, token_serial: str = "", token_id: str = ""
) -> Callable[..., AuditEvent]:
    """audit_event_record with what every event of one self-service action shares filled in;
    later keywords (token_serial once it is known) override these."""
    return partial(
        audit_event_record,
        actor=actor,
        action=action,
        target_oid=actor.oid,
        target_upn=actor.upn,
        client_ip=client_ip,
        token_serial=token_serial,
        token_id=token_id,
    )


def _attempt_or_refuse(actor: User, serial_key: str, audit: Callable[..., AuditEvent]) -> Attempt:
    try:
        return attempt_begin(person_oid=actor.oid, serial=serial_key)
    except TooManyAttempts as exc:
        audit(outcome=AuditEvent.Outcome.DENIED, reason="too_many_attempts")
        raise too_many_attempts_error(exc.unlock_at) from exc


def too_many_attempts_error(unlock_at: datetime) -> ActionError:
    local = timezone.localtime(unlock_at)
    return ActionError(
        reason="too_many_attempts",
        message="Too many wrong codes were entered in a short time, so code entry is paused to protect your account.",
        next_step=f"You can try again at {local:%H:%M} ({local:%Z}). Until then, nothing you type is sent.",
        field="code",
    )
