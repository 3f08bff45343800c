"""A user's Temporary Access Pass, T1-T4, and the tenant's TAP policy, T5
(graph-temporary-access-pass.md §2-§5), in the /me and /users/{id | upn} forms.

The pass (`temporaryAccessPass`) is in the create answer only; every read answers null. Rules live in
portal.sandbox.passes (shared with the sign-in page); this module is the HTTP shape.

Emulation choices where the docs are silent (codes in errors.py, rows in README's sandbox table):
* create for oneself → 403 accessDenied (create is documented for other users only);
* create while the policy is disabled → 400 temporaryAccessPassDisabledByPolicy;
* lifetimeInMinutes outside the policy's bounds → 400 temporaryAccessPassLifetimeOutOfRange;
* create while a usable pass exists → the old one is replaced (beta docs), or 409
  temporaryAccessPassAlreadyExists with TAP_REPLACE_EXISTING off;
* startDateTime without an offset is UTC; a start in the past is accepted as given (the lifetime counts from it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portal.sandbox import passes
from portal.sandbox.graph import errors, lifecycle, permissions, serializers, users
from portal.sandbox.graph.context import Call, json_response, no_content
from portal.sandbox.graph.paging import reject_unknown_options
from portal.sandbox.http import SandboxResponse
from portal.sandbox.models import DirectoryUser, TemporaryAccessPass

PASS_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
POLICY_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
POLICY_ID = "TemporaryAccessPass"

CREATE_FIELDS = frozenset({"startDateTime", "lifetimeInMinutes", "isUsableOnce"})
READ_ONLY = frozenset(
    {"id", "temporaryAccessPass", "createdDateTime", "isUsable", "methodUsabilityReason", "lastUsedDateTime"}
)
PROPERTIES = (
    "id",
    "temporaryAccessPass",
    "createdDateTime",
    "startDateTime",
    "lifetimeInMinutes",
    "isUsableOnce",
    "isUsable",
    "methodUsabilityReason",
    "lastUsedDateTime",
)

_REFUSED = {
    passes.PassRefused.Reason.DISABLED_BY_POLICY: errors.TAP_DISABLED_BY_POLICY,
    passes.PassRefused.Reason.LIFETIME_OUT_OF_RANGE: errors.TAP_LIFETIME_OUT_OF_RANGE,
    passes.PassRefused.Reason.ALREADY_EXISTS: errors.TAP_ALREADY_EXISTS,
}


def serialize(tap: TemporaryAccessPass, *, value: str | None = None) -> dict[str, Any]:
    state = passes.usability(tap)
    return {
        "@odata.type": PASS_TYPE,
        "id": str(tap.id),
        "temporaryAccessPass": value,
        "createdDateTime": serializers.iso(tap.created_at),
        "startDateTime": serializers.iso(tap.start_at),
        "lifetimeInMinutes": tap.lifetime_minutes,
        "isUsableOnce": tap.is_usable_once,
        "isUsable": state == passes.Usability.ENABLED_BY_POLICY,
        "methodUsabilityReason": str(state),
        "lastUsedDateTime": serializers.iso(tap.last_used_at),
    }


def _target(call: Call, params: dict[str, Any], *, write: bool, create: bool = False) -> DirectoryUser:
    self_path = params.get("user") is None
    if self_path:
        permissions.require_me_allowed(call)
    permissions.require_pass_scope(call, self_path=self_path, write=write)
    target = users.signed_in_user(call) if self_path else users.resolve(params["user"])
    permissions.require_pass_access(call, target, write=write, create=create)
    return target


def _context(call: Call, target: DirectoryUser, suffix: str = "") -> str:
    return f"{call.api_base}/$metadata#users('{target.id}')/authentication/temporaryAccessPassMethods{suffix}"


def _pass_of(target: DirectoryUser, pass_id: str) -> TemporaryAccessPass:
    key = lifecycle.parse_id(pass_id)
    tap = TemporaryAccessPass.objects.filter(user=target, pk=key).first() if key else None
    if tap is None:
        raise errors.ITEM_NOT_FOUND()
    return tap


# --- T1 / T2 reads -------------------------------------------------------------------------------------


def list_passes(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=False)
    options = reject_unknown_options(call, allowed={"$select"})
    fields = serializers.parse_select(options.get("$select"), PROPERTIES, PASS_TYPE[1:])
    items = [serializers.select(serialize(tap), fields) for tap in TemporaryAccessPass.objects.filter(user=target)]
    return json_response({"@odata.context": _context(call, target), "value": items})


def get_pass(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=False)
    options = reject_unknown_options(call, allowed={"$select"})
    fields = serializers.parse_select(options.get("$select"), PROPERTIES, PASS_TYPE[1:])
    body = {"@odata.context": _context(call, target, "/$entity")}
    body.update(serializers.select(serialize(_pass_of(target, params["pass_id"])), fields))
    return json_response(body)


# --- T3 create / T4 delete ----------------------------------------------------------------------------


def create_pass(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=True, create=True)
    body = call.object_body()
    start, lifetime, usable_once = _parse_create(body)
    try:
        tap, value = passes.issue(target, start=start, lifetime_minutes=lifetime, usable_once=usable_once)
    except passes.PassRefused as refused:
        raise _REFUSED[refused.reason](refused.message) from None
    out = {"@odata.context": _context(call, target, "/$entity")}
    out.update(serialize(tap, value=value))
    location = f"{call.api_base}/users/{target.id}/authentication/temporaryAccessPassMethods/{tap.id}"
    return json_response(out, status=201, headers={"Location": location})


def delete_pass(call: Call, params: dict[str, Any]) -> SandboxResponse:
    target = _target(call, params, write=True)
    _pass_of(target, params["pass_id"]).delete()
    return no_content()


def _parse_create(body: dict[str, Any]) -> tuple[datetime | None, int | None, bool | None]:
    for key in body:
        if key.startswith("@") or key in CREATE_FIELDS:
            continue
        if key in READ_ONLY:
            raise errors.INVALID_REQUEST(f"The property '{key}' is read-only and can't be set.")
        raise errors.INVALID_REQUEST(f"The property '{key}' does not exist on type '{PASS_TYPE[1:]}'.")
    lifetime = body.get("lifetimeInMinutes")
    if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(lifetime, int)):
        raise errors.INVALID_REQUEST("lifetimeInMinutes must be a whole number of minutes.")
    if lifetime is not None and not passes.LIFETIME_FLOOR <= lifetime <= passes.LIFETIME_CEILING:
        raise errors.TAP_LIFETIME_OUT_OF_RANGE(
            f"lifetimeInMinutes must be between {passes.LIFETIME_FLOOR} and {passes.LIFETIME_CEILING}."
        )
    usable_once = body.get("isUsableOnce")
    if usable_once is not None and not isinstance(usable_once, bool):
        raise errors.INVALID_REQUEST("isUsableOnce must be true or false.")
    return _start(body.get("startDateTime")), lifetime, usable_once


def _start(raw: Any) -> datetime | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise errors.INVALID_REQUEST("startDateTime must be an ISO 8601 date and time.")
    try:
        parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise errors.INVALID_REQUEST("startDateTime must be an ISO 8601 date and time.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- T5 policy ------------------------------------------------------------------------------------


def get_policy(call: Call, params: dict[str, Any]) -> SandboxResponse:
    permissions.require_pass_policy_read(call)
    reject_unknown_options(call, allowed=set())
    if params["config_id"].lower() != POLICY_ID.lower():
        raise errors.ITEM_NOT_FOUND(f"No authentication method configuration with id '{params['config_id']}'.")
    policy = passes.Policy.current()
    body = {
        "@odata.context": f"{call.api_base}/$metadata#policies/authenticationMethodsPolicy/"
        "authenticationMethodConfigurations/$entity",
        "@odata.type": POLICY_TYPE,
        "id": POLICY_ID,
        "state": "enabled" if policy.enabled else "disabled",
        "defaultLifetimeInMinutes": policy.default_lifetime,
        "defaultLength": policy.default_length,
        "minimumLifetimeInMinutes": policy.minimum_lifetime,
        "maximumLifetimeInMinutes": policy.maximum_lifetime,
        "isUsableOnce": policy.is_usable_once,
        "includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}],
        "excludeTargets": [],
    }
    return json_response(body)
