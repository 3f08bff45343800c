"""What an employee can do with their own tokens: one function per action.

Each write checks the code-attempt limit first (codes are guessable, six digits), calls Graph as
the signed-in person (/me), records the outcome in the audit trail, and turns Graph's failures into
ActionErrors a person can act on. A code never leaves this module except in the Graph request body.
"""

from __future__ import annotations

from portal.audit.models import AuditEvent
from portal.core.action_errors import ActionError, common_action_error, token_action_error
from portal.core.actions import Auditor, attempt_or_refuse, failure
from portal.core.attempts import attempt_finish
from portal.core.serials import serial_normalise
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
    attempt = attempt_or_refuse(actor=actor, serial=serial_number, audit=audit)
    try:
        client.method_assign_and_activate_by_serial(None, serial_number, code, display_name or None)
    except GraphUnavailable as exc:
        # The write may have reached Graph and succeeded before its answer was lost (a timeout):
        # never tell the person to try again before looking. This costs a second round trip, on
        # this failure path only.
        if not _is_mine_and_active(client, serial_number):
            meaning = _unconfirmed if exc.code == "timeout" else token_action_error
            raise failure(exc, audit=audit, meaning=meaning, attempt=attempt) from exc
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=token_action_error, attempt=attempt) from exc
    attempt_finish(attempt, wrong_code=False)
    audit.success(graph_request_id=client.last_request_id)


def my_token_activate(
    *, actor: User, client: GraphClient, method_id: str, code: str, client_ip: str | None
) -> HardwareOathMethod | None:
    """Activate a token an administrator assigned to me. Returns the token as read just before
    (one $batch round trip: read it, then activate it), for the audit trail and the page."""
    audit = _auditor(actor, AuditEvent.Action.SELF_ACTIVATE, client_ip, token_id=method_id)
    attempt = attempt_or_refuse(actor=actor, serial=f"id:{method_id}", audit=audit)
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
        audit.update(token_serial=_serial(token))
        responses["read"].raise_for_error()
        responses["activate"].raise_for_error()
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=_activate_meaning, attempt=attempt) from exc
    attempt_finish(attempt, wrong_code=False)
    audit.success(graph_request_id=responses["activate"].request_id)
    return token


def my_token_remove(
    *, actor: User, client: GraphClient, method_id: str, client_ip: str | None
) -> list[HardwareOathMethod]:
    """Unassign one of my tokens and return my fresh list: read, delete, list in one $batch."""
    audit = _auditor(actor, AuditEvent.Action.SELF_REMOVE, client_ip, token_id=method_id)
    try:
        # All members are idempotent, so the client may safely re-send this $batch after a timeout.
        responses = client.batch(
            [
                BatchRequest(id="read", method="GET", url=f"{ME_METHODS}/{method_id}"),
                BatchRequest(id="delete", method="DELETE", url=f"{ME_METHODS}/{method_id}", depends_on=["read"]),
                BatchRequest(id="list", method="GET", url=ME_METHODS, depends_on=["delete"]),
            ]
        )
        audit.update(token_serial=_serial(_method_or_none(responses["read"])))
        responses["read"].raise_for_error()
        responses["delete"].raise_for_error()
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=graph_meaning.method_error) from exc
    audit.success(graph_request_id=responses["delete"].request_id)
    try:
        return client.methods_from_batch_response(responses["list"])
    except GraphError:
        # The removal happened; only the refreshed list is missing. Let the page load it again.
        return []


def _activate_meaning(exc: GraphError) -> ActionError:
    if isinstance(exc, GraphUnavailable) and exc.code == "timeout":
        # The $batch carried a write; its answer was lost, so it may or may not have happened.
        return ActionError(
            reason="unconfirmed",
            message="Microsoft Entra ID did not answer in time, so the activation may or may not have been made.",
            next_step="Open My tokens to check the token's status before trying again with a new code.",
            request_id=exc.request_id or "",
        )
    return graph_meaning.method_error(exc)


def _auditor(actor: User, action: str, client_ip: str | None, **fixed: str) -> Auditor:
    return Auditor(actor=actor, action=action, client_ip=client_ip, target_oid=actor.oid, target_upn=actor.upn, **fixed)


def _method_or_none(response: BatchResponse) -> HardwareOathMethod | None:
    try:
        return HardwareOathMethod.from_graph(response.body) if response.status == 200 else None
    except GraphError:
        return None


def _serial(token: HardwareOathMethod | None) -> str:
    return token.device.serial_number if token and token.device else ""


def _is_mine_and_active(client: GraphClient, serial_number: str) -> bool:
    try:
        methods = client.methods_list()
    except GraphError:
        return False
    wanted = serial_normalise(serial_number)
    return any(
        m.device is not None
        and serial_normalise(m.device.serial_number) == wanted
        and m.device.status == TokenStatus.ACTIVATED
        for m in methods
    )


def _unconfirmed(exc: GraphError) -> ActionError:
    return ActionError(
        reason="unconfirmed",
        message="Microsoft Entra ID did not answer in time, so we can't tell whether your token was added.",
        next_step="Open My tokens to check. If the token isn't there, add it again with the code it shows then.",
        request_id=exc.request_id or "",
    )
