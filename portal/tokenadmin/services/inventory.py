"""The tenant's token inventory (Graph `/directory/authenticationMethodDevices/hardwareOathDevices`).

Round trips: an inventory page is one `$batch` — the page of tokens plus one count per status
(`$count=true&$top=1` with each status filter) — and the dashboard's chart is the counts alone.
Writes read the token first (for its serial in the audit trail, and to explain an assigned token
before Graph refuses it), then make the one call that changes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction

from portal.audit.models import AuditEvent
from portal.core.action_errors import ActionError, Meaning
from portal.core.actions import Acting, Auditor, failure, refusal
from portal.core.reasons import About, Reason
from portal.core.wording import UNNAMED_HOLDER, Audience, InventoryChange, Known, unassign_first_words
from portal.graph import calls
from portal.graph.calls import GraphCall, Result
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.types import DirectoryUser, HardwareOathDevice, TokenStatus
from portal.lifecycle.models import LifecycleState, TokenLifecycleEvent
from portal.lifecycle.services import lifecycle_current, lifecycle_record, lifecycle_refusal
from portal.tokenadmin.services.users import INVENTORY_READ, user_token

Action = AuditEvent.Action
INVENTORY_WRITE = Meaning(Audience.ADMIN, About.INVENTORY_WRITE)
INVENTORY_CREATE_ASSIGNED = Meaning(Audience.ADMIN, About.INVENTORY_CREATE_ASSIGNED)
#: Looking a person up by the UPN the admin typed (passed as `upn`).
USER_BY_UPN = Meaning(Audience.ADMIN, About.DIRECTORY)
PAGE_SIZE = 50
#: The order of the chart's bars: the token's life cycle.
CHART_STATUSES = (
    TokenStatus.AVAILABLE,
    TokenStatus.ASSIGNED,
    TokenStatus.ACTIVATED,
    TokenStatus.FAILED_ACTIVATION,
)


# -- counts and pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int
    #: Share of the total, 0-100, for the bar's length.
    percent: int


@dataclass(frozen=True)
class StatusCounts:
    rows: list[StatusCount]
    total: int
    error: ActionError | None = None


def inventory_counts_get(*, client: GraphClient) -> StatusCounts:
    """How many tokens are in each status (one round trip). Never raises for a Graph failure: the
    chart says it could not be drawn and the rest of the page still works (a 401 still raises
    ReauthenticationRequired: the whole page goes back through sign-in)."""
    try:
        counts = client.batch(*_count_calls())
    except GraphError as exc:
        return StatusCounts([], 0, INVENTORY_READ(exc))
    return _counts_from(counts)


@dataclass(frozen=True)
class InventoryPage:
    devices: list[HardwareOathDevice]
    next_link: str | None
    counts: StatusCounts
    #: The number of tokens matching the filters (first page only).
    matching: int | None


def inventory_page_get(
    *, client: GraphClient, filters: Mapping[str, str], next_link: str | None = None
) -> InventoryPage:
    """One page of the inventory (filters use Graph property names, `eq` only) and the status
    counts, in one round trip."""
    if next_link is not None:
        try:
            client.url_for(next_link)  # refused before anything is sent when it points elsewhere
        except GraphError as exc:
            raise INVENTORY_READ(exc) from exc
        listing = calls.devices_list(next_link=next_link, count=True)
    else:
        listing = calls.devices_list(filters=filters or None, top=PAGE_SIZE, count=True)
    try:
        page, *counts = client.batch(listing, *_count_calls())
        found = page.value
    except GraphError as exc:
        raise INVENTORY_READ(exc) from exc
    return InventoryPage(found.items, found.next_link, _counts_from(counts), found.count)


def inventory_token_get(*, client: GraphClient, device_id: str) -> HardwareOathDevice:
    try:
        return client.device_get(device_id)
    except GraphError as exc:
        raise INVENTORY_READ(exc) from exc


# -- writes -------------------------------------------------------------------------------------


def inventory_token_create(
    *,
    acting: Acting,
    serial_number: str,
    manufacturer: str,
    model: str,
    secret_key: str,
    time_interval: int,
    hash_function: str,
    display_name: str,
    assign_to: str,
) -> HardwareOathDevice:
    """Add one token to the inventory, optionally assigned to the user with UPN `assign_to`.

    `secret_key` is Base32 already (the form converts hex). It goes into the Graph request body and
    nowhere else: not the audit event, not a log line, not the page.
    """
    audit = acting.audit(Action.INVENTORY_CREATE, token_serial=serial_number)
    holder_id: str | None = None
    if assign_to:
        user = _user_by_upn(acting.client, assign_to, audit)
        holder_id = user.id
        audit.update(target_oid=user.id, target_upn=user.user_principal_name or assign_to)
    try:
        created = acting.client.call(
            calls.device_create(
                serial_number=serial_number,
                manufacturer=manufacturer,
                model=model,
                secret_key=secret_key,
                time_interval=time_interval,
                hash_function=hash_function,
                display_name=display_name or None,
                assign_to=holder_id,
            )
        )
    except GraphError as exc:
        meaning = INVENTORY_CREATE_ASSIGNED if holder_id is not None else INVENTORY_WRITE
        raise failure(exc, audit=audit, meaning=meaning) from exc
    device = created.value
    audit.update(token_id=device.id)
    audit.success(graph_request_id=created.request_id)
    return device


def inventory_token_update(
    *, acting: Acting, device_id: str, changes: Mapping[str, str | int | None]
) -> HardwareOathDevice:
    """Change an unassigned token's metadata (display_name, manufacturer, model, time_interval,
    hash_function). Returns the token as it was before."""
    audit = acting.audit(Action.INVENTORY_UPDATE, token_id=device_id)
    device = _unassigned_device(acting.client, device_id, audit, change=InventoryChange.EDIT)
    try:
        done = acting.client.call(calls.device_update(device_id, **changes))
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=INVENTORY_WRITE) from exc
    # Names of the fields sent, not their values: the trail says what kind of change it was.
    audit.success(graph_request_id=done.request_id, extra={"fields": sorted(changes)})
    return device


def inventory_token_delete(*, acting: Acting, device_id: str) -> HardwareOathDevice:
    """Remove an unassigned token from the inventory. Returns the token as it was."""
    audit = acting.audit(Action.INVENTORY_DELETE, token_id=device_id)
    device, request_id = _unassigned_device_delete(acting, device_id, audit, change=InventoryChange.DELETE)
    audit.success(graph_request_id=request_id)
    return device


def inventory_token_retire(*, acting: Acting, device_id: str, note: str) -> HardwareOathDevice:
    """Take a token out of service for good: delete it from Entra's inventory (only unassigned
    tokens can be) and record it as retired, so a later import of its serial is flagged."""
    audit = acting.audit(Action.INVENTORY_RETIRE, token_id=device_id)
    device, request_id = _unassigned_device_delete(acting, device_id, audit, change=InventoryChange.RETIRE)
    with transaction.atomic():
        audit.success(graph_request_id=request_id, extra={"lifecycle": LifecycleState.RETIRED.value})
        lifecycle_record(
            device_id=device.id,
            serial_number=device.serial_number,
            state=LifecycleState.RETIRED,
            actor=acting.actor,
            note=note,
        )
    return device


def inventory_token_lifecycle_set(
    *, acting: Acting, device_id: str, state: LifecycleState, note: str
) -> TokenLifecycleEvent:
    """Record what happened to a token in stock (returned, sent back to the vendor, lost, broken…).
    A token someone holds is reported through "Replace" on their page, which also takes it away."""
    audit = acting.audit(Action.INVENTORY_LIFECYCLE, token_id=device_id)
    device = _unassigned_device(acting.client, device_id, audit, change=InventoryChange.MARK)
    with transaction.atomic():
        audit.success(graph_request_id=None, extra={"lifecycle": state.value})  # no Graph write
        return lifecycle_record(
            device_id=device.id, serial_number=device.serial_number, state=state, actor=acting.actor, note=note
        )


def inventory_token_assign(*, acting: Acting, device_id: str, upn: str) -> tuple[HardwareOathDevice, DirectoryUser]:
    """Assign an inventory token to a user by reference (PUT .../device/assignTo/$ref)."""
    audit = acting.audit(Action.DEVICE_ASSIGN, token_id=device_id)
    # The token and the user in one round trip; then the one write.
    read_device, read_user = acting.client.batch(calls.device_get(device_id), calls.user_get(upn))
    try:
        device = read_device.value
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=INVENTORY_READ) from exc
    audit.update(token_serial=device.serial_number)
    try:
        user = read_user.value
    except GraphError as exc:
        raise _user_lookup_failure(exc, upn, audit, field="upn") from exc
    audit.update(target_oid=user.id, target_upn=user.user_principal_name or upn)
    audit.person_mail = user.mail or ""
    holder = device.assigned_to
    if holder is not None:
        raise refusal(
            ActionError.of(
                Reason.ALREADY_ASSIGNED if holder.id != user.id else Reason.ALREADY_THEIRS,
                Audience.ADMIN,
                known=Known.HOLDER,
                field="upn",
                params={"serial": device.serial_number, "holder": holder.display_name or UNNAMED_HOLDER},
            ),
            audit=audit,
        )
    recorded = lifecycle_current([device.id]).get(device.id)
    if recorded is not None and recorded.lifecycle_state.blocks_stock:
        raise refusal(lifecycle_refusal(recorded, audience=Audience.ADMIN, field="upn"), audit=audit)
    try:
        done = acting.client.call(calls.device_assign_to(user.id, device_id, base_url=acting.client.base_url))
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=user_token(acting.manage_admin_targets)) from exc
    audit.success(graph_request_id=done.request_id)
    return device, user


# -- shared steps -------------------------------------------------------------------------------


def _unassigned_device(
    client: GraphClient, device_id: str, audit: Auditor, *, change: InventoryChange
) -> HardwareOathDevice:
    try:
        device = client.device_get(device_id)
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=INVENTORY_READ) from exc
    audit.update(token_serial=device.serial_number)
    if device.assigned_to is not None:
        # Graph refuses this too (the docs: "must be unassigned"); saying so first names the holder.
        raise refusal(unassign_first_error(device, change=change), audit=audit)
    return device


def _unassigned_device_delete(
    acting: Acting, device_id: str, audit: Auditor, *, change: InventoryChange
) -> tuple[HardwareOathDevice, str | None]:
    """Delete an unassigned token from Entra's inventory: the token as it was, and Graph's request-id."""
    device = _unassigned_device(acting.client, device_id, audit, change=change)
    try:
        done = acting.client.call(calls.device_delete(device_id))
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=INVENTORY_WRITE) from exc
    return device, done.request_id


def unassign_first_error(device: HardwareOathDevice, *, change: InventoryChange) -> ActionError:
    holder = device.assigned_to.display_name if device.assigned_to else None
    message, next_step = unassign_first_words(change, serial=device.serial_number, holder=holder or str(UNNAMED_HOLDER))
    return ActionError(Reason.ASSIGNED, message, next_step, Reason.ASSIGNED.field)


def _user_by_upn(client: GraphClient, upn: str, audit: Auditor) -> DirectoryUser:
    try:
        return client.user_get(upn)
    except GraphError as exc:
        raise _user_lookup_failure(exc, upn, audit, field="assign_to") from exc


def _user_lookup_failure(exc: GraphError, upn: str, audit: Auditor, *, field: str) -> ActionError:
    error = failure(exc, audit=audit, meaning=USER_BY_UPN, params={"upn": upn})
    if error.reason is Reason.USER_NOT_FOUND:
        error.field = field
    return error


def _count_calls() -> list[GraphCall[int | None]]:
    counts = [calls.devices_count({"status": status}) for status in CHART_STATUSES]
    # The total as well: Graph may add statuses (unknownFutureValue) the chart does not name.
    return [*counts, calls.devices_count()]


def _counts_from(results: Sequence[Result[int | None]]) -> StatusCounts:
    """The chart from `_count_calls()`'s results, in that order."""
    try:
        *by_status, everything = [result.value or 0 for result in results]
    except GraphError as exc:
        return StatusCounts([], 0, INVENTORY_READ(exc))
    counts = dict(zip(CHART_STATUSES, by_status, strict=True))
    total = max(everything, sum(by_status))
    rows = [
        StatusCount(status, counts[status], round(100 * counts[status] / total) if total else 0)
        for status in CHART_STATUSES
    ]
    return StatusCounts(rows, total)
