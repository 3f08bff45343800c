"""Read-only Graph lookups for dry runs and for checking rows whose fate is unknown.

* Inventory by serial: either page through the whole inventory once (999 per page, following every
  nextLink: tools that stopped at the first page are why re-imports made duplicates), or ask for
  each serial with `$filter=serialNumber eq '…'`, 20 per `$batch` call — whichever costs fewer
  round trips (the inventory's size comes from `$count`; without it, the full pass).
* Users by UPN: `GET /users/{upn}`, 20 per `$batch` call; 404 means no such user.
* Devices by id: `GET .../hardwareOathDevices/{id}`, 20 per `$batch` call.

Serials are compared in their canonical form (portal.core.serials.serial_normalise), as the
inventory compares them. A failed member raises its GraphError: the caller decides to wait or stop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

from portal.core.serials import serial_normalise
from portal.graph.batch import MAX_BATCH_SIZE, BatchRequest, BatchResponse
from portal.graph.client import GraphClient
from portal.graph.operations import DEVICES, device_path, odata_filter, user_path
from portal.graph.paging import parse_collection
from portal.graph.types import DirectoryUser, HardwareOathDevice
from portal.imports.services.parallel import Parallel

PAGE_SIZE = 999
USER_SELECT = "id,displayName,userPrincipalName,userType,accountEnabled"

T = TypeVar("T")


@dataclass(frozen=True)
class InventoryEntry:
    device_id: str
    serial: str
    status: str | None
    assigned_to_id: str | None
    assigned_to_name: str | None

    @classmethod
    def of(cls, device: HardwareOathDevice) -> InventoryEntry:
        holder = device.assigned_to
        return cls(
            device_id=device.id,
            serial=device.serial_number,
            status=device.status,
            assigned_to_id=holder.id if holder else None,
            assigned_to_name=(holder.display_name or holder.id) if holder else None,
        )


@dataclass(frozen=True)
class UserEntry:
    id: str
    upn: str
    display_name: str
    guest: bool
    enabled: bool


def _serial_map(entries: Iterable[InventoryEntry]) -> dict[str, InventoryEntry]:
    return {serial_normalise(entry.serial): entry for entry in entries}


def chunked(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def inventory_count(client: GraphClient) -> int | None:
    return client.devices_list(top=1, count=True).count


def inventory_scan(client: GraphClient) -> dict[str, InventoryEntry]:
    """Every inventory token by serial key, following nextLink to the last page."""
    found: dict[str, InventoryEntry] = {}
    page = client.devices_list(top=PAGE_SIZE)
    while True:
        found.update(_serial_map(InventoryEntry.of(device) for device in page.items))
        if not page.next_link:
            return found
        page = client.devices_list(next_link=page.next_link)


def serials_lookup(client: GraphClient, serials: Sequence[str]) -> dict[str, InventoryEntry]:
    """The inventory tokens with these serials (missing serials are absent from the answer)."""
    requests = [
        BatchRequest(
            id=str(index),
            method="GET",
            url=DEVICES + "?$filter=" + quote(odata_filter({"serialNumber": serial}), safe=""),
        )
        for index, serial in enumerate(serials)
    ]
    found: dict[str, InventoryEntry] = {}
    for answer in client.batch(requests).values():
        for device in _devices_of(client, answer):
            found[serial_normalise(device.serial_number)] = InventoryEntry.of(device)
    return found


def _devices_of(client: GraphClient, answer: BatchResponse) -> list[HardwareOathDevice]:
    answer.raise_for_error()
    items, next_link, _ = parse_collection(answer.body, status=answer.status)
    devices = [HardwareOathDevice.from_graph(item) for item in items]
    if next_link:
        devices.extend(HardwareOathDevice.from_graph(item) for item in client.iterate(next_link))
    return devices


def inventory_by_serial(
    client: GraphClient, serials: Sequence[str], *, parallel: Parallel
) -> dict[str, InventoryEntry]:
    """The inventory tokens among `serials`, by serial key, with as few round trips as we can."""
    if not serials:
        return {}
    count = inventory_count(client)
    filtered_calls = math.ceil(len(serials) / MAX_BATCH_SIZE)
    if count is None or math.ceil(count / PAGE_SIZE) <= filtered_calls:
        everything = inventory_scan(client)
        wanted = {serial_normalise(serial) for serial in serials}
        return {key: entry for key, entry in everything.items() if key in wanted}
    found: dict[str, InventoryEntry] = {}
    for part in parallel.map(lambda group: serials_lookup(client, group), chunked(list(serials), MAX_BATCH_SIZE)):
        found.update(part)
    return found


def users_lookup(client: GraphClient, upns: Sequence[str]) -> dict[str, UserEntry | None]:
    """Each UPN → the user, or None when the directory has no such user."""
    requests = [
        BatchRequest(id=str(index), method="GET", url=user_path(upn) + "?$select=" + USER_SELECT)
        for index, upn in enumerate(upns)
    ]
    answers = client.batch(requests)
    found: dict[str, UserEntry | None] = {}
    for index, upn in enumerate(upns):
        answer = answers[str(index)]
        if answer.status == 404:
            found[upn] = None
            continue
        answer.raise_for_error()
        user = DirectoryUser.from_graph(answer.body, status=answer.status)
        found[upn] = UserEntry(
            id=user.id,
            upn=user.user_principal_name or upn,
            display_name=user.display_name or upn,
            guest=(user.user_type or "").lower() == "guest",
            enabled=user.account_enabled is not False,
        )
    return found


def users_by_upn(client: GraphClient, upns: Sequence[str], *, parallel: Parallel) -> dict[str, UserEntry | None]:
    found: dict[str, UserEntry | None] = {}
    for part in parallel.map(lambda group: users_lookup(client, group), chunked(list(upns), MAX_BATCH_SIZE)):
        found.update(part)
    return found


def devices_lookup(client: GraphClient, device_ids: Sequence[str]) -> dict[str, InventoryEntry | None]:
    """Each device id → the token now, or None if it is gone."""
    requests = [
        BatchRequest(id=str(index), method="GET", url=device_path(device_id))
        for index, device_id in enumerate(device_ids)
    ]
    answers = client.batch(requests)
    found: dict[str, InventoryEntry | None] = {}
    for index, device_id in enumerate(device_ids):
        answer = answers[str(index)]
        if answer.status == 404:
            found[device_id] = None
            continue
        answer.raise_for_error()
        found[device_id] = InventoryEntry.of(HardwareOathDevice.from_graph(answer.body, status=answer.status))
    return found
