"""The tenant's token inventory (Graph `/directory/authenticationMethodDevices/hardwareOathDevices`).

Round trips: an inventory page is one `$batch` — the page of tokens plus one count per status
(`$count=true&$top=1` with each status filter) — and the dashboard's chart is the counts alone.
Writes read the token first (for its serial in the audit trail, and to explain an assigned token
before Graph refuses it), then make the one call that changes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from portal.audit.models import AuditEvent
from portal.core.action_errors import ActionError, common_action_error
from portal.core.actions import Auditor, failure, refusal
from portal.graph.batch import BatchRequest, BatchResponse
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.operations import DEVICES, device_path, odata_filter, user_path
from portal.graph.paging import parse_collection
from portal.graph.types import DirectoryUser, HardwareOathDevice, TokenStatus
from portal.identity.models import User
from portal.tokenadmin.services import meaning

Action = AuditEvent.Action
PAGE_SIZE = 50
#: The order of the chart's bars: the token's life cycle.
CHART_STATUSES = (
    TokenStatus.AVAILABLE,
    TokenStatus.ASSIGNED,
    TokenStatus.ACTIVATED,
    TokenStatus.FAILED_ACTIVATION,
)
_EVENTUAL = {"ConsistencyLevel": "eventual"}


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
    chart says it could not be drawn and the rest of the page still works."""
    try:
        responses = client.batch(_count_requests())
    except GraphError as exc:
        return StatusCounts([], 0, _counts_meaning(exc))
    return _counts_from(responses)


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
            list_url = _relative(client, next_link)
        except GraphError as exc:
            raise common_action_error(exc, admin=True) from exc
    else:
        query = {"$top": str(PAGE_SIZE), "$count": "true"}
        if filters:
            query["$filter"] = odata_filter(filters)
        list_url = DEVICES + "?" + _query(query)
    requests = [BatchRequest(id="page", method="GET", url=list_url, headers=_EVENTUAL), *_count_requests()]
    try:
        responses = client.batch(requests)
        responses["page"].raise_for_error()
        items, link, matching = parse_collection(responses["page"].body, status=responses["page"].status)
        devices = [HardwareOathDevice.from_graph(item) for item in items]
    except GraphError as exc:
        raise meaning.inventory_read_error(exc) from exc
    return InventoryPage(devices, link, _counts_from(responses), matching)


def inventory_token_get(*, client: GraphClient, device_id: str) -> HardwareOathDevice:
    try:
        return client.device_get(device_id)
    except GraphError as exc:
        raise meaning.inventory_read_error(exc) from exc


# -- writes -------------------------------------------------------------------------------------


def inventory_token_create(
    *,
    actor: User,
    client: GraphClient,
    serial_number: str,
    manufacturer: str,
    model: str,
    secret_key: str,
    time_interval: int,
    hash_function: str,
    display_name: str,
    assign_to: str,
    client_ip: str | None,
) -> HardwareOathDevice:
    """Add one token to the inventory, optionally assigned to the user with UPN `assign_to`.

    `secret_key` is Base32 already (the form converts hex). It goes into the Graph request body and
    nowhere else: not the audit event, not a log line, not the page.
    """
    audit = Auditor(actor=actor, action=Action.INVENTORY_CREATE, client_ip=client_ip, token_serial=serial_number)
    holder_id: str | None = None
    if assign_to:
        user = _user_by_upn(client, assign_to, audit)
        holder_id = user.id
        audit.update(target_oid=user.id, target_upn=user.user_principal_name or assign_to)
    try:
        device = client.device_create(
            serial_number=serial_number,
            manufacturer=manufacturer,
            model=model,
            secret_key=secret_key,
            time_interval=time_interval,
            hash_function=hash_function,
            display_name=display_name or None,
            assign_to=holder_id,
        )
    except GraphError as exc:
        assigning = holder_id is not None

        def explain(error: GraphError) -> ActionError:
            return meaning.inventory_write_error(error, assigning=assigning)

        raise failure(exc, audit=audit, meaning=explain) from exc
    audit.update(token_id=device.id)
    audit.success(graph_request_id=client.last_request_id)
    return device


def inventory_token_update(
    *,
    actor: User,
    client: GraphClient,
    device_id: str,
    changes: Mapping[str, str | int | None],
    client_ip: str | None,
) -> HardwareOathDevice:
    """Change an unassigned token's metadata (display_name, manufacturer, model, time_interval,
    hash_function). Returns the token as it was before."""
    audit = Auditor(actor=actor, action=Action.INVENTORY_UPDATE, client_ip=client_ip, token_id=device_id)
    device = _unassigned_device(client, device_id, audit, doing="edited")
    try:
        client.device_update(device_id, **changes)
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.inventory_write_error) from exc
    # Names of the fields sent, not their values: the trail says what kind of change it was.
    audit.success(graph_request_id=client.last_request_id, extra={"fields": sorted(changes)})
    return device


def inventory_token_delete(
    *, actor: User, client: GraphClient, device_id: str, client_ip: str | None
) -> HardwareOathDevice:
    """Remove an unassigned token from the inventory. Returns the token as it was."""
    audit = Auditor(actor=actor, action=Action.INVENTORY_DELETE, client_ip=client_ip, token_id=device_id)
    device = _unassigned_device(client, device_id, audit, doing="deleted")
    try:
        client.device_delete(device_id)
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.inventory_write_error) from exc
    audit.success(graph_request_id=client.last_request_id)
    return device


def inventory_token_assign(
    *,
    actor: User,
    client: GraphClient,
    device_id: str,
    upn: str,
    manage_admin_targets: bool,
    client_ip: str | None,
) -> tuple[HardwareOathDevice, DirectoryUser]:
    """Assign an inventory token to a user by reference (PUT .../device/assignTo/$ref)."""
    audit = Auditor(actor=actor, action=Action.DEVICE_ASSIGN, client_ip=client_ip, token_id=device_id)
    # The token and the user in one round trip; then the one write.
    responses = client.batch(
        [
            BatchRequest(id="device", method="GET", url=device_path(device_id)),
            BatchRequest(id="user", method="GET", url=f"{user_path(upn)}?$select={DirectoryUser.SELECT}"),
        ]
    )
    try:
        device = _device_from(responses["device"])
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.inventory_read_error) from exc
    audit.update(token_serial=device.serial_number)
    try:
        user = _user_from(responses["user"])
    except GraphError as exc:
        raise _user_lookup_failure(exc, upn, audit, field="upn") from exc
    audit.update(target_oid=user.id, target_upn=user.user_principal_name or upn)
    holder = device.assigned_to
    if holder is not None:
        raise refusal(
            ActionError(
                reason="already_assigned" if holder.id != user.id else "already_theirs",
                message=(f"Token {device.serial_number} is already assigned to {holder.display_name or 'a user'}."),
                next_step="A token belongs to one person at a time: unassign it from its holder first."
                if holder.id != user.id
                else "Nothing needs doing.",
                field="upn",
            ),
            audit=audit,
        )
    try:
        client.device_assign_to(user.id, device_id)
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.user_token_meaning(manage_admin_targets)) from exc
    audit.success(graph_request_id=client.last_request_id)
    return device, user


# -- shared steps -------------------------------------------------------------------------------


def _unassigned_device(client: GraphClient, device_id: str, audit: Auditor, *, doing: str) -> HardwareOathDevice:
    try:
        device = client.device_get(device_id)
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=meaning.inventory_read_error) from exc
    audit.update(token_serial=device.serial_number)
    if device.assigned_to is not None:
        # Graph refuses this too (the docs: "must be unassigned"); saying so first names the holder.
        raise refusal(unassign_first_error(device, doing=doing), audit=audit)
    return device


def unassign_first_error(device: HardwareOathDevice, *, doing: str) -> ActionError:
    holder = device.assigned_to.display_name if device.assigned_to else None
    return ActionError(
        reason="assigned",
        message=f"Token {device.serial_number} is assigned to {holder or 'a user'}, and only unassigned "
        f"tokens can be {doing}.",
        next_step="Unassign it from its holder first (from their user page), then try again.",
    )


def _user_by_upn(client: GraphClient, upn: str, audit: Auditor) -> DirectoryUser:
    try:
        return client.user_get(upn)
    except GraphError as exc:
        raise _user_lookup_failure(exc, upn, audit, field="assign_to") from exc


def _user_lookup_failure(exc: GraphError, upn: str, audit: Auditor, *, field: str) -> ActionError:
    if exc.status == 404:
        return refusal(
            ActionError(
                reason="user_not_found",
                message=f"There is no user {upn} in the directory.",
                next_step="Check the user principal name (it usually looks like an email address).",
                field=field,
                request_id=exc.request_id or "",
            ),
            audit=audit,
        )
    return failure(exc, audit=audit, meaning=lambda error: common_action_error(error, admin=True))


def _count_requests() -> list[BatchRequest]:
    requests = [
        BatchRequest(
            id=f"count-{status}",
            method="GET",
            url=DEVICES + "?" + _query({"$filter": odata_filter({"status": status}), "$count": "true", "$top": "1"}),
            headers=_EVENTUAL,
        )
        for status in CHART_STATUSES
    ]
    # The total as well: Graph may add statuses (unknownFutureValue) the chart does not name.
    requests.append(BatchRequest(id="count-all", method="GET", url=DEVICES + "?$count=true&$top=1", headers=_EVENTUAL))
    return requests


def _counts_from(responses: Mapping[str, BatchResponse]) -> StatusCounts:
    counts: dict[str, int] = {}
    try:
        for status in (*CHART_STATUSES, "all"):
            response = responses[f"count-{status}"]
            response.raise_for_error()
            _, _, count = parse_collection(response.body, status=response.status)
            counts[status] = count or 0
    except GraphError as exc:
        return StatusCounts([], 0, _counts_meaning(exc))
    total = max(counts.pop("all"), sum(counts.values()))
    rows = [
        StatusCount(status, counts[status], round(100 * counts[status] / total) if total else 0)
        for status in CHART_STATUSES
    ]
    return StatusCounts(rows, total)


def _counts_meaning(exc: GraphError) -> ActionError:
    # A 401 still raises ReauthenticationRequired: the whole page goes back through sign-in.
    return meaning.inventory_read_error(exc)


def _relative(client: GraphClient, next_link: str) -> str:
    """A nextLink as a `$batch` member URL (relative to the version root), after the client's own
    check that it points under its base URL."""
    absolute = client.url_for(next_link)
    return absolute[len(client.base_url) :] if absolute.startswith(client.base_url + "/") else absolute


def _query(params: Mapping[str, str]) -> str:
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())


def _device_from(response: BatchResponse) -> HardwareOathDevice:
    response.raise_for_error()
    return HardwareOathDevice.from_graph(response.body, status=response.status)


def _user_from(response: BatchResponse) -> DirectoryUser:
    response.raise_for_error()
    return DirectoryUser.from_graph(response.body, status=response.status)
