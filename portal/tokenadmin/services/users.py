"""Finding people and managing their hardware tokens (Graph `/users/{id}/authentication/...`).

Round trips: the user page is one `$batch` (profile + tokens). Each write reads what the audit
event and the checks need (the user's UPN, the token's serial) in one `$batch`, then makes the one
Graph call that changes something — so a failure never leaves half of a change behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from portal.audit.models import AuditEvent
from portal.core.action_errors import ActionError, common_action_error
from portal.core.actions import Auditor, attempt_or_refuse, failure, refusal
from portal.core.attempts import attempt_finish
from portal.graph.batch import BatchRequest, BatchResponse
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.operations import DEVICES, methods_path, odata_filter, user_path
from portal.graph.paging import parse_collection
from portal.graph.types import DirectoryUser, HardwareOathDevice, HardwareOathMethod, Page
from portal.identity.models import User
from portal.tokenadmin.services import meaning

Action = AuditEvent.Action


# -- reading ------------------------------------------------------------------------------------


def user_search(*, client: GraphClient, text: str, next_link: str | None = None) -> Page[DirectoryUser]:
    """People whose name, UPN or mail matches `text`, one page at a time."""
    try:
        return client.users_search(text, top=25, next_link=next_link)
    except GraphError as exc:
        raise common_action_error(exc, admin=True) from exc


@dataclass(frozen=True)
class UserOverview:
    user: DirectoryUser
    tokens: list[HardwareOathMethod]
    #: Set when the profile could be read but the tokens could not (e.g. an admin-role target).
    tokens_error: ActionError | None = None


def user_overview_get(*, client: GraphClient, user_id: str, manage_admin_targets: bool) -> UserOverview:
    """Profile and hardware tokens of one user, in one Graph round trip."""
    responses = client.batch([_profile_request(user_id), _methods_request(user_id)])
    try:
        user = _user_from(responses["profile"])
    except GraphError as exc:
        raise meaning.user_read_error(exc, manage_admin_targets=manage_admin_targets) from exc
    try:
        tokens = client.methods_from_batch_response(responses["methods"])
    except GraphError as exc:
        return UserOverview(user, [], meaning.user_read_error(exc, manage_admin_targets=manage_admin_targets))
    return UserOverview(user, tokens)


@dataclass(frozen=True)
class UserToken:
    user: DirectoryUser
    token: HardwareOathMethod

    @property
    def serial(self) -> str:
        return self.token.device.serial_number if self.token.device else ""


def user_token_get(*, client: GraphClient, user_id: str, method_id: str, manage_admin_targets: bool) -> UserToken:
    """One of a user's tokens with the user's profile (for the confirmation pages): one round trip."""
    responses = client.batch([_profile_request(user_id), _method_request(user_id, method_id)])
    try:
        user = _user_from(responses["profile"])
        token = _method_from(responses["method"])
    except GraphError as exc:
        raise meaning.user_token_error(exc, manage_admin_targets=manage_admin_targets) from exc
    return UserToken(user, token)


@dataclass(frozen=True)
class AddOptions:
    """What the "give this user a token" page needs: who, and which tokens are free."""

    user: DirectoryUser
    available: list[HardwareOathDevice]
    more_available: bool
    #: Set when the inventory could not be read: the admin can still type a serial number.
    available_error: ActionError | None = None


AVAILABLE_PICK_LIMIT = 100


def user_add_options_get(*, client: GraphClient, user_id: str, manage_admin_targets: bool) -> AddOptions:
    """The user's profile and the unassigned tokens (first AVAILABLE_PICK_LIMIT), in one round trip."""
    available_url = DEVICES + "?$filter=" + quote(odata_filter({"status": "available"}), safe="")
    available_url += f"&$top={AVAILABLE_PICK_LIMIT}"
    responses = client.batch([_profile_request(user_id), BatchRequest(id="available", method="GET", url=available_url)])
    try:
        user = _user_from(responses["profile"])
    except GraphError as exc:
        raise meaning.user_read_error(exc, manage_admin_targets=manage_admin_targets) from exc
    answer = responses["available"]
    try:
        answer.raise_for_error()
        items, link, _ = parse_collection(answer.body, status=answer.status)
        devices = [HardwareOathDevice.from_graph(item) for item in items]
    except GraphError as exc:
        return AddOptions(user, [], False, meaning.inventory_read_error(exc))
    return AddOptions(user, devices, link is not None)


# -- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    """What a successful action changed, for the page's confirmation message."""

    user: DirectoryUser
    serial: str


def user_token_assign(
    *,
    actor: User,
    client: GraphClient,
    user_id: str,
    serial_number: str,
    manage_admin_targets: bool,
    client_ip: str | None,
) -> Done:
    """Assign an inventory token to the user without activating it (they activate it later)."""
    audit = Auditor(
        actor=actor,
        action=Action.USER_ASSIGN,
        client_ip=client_ip,
        target_oid=user_id,
        token_serial=serial_number,
    )
    user, device = _user_and_device(client, user_id, serial_number, audit, manage_admin_targets)
    try:
        client.method_assign(user_id, device.id)
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.user_token_meaning(manage_admin_targets)) from exc
    audit.success(graph_request_id=client.last_request_id)
    return Done(user, device.serial_number)


def user_token_assign_activate(
    *,
    actor: User,
    client: GraphClient,
    user_id: str,
    serial_number: str,
    code: str,
    display_name: str,
    manage_admin_targets: bool,
    client_ip: str | None,
) -> Done:
    """Assign a token and activate it with the code it shows (the admin holds it in hand)."""
    audit = Auditor(
        actor=actor,
        action=Action.USER_ASSIGN_ACTIVATE,
        client_ip=client_ip,
        target_oid=user_id,
        token_serial=serial_number,
    )
    user, device = _user_and_device(client, user_id, serial_number, audit, manage_admin_targets)
    attempt = attempt_or_refuse(actor=actor, serial=device.serial_number, audit=audit)
    try:
        client.method_assign_and_activate(user_id, device.id, code, display_name or None)
    except GraphError as exc:
        raise failure(
            exc, audit=audit, meaning=meaning.user_token_meaning(manage_admin_targets), attempt=attempt
        ) from exc
    request_id = client.last_request_id
    attempt_finish(attempt, wrong_code=False)
    audit.success(graph_request_id=request_id)
    return Done(user, device.serial_number)


def user_token_activate(
    *,
    actor: User,
    client: GraphClient,
    user_id: str,
    method_id: str,
    code: str,
    manage_admin_targets: bool,
    client_ip: str | None,
) -> Done:
    """Activate a token the user already holds, with the code it shows now."""
    audit = Auditor(
        actor=actor, action=Action.USER_ACTIVATE, client_ip=client_ip, target_oid=user_id, token_id=method_id
    )
    held = _user_and_method(client, user_id, method_id, audit, manage_admin_targets)
    attempt = attempt_or_refuse(actor=actor, serial=held.serial or f"id:{method_id}", audit=audit)
    try:
        client.method_activate(user_id, method_id, code)
    except GraphError as exc:
        raise failure(
            exc, audit=audit, meaning=meaning.user_token_meaning(manage_admin_targets), attempt=attempt
        ) from exc
    request_id = client.last_request_id
    attempt_finish(attempt, wrong_code=False)
    audit.success(graph_request_id=request_id)
    return Done(held.user, held.serial)


def user_token_deactivate(
    *,
    actor: User,
    client: GraphClient,
    user_id: str,
    method_id: str,
    manage_admin_targets: bool,
    client_ip: str | None,
) -> Done:
    """Deactivate a token: it stays assigned, but can't be used to sign in until activated again."""
    return _change_held_token(
        actor=actor,
        client=client,
        user_id=user_id,
        method_id=method_id,
        client_ip=client_ip,
        manage_admin_targets=manage_admin_targets,
        action=Action.USER_DEACTIVATE,
        request=BatchRequest(
            id="change",
            method="POST",
            url=methods_path(user_id, method_id) + "/deactivate",
            depends_on=["method"],
        ),
    )


def user_token_unassign(
    *,
    actor: User,
    client: GraphClient,
    user_id: str,
    method_id: str,
    manage_admin_targets: bool,
    client_ip: str | None,
) -> Done:
    """Take a token away from the user; it goes back to the inventory as available."""
    return _change_held_token(
        actor=actor,
        client=client,
        user_id=user_id,
        method_id=method_id,
        client_ip=client_ip,
        manage_admin_targets=manage_admin_targets,
        action=Action.USER_UNASSIGN,
        request=BatchRequest(id="change", method="DELETE", url=methods_path(user_id, method_id), depends_on=["method"]),
    )


def _change_held_token(
    *,
    actor: User,
    client: GraphClient,
    user_id: str,
    method_id: str,
    client_ip: str | None,
    manage_admin_targets: bool,
    action: str,
    request: BatchRequest,
) -> Done:
    # Read the user and the token, and change it, in one round trip: the reads give the audit event
    # its UPN and serial; `dependsOn` keeps the change from running when the token is not there.
    audit = Auditor(actor=actor, action=action, client_ip=client_ip, target_oid=user_id, token_id=method_id)
    responses = client.batch([_profile_request(user_id), _method_request(user_id, method_id), request])
    user = _user_or_none(responses["profile"])
    token = _method_or_none(responses["method"])
    serial = token.device.serial_number if token and token.device else ""
    audit.update(target_upn=(user.user_principal_name or "") if user else "", token_serial=serial)
    try:
        for key in ("method", "change"):
            responses[key].raise_for_error()
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.user_token_meaning(manage_admin_targets)) from exc
    audit.success(graph_request_id=responses["change"].request_id)
    if user is None:  # the profile read failed but the change went through: say so plainly
        user = DirectoryUser(user_id, None, None, None, None, None, None, None)
    return Done(user, serial)


# -- shared steps -------------------------------------------------------------------------------


def _user_and_device(
    client: GraphClient, user_id: str, serial: str, audit: Auditor, manage_admin_targets: bool
) -> tuple[DirectoryUser, HardwareOathDevice]:
    """The target user and the inventory token with this serial, read in one round trip."""
    by_serial = DEVICES + "?$filter=" + quote(odata_filter({"serialNumber": serial}), safe="")
    responses = client.batch([_profile_request(user_id), BatchRequest(id="device", method="GET", url=by_serial)])
    try:
        user = _user_from(responses["profile"])
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.user_token_meaning(manage_admin_targets)) from exc
    audit.update(target_upn=user.user_principal_name or "")
    try:
        responses["device"].raise_for_error()
        items, _, _ = parse_collection(responses["device"].body, status=responses["device"].status)
        devices = [HardwareOathDevice.from_graph(item) for item in items]
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.inventory_read_error) from exc
    if not devices:
        raise refusal(
            ActionError(
                reason="unknown_serial",
                message=f"There is no token with serial number {serial} in the inventory.",
                next_step="Check the number on the back of the token. If it is new, an Authentication "
                "Policy Administrator adds it to the inventory first.",
                field="serial_number",
                request_id=responses["device"].request_id or "",
            ),
            audit=audit,
        )
    device = devices[0]
    audit.update(token_serial=device.serial_number, token_id=device.id)
    holder = device.assigned_to
    if holder is not None and holder.id != user_id:
        # Graph would refuse too (409); saying who holds it saves the admin a search.
        raise refusal(
            ActionError(
                reason="already_assigned",
                message=f"Token {device.serial_number} is already assigned to {holder.display_name or 'another user'}.",
                next_step="A token belongs to one person at a time: unassign it from them first (from "
                "their user page), or pick another token.",
                field="serial_number",
            ),
            audit=audit,
        )
    return user, device


def _user_and_method(
    client: GraphClient, user_id: str, method_id: str, audit: Auditor, manage_admin_targets: bool
) -> UserToken:
    responses = client.batch([_profile_request(user_id), _method_request(user_id, method_id)])
    try:
        user = _user_from(responses["profile"])
        audit.update(target_upn=user.user_principal_name or "")
        token = _method_from(responses["method"])
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.user_token_meaning(manage_admin_targets)) from exc
    held = UserToken(user, token)
    audit.update(token_serial=held.serial)
    return held


def _profile_request(user_id: str) -> BatchRequest:
    return BatchRequest(id="profile", method="GET", url=f"{user_path(user_id)}?$select={DirectoryUser.SELECT}")


def _methods_request(user_id: str) -> BatchRequest:
    return BatchRequest(id="methods", method="GET", url=methods_path(user_id))


def _method_request(user_id: str, method_id: str) -> BatchRequest:
    return BatchRequest(id="method", method="GET", url=methods_path(user_id, method_id))


def _user_from(response: BatchResponse) -> DirectoryUser:
    response.raise_for_error()
    return DirectoryUser.from_graph(response.body, status=response.status)


def _method_from(response: BatchResponse) -> HardwareOathMethod:
    response.raise_for_error()
    return HardwareOathMethod.from_graph(response.body, status=response.status)


def _user_or_none(response: BatchResponse) -> DirectoryUser | None:
    try:
        return _user_from(response)
    except GraphError:
        return None


def _method_or_none(response: BatchResponse) -> HardwareOathMethod | None:
    try:
        return _method_from(response)
    except GraphError:
        return None
