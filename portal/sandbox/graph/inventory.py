"""The tenant's token inventory, D1-D9 (reference §1.1, §3.1-§3.6).

Emulation choices where the docs are silent (codes in errors.py):
* Create with `assignTo` → status `assigned` (the API doc, consistent with the state machine).
* Duplicate serial number → 409 serialNumberAlreadyExists when SANDBOX["UNIQUE_SERIALS"]
  (compared case-insensitively, like Graph's string filters).
* Bulk create (PATCH with `@context: "#$delta"`) → SANDBOX["BULK_STATUS"] (200 by default) with
  `{"@context": "#$delta", "value": [...]}` in request order: the created device (with its
  `@contentId`) or `{"@contentId": ..., "error": {"code", "message"}}`. Items are independent:
  every item is checked before anything is written, so valid items succeed next to invalid ones;
  the valid ones are then written in one transaction, one prepared INSERT executed for all of them
  (`_insert`), so a bulk request costs the emulator little beyond its answer.
* Update/delete of an assigned token → 400 deviceMustBeUnassigned.
* `GET .../{id}/assignTo` on an unassigned token → 404 itemNotFound.
* `/directory/authenticationMethodDevices` itself → 405 (reference §1.1 D9).
"""

from __future__ import annotations

import string
from typing import Any

from django.db import connections
from django.db.models import Field as ModelField
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from portal.sandbox.config import sandbox_bool, sandbox_int
from portal.sandbox.graph import errors, lifecycle, permissions, serializers, users, validation
from portal.sandbox.graph.context import Call, json_response, no_content, text_response
from portal.sandbox.graph.filters import Field, FilterSpec, compile_filter
from portal.sandbox.graph.paging import collection_page, parse_list_query, reject_unknown_options
from portal.sandbox.graph.serializers import DEVICES_PATH
from portal.sandbox.http import SandboxResponse
from portal.sandbox.models import HardwareToken

DEVICE_TYPE = "microsoft.graph.hardwareOathTokenAuthenticationMethodDevice"
STATUSES = tuple(choice.value for choice in HardwareToken.Status)

DEVICE_FILTER_FIELDS: dict[str, Field] = {
    "id": Field("id", "uuid"),
    "serialNumber": Field("serial_number", "string"),
    "displayName": Field("display_name", "string"),
    "status": Field("status", "enum", STATUSES),
    "manufacturer": Field("manufacturer", "string"),
    "model": Field("model", "string"),
    "hashFunction": Field("hash_function", "enum", validation.HASH_FUNCTIONS),
    "timeIntervalInSeconds": Field("time_interval", "int"),
    "assignedTo/id": Field("assigned_to_id", "uuid"),
}
# The docs list `eq` only; combining clauses with `and` is the least a portal search needs.
DEVICE_FILTER = FilterSpec(fields=DEVICE_FILTER_FIELDS)


def devices_context(call: Call, suffix: str = "") -> str:
    return f"{call.api_base}/$metadata#{DEVICES_PATH}{suffix}"


def _tokens() -> QuerySet[HardwareToken]:
    return HardwareToken.objects.select_related("assigned_to").order_by("serial_number", "id")


def _device_response(
    call: Call,
    token: HardwareToken,
    status: int = 200,
    headers: dict[str, str] | None = None,
    fields: list[str] | None = None,
) -> SandboxResponse:
    body = {"@odata.context": devices_context(call, "/$entity")}
    body.update(serializers.select(serializers.device(token), fields))
    return json_response(body, status=status, headers=headers)


# --- reads -----------------------------------------------------------------------------------


def list_devices(call: Call, params: dict[str, Any]) -> SandboxResponse:
    permissions.require_inventory_access(call, write=False)
    query = parse_list_query(call, allowed={"$filter", "$select", "$count", "$top", "$skiptoken"})
    fields = serializers.parse_select(query.select, serializers.DEVICE_PROPERTIES, DEVICE_TYPE)
    tokens = _tokens()
    if query.filter:
        tokens = tokens.filter(compile_filter(query.filter, DEVICE_FILTER))
    page = collection_page(
        call,
        tokens,
        query,
        lambda token: serializers.select(serializers.device(token), fields),
        context=devices_context(call, f"({','.join(fields)})" if fields else ""),
    )
    return json_response(page)


def count_devices(call: Call, params: dict[str, Any]) -> SandboxResponse:
    permissions.require_inventory_access(call, write=False)
    options = reject_unknown_options(call, allowed={"$filter"})
    tokens = HardwareToken.objects.all()
    if options.get("$filter"):
        tokens = tokens.filter(compile_filter(options["$filter"], DEVICE_FILTER))
    return text_response(str(tokens.count()))


def get_device(call: Call, params: dict[str, Any]) -> SandboxResponse:
    permissions.require_inventory_access(call, write=False)
    options = reject_unknown_options(call, allowed={"$select"})
    fields = serializers.parse_select(options.get("$select"), serializers.DEVICE_PROPERTIES, DEVICE_TYPE)
    return _device_response(call, _get(params["device_id"]), fields=fields)


def get_device_user(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """D7: the user the token is assigned to."""
    permissions.require_inventory_access(call, write=False)
    token = _get(params["device_id"])
    if token.assigned_to is None:
        raise errors.ITEM_NOT_FOUND("The hardware OATH token is not assigned to a user.")
    return users.entity_response(
        call, token.assigned_to, context=devices_context(call, f"('{token.id}')/assignTo/$entity")
    )


def _get(device_id: str) -> HardwareToken:
    key = lifecycle.parse_id(device_id)
    token = _tokens().filter(pk=key).first() if key else None
    if token is None:
        raise errors.ITEM_NOT_FOUND()
    return token


# --- writes ----------------------------------------------------------------------------------


def create_device(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """D2: one token → 201 + the device (secretKey null)."""
    permissions.require_inventory_access(call, write=True)
    new = validation.parse_new_device(call.object_body())
    token = _create(call, new)
    location = f"{call.api_base}/{DEVICES_PATH}/{token.id}"
    return _device_response(call, token, status=201, headers={"Location": location})


def bulk_create_devices(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """D3: PATCH on the collection with an OData delta payload; partial success per item."""
    permissions.require_inventory_access(call, write=True)
    body = call.object_body()
    if body.get("@context") != "#$delta":
        raise errors.INVALID_REQUEST(
            'Bulk create needs an OData delta payload: {"@context": "#$delta", "value": [...]}.'
        )
    items = body.get("value")
    if not isinstance(items, list) or not items:
        raise errors.INVALID_REQUEST("The delta payload needs a non-empty 'value' array.")
    parsed: list[validation.NewDevice | errors.GraphError] = []
    for item in items:
        try:
            parsed.append(validation.parse_new_device(item))
        except errors.GraphError as exc:
            parsed.append(exc)
    # Checked item by item in request order, as Microsoft answers them; the valid plain items are
    # then written in one go (`_insert`). Everything that needs no database happens outside the
    # transaction, which holds SQLite's one write lock for the taken-serials query and the writes only.
    prepared = [_new_token(new) if isinstance(new, validation.NewDevice) else None for new in parsed]
    outcomes: list[HardwareToken | errors.GraphError] = []
    unique = sandbox_bool("UNIQUE_SERIALS")
    with lifecycle.atomic():
        serials = [new.serial_number for new in parsed if isinstance(new, validation.NewDevice)]
        taken = _taken_serials(serials) if unique else set()
        pending: list[HardwareToken] = []
        for new, token in zip(parsed, prepared, strict=True):
            try:
                if isinstance(new, errors.GraphError):
                    raise new
                if unique and _folded(new.serial_number) in taken:
                    raise errors.SERIAL_ALREADY_EXISTS()
                if new.assign_to is None:
                    assert token is not None
                    pending.append(token)
                else:  # assigning needs the target's checks; rare in a bulk request
                    token = _create(call, new)
            except errors.GraphError as exc:
                outcomes.append(exc)
                continue
            taken.add(_folded(new.serial_number))
            outcomes.append(token)
        _insert(pending)
    results: list[dict[str, Any]] = []
    for item, outcome in zip(items, outcomes, strict=True):
        content_id = item.get("@contentId") if isinstance(item, dict) else None
        if isinstance(outcome, errors.GraphError):
            results.append({"@contentId": content_id, "error": {"code": outcome.code, "message": outcome.message}})
        else:
            results.append({"@contentId": content_id, **serializers.device(outcome)})
    return json_response({"@context": "#$delta", "value": results}, status=sandbox_int("BULK_STATUS"))


#: Serial numbers are compared with ASCII letters case-folded, as SQLite's LOWER() folds them (the
#: index the lookups use): identical serials always match, "sn-1" matches "SN-1".
_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _folded(serial_number: str) -> str:
    return serial_number.translate(_ASCII_FOLD)


def _taken_serials(serial_numbers: list[str]) -> set[str]:
    """Which of these serial numbers the inventory already holds (folded, as compared; the index on
    LOWER(serial_number) answers it without reading the whole inventory)."""
    if not serial_numbers:
        return set()
    lowered = {_folded(serial) for serial in serial_numbers}
    existing = (
        HardwareToken.objects.annotate(lowered=Lower("serial_number"))
        .filter(lowered__in=lowered)
        .values_list("lowered", flat=True)
    )
    return set(existing)


def _insert(tokens: list[HardwareToken]) -> None:
    """Write new tokens: one prepared INSERT executed for all of them (executemany), in the caller's
    transaction. What `bulk_create` stores, without compiling an expression per field and token
    (most of a 100-item bulk request's time); values still go through each field's
    `get_db_prep_save`, once per distinct value (most columns hold the same value in every row)."""
    if not tokens:
        return
    connection = connections[lifecycle.DB]
    now = timezone.now()
    for token in tokens:
        token.created_at = now  # auto_now_add, which only save() and bulk_create() fill in
    fields: list[ModelField[Any, Any]] = list(HardwareToken._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column or field.name) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(HardwareToken._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608: model names only
    prepared: list[dict[Any, Any]] = [{} for _ in fields]

    def value(index: int, field: ModelField[Any, Any], raw: Any) -> Any:
        seen = prepared[index]
        if raw not in seen:
            seen[raw] = field.get_db_prep_save(raw, connection)
        return seen[raw]

    rows = [
        [value(index, field, getattr(token, field.attname)) for index, field in enumerate(fields)] for token in tokens
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for token in tokens:
        token._state.adding = False
        token._state.db = lifecycle.DB


def update_device(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """D5: 204; only an unassigned token can change, and never its serial number or secret."""
    permissions.require_inventory_access(call, write=True)
    changes = validation.parse_device_update(call.object_body())
    with lifecycle.atomic():
        token = lifecycle.lock_token(params["device_id"])
        lifecycle.check_unassigned(token)
        if changes:
            for name, value in changes.items():
                setattr(token, name, value)
            token.save(update_fields=list(changes))
    return no_content()


def delete_device(call: Call, params: dict[str, Any]) -> SandboxResponse:
    """D6: 204; only an unassigned token can leave the inventory."""
    permissions.require_inventory_access(call, write=True)
    with lifecycle.atomic():
        token = lifecycle.lock_token(params["device_id"])
        lifecycle.check_unassigned(token)
        token.delete()
    return no_content()


def _create(call: Call, new: validation.NewDevice) -> HardwareToken:
    target = None
    if new.assign_to is not None:
        # Create-with-assignTo also needs the rights to manage that user's methods (§4.1).
        target = users.resolve(new.assign_to)
        permissions.require_other_user_method_access(call.caller, target, write=True)
    with lifecycle.atomic():
        if sandbox_bool("UNIQUE_SERIALS") and _taken_serials([new.serial_number]):
            raise errors.SERIAL_ALREADY_EXISTS()
        token = _new_token(new)
        token.save(force_insert=True)
        if target is not None:
            lifecycle.assign(token, target)
    return _tokens().get(pk=token.pk)


def _new_token(new: validation.NewDevice) -> HardwareToken:
    return HardwareToken(
        serial_number=new.serial_number,
        manufacturer=new.manufacturer,
        model=new.model,
        secret_key=new.secret_key,
        time_interval=new.time_interval,
        hash_function=new.hash_function,
        display_name=new.display_name,
    )
