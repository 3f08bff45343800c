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

from portal.core.serials import serial_normalise
from portal.graph import calls
from portal.graph.batch import MAX_BATCH_SIZE
from portal.graph.client import GraphClient
from portal.graph.errors import GraphNotFound
from portal.graph.types import HardwareOathDevice
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
    return client.call(calls.devices_count()).value


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
    found: dict[str, InventoryEntry] = {}
    for answer in client.batch(*[calls.devices_all({"serialNumber": serial}) for serial in serials]):
        for device in answer.value:
            found[serial_normalise(device.serial_number)] = InventoryEntry.of(device)
    return found


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
    answers = client.batch(*[calls.user_get(upn, select=USER_SELECT) for upn in upns])
    found: dict[str, UserEntry | None] = {}
    for upn, answer in zip(upns, answers, strict=True):
        if isinstance(answer.error, GraphNotFound):
            found[upn] = None
            continue
        user = answer.value
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
    answers = client.batch(*[calls.device_get(device_id) for device_id in device_ids])
    found: dict[str, InventoryEntry | None] = {}
    for device_id, answer in zip(device_ids, answers, strict=True):
        if isinstance(answer.error, GraphNotFound):
            found[device_id] = None
            continue
        found[device_id] = InventoryEntry.of(answer.value)
    return found
