"""What an employee can do with their own tokens: one function per action.

Each write checks the code-attempt limit first (codes are guessable, six digits), calls Graph as
the signed-in person (/me), records the outcome in the audit trail, and turns Graph's failures into
ActionErrors a person can act on. A code never leaves this module except in the Graph request body.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from portal.audit.models import AuditEvent
from portal.core.action_errors import ActionError, Meaning
from portal.core.actions import Auditor, attempt_or_refuse, code_pause_get, failure, refusal
from portal.core.attempts import attempt_finish
from portal.core.reasons import About, Reason
from portal.core.serials import serial_normalise
from portal.core.wording import Audience
from portal.graph import calls
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError, GraphUnavailable
from portal.graph.types import HardwareOathMethod, TokenStatus
from portal.identity.models import User
from portal.lifecycle.models import LifecycleState, TokenLifecycleEvent
from portal.lifecycle.services import lifecycle_blocking_serial, lifecycle_record
from portal.program.refresh import snapshot_has_serial

MY_TOKENS = Meaning(Audience.EMPLOYEE, About.MY_TOKENS)
#: By its method id: a 404 means "not on your account (any more)".
MY_TOKEN = Meaning(Audience.EMPLOYEE, About.MY_TOKEN)
#: Writes whose answer may be lost: a timeout means "may or may not have happened".
MY_TOKEN_WRITE = Meaning(Audience.EMPLOYEE, About.MY_TOKEN, write_in_flight=True)
#: By its serial number: a 404 means "not in your organisation's inventory".
MY_NEW_TOKEN = Meaning(Audience.EMPLOYEE, About.MY_NEW_TOKEN, write_in_flight=True)


def my_tokens_list(*, client: GraphClient) -> list[HardwareOathMethod]:
    try:
        return client.methods_list()
    except GraphError as exc:
        raise MY_TOKENS(exc) from exc


def my_token_get(*, client: GraphClient, method_id: str) -> HardwareOathMethod:
    try:
        return client.method_get(None, method_id)
    except GraphError as exc:
        raise MY_TOKEN(exc) from exc


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
    if lifecycle_blocking_serial(serial_number) is not None:
        # Reported lost, broken or stolen (or retired): a finder must not make it theirs.
        raise refusal(ActionError.of(Reason.OUT_OF_SERVICE, Audience.EMPLOYEE), audit=audit)
    # While only the person is paused, a serial the inventory does not hold is still answered as such.
    attempt = attempt_or_refuse(
        actor=actor, serial=serial_number, audit=audit, audience=Audience.EMPLOYEE, serial_known=snapshot_has_serial
    )
    request_id: str | None = None
    try:
        request_id = client.call(
            calls.method_assign_and_activate_by_serial(None, serial_number, code, display_name or None)
        ).request_id
    except GraphUnavailable as exc:
        # The write may have reached Graph and succeeded before its answer was lost (a timeout):
        # never tell the person to try again before looking. This costs a second round trip, on
        # this failure path only.
        if not _is_mine_and_active(client, serial_number):
            raise failure(exc, audit=audit, meaning=MY_NEW_TOKEN, attempt=attempt) from exc
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=MY_NEW_TOKEN, attempt=attempt) from exc
    attempt_finish(attempt, wrong_code=False)
    audit.success(graph_request_id=request_id)


def my_token_activate(
    *, actor: User, client: GraphClient, method_id: str, code: str, client_ip: str | None
) -> HardwareOathMethod | None:
    """Activate a token an administrator assigned to me. Returns the token as read just before.

    Read first: the code-attempt limit counts per token by serial number, in this area and the
    admin area alike, so the serial must be known before a code may go to Graph.
    """
    audit = _auditor(actor, AuditEvent.Action.SELF_ACTIVATE, client_ip, token_id=method_id)
    try:
        token = client.call(calls.method_get(None, method_id)).value
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=MY_TOKEN) from exc
    audit.update(token_serial=_serial(token))
    attempt = attempt_or_refuse(
        actor=actor, serial=_counted_serial(token, method_id), audit=audit, audience=Audience.EMPLOYEE
    )
    try:
        activated = client.call(calls.method_activate(None, method_id, code))
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=MY_TOKEN_WRITE, attempt=attempt) from exc
    attempt_finish(attempt, wrong_code=False)
    audit.success(graph_request_id=activated.request_id)
    return token


def my_new_token_pause_get(*, actor: User) -> ActionError | None:
    """The pause on adding a token, shown before anything is typed: the person's own only, as no
    serial is known yet. A serial the inventory does not hold is still answered when sent during it
    (my_token_add, SECURITY.md). A database read: no Graph call."""
    return code_pause_get(actor=actor, audience=Audience.EMPLOYEE)


def my_token_pause_get(*, actor: User, token: HardwareOathMethod, method_id: str) -> ActionError | None:
    """The pause on activating this token (the person's own, or the token's), shown before anything
    is typed. A database read: the token was read with the page."""
    return code_pause_get(actor=actor, serial=_counted_serial(token, method_id), audience=Audience.EMPLOYEE)


def my_token_remove(
    *, actor: User, client: GraphClient, method_id: str, client_ip: str | None
) -> list[HardwareOathMethod]:
    """Unassign one of my tokens and return my fresh list: read, delete, list in one $batch."""
    audit = _auditor(actor, AuditEvent.Action.SELF_REMOVE, client_ip, token_id=method_id)
    try:
        # All members are idempotent, so the client may safely re-send this $batch after a timeout.
        read = calls.method_get(None, method_id)
        delete = calls.method_unassign(None, method_id).after(read)
        held, deleted, listed = client.batch(read, delete, calls.methods_list().after(delete))
        audit.update(token_serial=_serial(held.value if held.ok else None))
        held.raise_for_error()
        deleted.raise_for_error()
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=MY_TOKEN) from exc
    audit.success(graph_request_id=deleted.request_id)
    try:
        return listed.value
    except GraphError:
        # The removal happened; only the refreshed list is missing. Let the page load it again.
        return []


def my_token_report(
    *,
    actor: User,
    client: GraphClient,
    method_id: str,
    state: LifecycleState,
    note: str,
    client_ip: str | None,
) -> TokenLifecycleEvent:
    """ "I lost my token / it's broken": remove it from my account at once (whoever finds it can't
    sign in with it) and record why, so it is never handed out again as stock."""
    flow_id = str(uuid.uuid4())
    audit = _auditor(actor, AuditEvent.Action.SELF_REPORT, client_ip, token_id=method_id, flow_id=flow_id)
    try:
        read = calls.method_get(None, method_id)
        held, deleted = client.batch(read, calls.method_unassign(None, method_id).after(read))
        token = held.value if held.ok else None
        audit.update(token_serial=_serial(token))
        held.raise_for_error()
        deleted.raise_for_error()
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=MY_TOKEN_WRITE) from exc
    with transaction.atomic():
        audit.success(
            graph_request_id=deleted.request_id,
            extra={"lifecycle": state.value},
        )
        return lifecycle_record(
            device_id=method_id,
            serial_number=_serial(token),
            state=state,
            actor=actor,
            note=note,
            holder_oid=actor.oid,
            holder_upn=actor.upn,
            flow_id=flow_id,
        )


def my_report_get(*, actor: User, event_id: int) -> TokenLifecycleEvent | None:
    """A report this person made (for the "what happens next" page), or None."""
    return TokenLifecycleEvent.objects.filter(pk=event_id, actor_oid=actor.oid).first()


def _auditor(actor: User, action: str, client_ip: str | None, **fixed: str) -> Auditor:
    return Auditor(actor=actor, action=action, client_ip=client_ip, target_oid=actor.oid, target_upn=actor.upn, **fixed)


def _serial(token: HardwareOathMethod | None) -> str:
    return token.device.serial_number if token and token.device else ""


def _counted_serial(token: HardwareOathMethod | None, method_id: str) -> str:
    """The token as the code-attempt limit counts it: its serial, or its id if Graph gave none."""
    return _serial(token) or f"id:{method_id}"


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
