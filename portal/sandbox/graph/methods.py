"""A user's hardware OATH methods, U1-U12 (reference §1.2, §3.7-§3.15), self and other-user forms.

`params["user"]` is None for `/me/...` and the id or UPN for `/users/{user}/...`. A method is a
token assigned to the user, with the token's id (reference §0).

Emulation choices where the docs are silent (codes in errors.py):
* U3 on a token assigned to anyone (the same user included) → 409 deviceAlreadyAssigned.
* U5/U7/U8 with a wrong code → 400 invalidVerificationCode; a token already assigned to the user
  becomes `failedActivation` (SANDBOX["WRONG_CODE_SETS_FAILED_ACTIVATION"]) and may be retried; an
  available token stays available (assign-and-activate is all or nothing).
* U5/U7/U8 on a token already activated for the user → 400 deviceAlreadyActivated.
* U6 on a token that is not activated → 400 deviceNotActivated.
* U9: `{id}` is the device id; the referenced user must be the user of the path; assigning a token
  to the user who already holds it is a no-op (PUT is idempotent).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet

from portal.sandbox.graph import errors, lifecycle, permissions, serializers, users, validation
from portal.sandbox.graph.context import Call, json_response, no_content, text_response
from portal.sandbox.graph.filters import Field, FilterSpec, compile_filter
from portal.sandbox.graph.inventory import DEVICE_FILTER_FIELDS
from portal.sandbox.graph.paging import collection_page, parse_list_query, reject_unknown_options
from portal.sandbox.http import SandboxResponse
from portal.sandbox.models import DirectoryUser, HardwareToken

METHOD_TYPE = "microsoft.graph.hardwareOathAuthenticationMethod"

# Docs are silent on U1's filterable properties: the device's, addressed through `device/`.
METHOD_FILTER = FilterSpec(
    fields={
        "id": Field("id", "uuid"),
        **{f"device/{name}": spec for name, spec in DEVICE_FILTER_FIELDS.items() if name != "assignedTo/id"},
    }
)
_USER_REF = re.compile(r"(?:^|/)users(?:/|\(')([^/'()?#]+)")


# --- shared steps ------------------------------------------------------------------------------


def _target(call: Call, params: dict[str, Any], *, write: bool) -> DirectoryUser:
    """The user whose methods are addressed, after the scope and role checks."""
    self_path = params.get("user") is None
    if self_path:
        permissions.require_me_allowed(call)
    permissions.require_method_scope(call, self_path=self_path, write=write)
    target = users.signed_in_user(call) if self_path else users.resolve(params["user"])
    permissions.require_method_access(call, target, write=write)
    return target


def _methods_context(call: Call, target: DirectoryUser, suffix: str = "") -> str:
    return f"{call.api_base}/$metadata#users('{target.id}')/authentication/hardwareOathMethods{suffix}"


def _reload(token: HardwareToken) -> HardwareToken:
    return HardwareToken.objects.select_related("assigned_to").get(pk=token.pk)


def _expand_option(raw: str | None) -> None:
    # `device` is always inlined (as in every doc example); asking for it explicitly is fine.
    if raw is not None and raw.strip().lower() not in {"", "device"}:
        raise errors.BAD_REQUEST("Only $expand=device is supported on hardware OATH methods.")


def _method_of(target: DirectoryUser, method_id: str) -> HardwareToken:
    key = lifecycle.parse_id(method_id)
    tokens = HardwareToken.objects.select_related("assigned_to")
    token = tokens.filter(assigned_to=target, pk=key).first() if key else None
    if token is None:
        raise errors.ITEM_NOT_FOUND()
    return token


# --- reads -----------------------------------------------------------------------------------


def list_methods(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=False)
    query = parse_list_query(call, allowed={"$filter", "$select", "$count", "$expand", "$top", "$skiptoken"})
    _expand_option(query.expand)
    fields = serializers.parse_select(query.select, serializers.METHOD_PROPERTIES, METHOD_TYPE)
    tokens: QuerySet[HardwareToken] = HardwareToken.objects.select_related("assigned_to").filter(assigned_to=target)
    if query.filter:
        tokens = tokens.filter(compile_filter(query.filter, METHOD_FILTER))
    page = collection_page(
        call,
        tokens.order_by("serial_number", "id"),
        query,
        lambda token: serializers.select(serializers.method(token), fields),
        context=_methods_context(call, target, f"({','.join(fields)})" if fields else ""),
    )
    return json_response(page)


def count_methods(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=False)
    options = reject_unknown_options(call, allowed={"$filter"})
    tokens = HardwareToken.objects.filter(assigned_to=target)
    if options.get("$filter"):
        tokens = tokens.filter(compile_filter(options["$filter"], METHOD_FILTER))
    return text_response(str(tokens.count()))


def get_method(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=False)
    options = reject_unknown_options(call, allowed={"$select", "$expand"})
    _expand_option(options.get("$expand"))
    fields = serializers.parse_select(options.get("$select"), serializers.METHOD_PROPERTIES, METHOD_TYPE)
    token = _method_of(target, params["method_id"])
    body = {"@odata.context": _methods_context(call, target, "/$entity")}
    body.update(serializers.select(serializers.method(token), fields))
    return json_response(body)


def get_method_device(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=False)
    reject_unknown_options(call, allowed=set())
    token = _method_of(target, params["method_id"])
    body = {"@odata.context": _methods_context(call, target, f"('{token.id}')/device/$entity")}
    body.update(serializers.device(token))
    return json_response(body)


def get_method_device_user(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=False)
    token = _method_of(target, params["method_id"])
    assert token.assigned_to is not None  # a method is an assigned token
    return users.entity_response(
        call,
        token.assigned_to,
        context=_methods_context(call, target, f"('{token.id}')/device/assignTo/$entity"),
    )


# --- writes ----------------------------------------------------------------------------------


def assign_method(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """U3: assign an inventory token to the user without activating it → 201 + the method."""
    target = _target(call, params, write=True)
    body = call.object_body()
    device = body.get("device")
    device_id = device.get("id") if isinstance(device, dict) else body.get("id")
    if not isinstance(device_id, str) or not device_id.strip():
        raise errors.INVALID_REQUEST('Give the token as {"device": {"id": "<device id>"}}.')
    with lifecycle.atomic():
        token = lifecycle.lock_token(device_id.strip())
        lifecycle.assign(token, target)
    token = _reload(token)
    body_out = {"@odata.context": _methods_context(call, target, "/$entity")}
    body_out.update(serializers.method(token))
    location = f"{call.api_base}/users/{target.id}/authentication/hardwareOathMethods/{token.id}"
    return json_response(body_out, status=201, headers={"Location": location})


def unassign_method(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """U4: the token goes back to the inventory as `available`."""
    target = _target(call, params, write=True)
    with lifecycle.atomic():
        token = lifecycle.lock_method(target, params["method_id"])
        lifecycle.unassign(token)
    return no_content()


def activate_method(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """U5: check the code of an assigned token → activated, or 400 and failedActivation."""
    target = _target(call, params, write=True)
    body = call.object_body()
    validation.reject_unknown_parameters(body, frozenset({"verificationCode", "displayName"}))
    code = validation.parse_verification_code(body)
    display_name = validation.parse_display_name(body)
    with lifecycle.atomic():
        token = lifecycle.lock_method(target, params["method_id"])
        failure = _activate_held(token, code, display_name)
    if failure is not None:
        raise failure
    return no_content()


def deactivate_method(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """U6: an activated token stays assigned but is no longer usable for sign-in."""
    target = _target(call, params, write=True)
    with lifecycle.atomic():
        token = lifecycle.lock_method(target, params["method_id"])
        lifecycle.deactivate(token)
    return no_content()


def assign_and_activate(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """U7: `{device: {id}, verificationCode, displayName?}`."""
    target = _target(call, params, write=True)
    body = call.object_body()
    validation.reject_unknown_parameters(body, frozenset({"device", "verificationCode", "displayName"}))
    device = body.get("device")
    device_id = device.get("id") if isinstance(device, dict) else None
    if not isinstance(device_id, str) or not device_id.strip():
        raise errors.INVALID_REQUEST('The parameter \'device\' is required: {"device": {"id": "<device id>"}}.')
    code = validation.parse_verification_code(body)
    display_name = validation.parse_display_name(body)
    with lifecycle.atomic():
        token = lifecycle.lock_token(device_id.strip())
        failure = _assign_and_activate(token, target, code, display_name)
    if failure is not None:
        raise failure
    return no_content()


def assign_and_activate_by_serial(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """U8: `{serialNumber, verificationCode, displayName?}` — the self-service flow's one call."""
    target = _target(call, params, write=True)
    body = call.object_body()
    validation.reject_unknown_parameters(body, frozenset({"serialNumber", "verificationCode", "displayName"}))
    serial = body.get("serialNumber")
    if not isinstance(serial, str) or not serial.strip():
        raise errors.INVALID_REQUEST("The parameter 'serialNumber' is required.")
    code = validation.parse_verification_code(body)
    display_name = validation.parse_display_name(body)
    with lifecycle.atomic():
        token = _lock_by_serial(serial.strip(), target)
        failure = _assign_and_activate(token, target, code, display_name)
    if failure is not None:
        raise failure
    return no_content()


def put_assign_to_ref(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """U9: PUT .../{id}/device/assignTo/$ref with `{"@odata.id": ".../users/{id}"}` → 204."""
    target = _target(call, params, write=True)
    body = call.object_body()
    reference = body.get("@odata.id", body.get("odata.id"))  # the docs' property table spells it without @
    match = _USER_REF.search(reference) if isinstance(reference, str) else None
    if match is None:
        raise errors.INVALID_REQUEST(
            'The body must reference a user: {"@odata.id": "https://graph.microsoft.com/beta/users/<id>"}.'
        )
    referenced = users.resolve(match.group(1))
    if referenced.id != target.id:
        raise errors.INVALID_REQUEST("The referenced user must be the user in the request path.")
    with lifecycle.atomic():
        token = lifecycle.lock_token(params["method_id"])
        if token.assigned_to_id != target.id:
            lifecycle.assign(token, target)
    return no_content()


# --- activation rules ---------------------------------------------------------------------------


def _activate_held(token: HardwareToken, code: str, display_name: str | None) -> errors.GraphError | None:
    """Activate a token the user already holds; the error to raise after commit, if any."""
    if token.status == HardwareToken.Status.ACTIVATED:
        raise errors.DEVICE_ALREADY_ACTIVATED()
    if not lifecycle.code_is_valid(token, code):
        lifecycle.record_wrong_code(token)
        return errors.INVALID_VERIFICATION_CODE()
    lifecycle.activate(token, display_name)
    return None


def _assign_and_activate(
    token: HardwareToken, target: DirectoryUser, code: str, display_name: str | None
) -> errors.GraphError | None:
    if token.assigned_to_id == target.id:
        # Pre-assigned by an admin "for greater assurance" (reference §5.8, §3.14).
        return _activate_held(token, code, display_name)
    if token.assigned_to_id is not None:
        raise errors.DEVICE_ALREADY_ASSIGNED()
    lifecycle.check_can_receive(target)
    if not lifecycle.code_is_valid(token, code):
        return errors.INVALID_VERIFICATION_CODE()
    lifecycle.assign(token, target)
    lifecycle.activate(token, display_name)
    return None


def _lock_by_serial(serial: str, target: DirectoryUser) -> HardwareToken:
    """The token with this serial number; with duplicate serials (UNIQUE_SERIALS off) the one the
    user holds wins, then an available one."""
    candidates = list(HardwareToken.objects.select_for_update().filter(serial_number__iexact=serial))
    if not candidates:
        raise errors.ITEM_NOT_FOUND("No hardware OATH token with this serial number exists.")
    for token in candidates:
        if token.assigned_to_id == target.id:
            return token
    for token in candidates:
        if token.assigned_to_id is None:
            return token
    return candidates[0]
