"""Building the snapshot of the token program with the fewest Graph round trips.

1. Every token: the device list at the largest page size Graph serves (`$top=999`), following
   `@odata.nextLink`. The list carries status, holder (`assignedTo`) and `lastUsedDateTime`; nothing
   is filtered server-side because stock, counts and the queue need every token.
2. Every holder's account, 15 ids to a request (`$filter=id eq … or …`, Graph's limit on `or`/`in`
   clauses) and 20 requests to a `$batch`: 300 people per round trip. A holder missing from the
   answer no longer exists (deleted accounts are gone from `/users`).
3. The method's `createdDateTime` (when the token was assigned) only for assignments the portal has
   not seen before, one `hardwareOathMethods` list per holder, 20 to a `$batch`; what is known is
   carried over from the previous build.

At 10,000 tokens and 5,000 holders the first build is 11 + 17 + 250 round trips, later builds
about 30 (see bench/snapshot_10k.py). Pages never call Graph: they read these rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from django.db import transaction

from portal.core.attempts import token_key
from portal.core.classify import classify
from portal.core.reasons import About
from portal.graph import calls
from portal.graph.batch import MAX_BATCH_SIZE
from portal.graph.calls import GraphCall, Result
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError, GraphForbidden, GraphNotFound
from portal.graph.types import HardwareOathDevice, TokenStatus
from portal.program.models import DailyCount, ProgramToken, SnapshotRun

#: The largest page Graph serves for directory collections.
DEVICE_PAGE_SIZE = 999
USER_SELECT = "id,displayName,userPrincipalName,department,accountEnabled"
T = TypeVar("T")


@dataclass
class Holder:
    exists: bool = False
    enabled: bool | None = None
    department: str = ""
    upn: str = ""


@dataclass
class BuildCounter:
    round_trips: int = 0
    #: Holders whose methods this sign-in may not read.
    unreadable: int = 0


def snapshot_build(*, client: GraphClient, now: datetime) -> SnapshotRun:
    """Read the tenant's tokens and their holders from Graph and replace the stored snapshot.

    Raises GraphError when Graph cannot be read (the run is recorded as failed and the previous
    snapshot stays)."""
    run = SnapshotRun.objects.create(started_at=now)
    counter = BuildCounter()
    try:
        devices = _devices_all(client, counter)
        holder_ids = sorted({d.assigned_to.id for d in devices if d.assigned_to is not None})
        holders = _holders_read(client, holder_ids, counter)
        previous = {row.device_id: row for row in ProgramToken.objects.all()}
        wanted = [
            d.assigned_to.id
            for d in devices
            if d.assigned_to is not None
            and holders[d.assigned_to.id].exists
            and not _known_assignment(previous.get(d.id), d.assigned_to.id)
        ]
        created = _assignment_times(client, sorted(set(wanted)), counter)
    except GraphError as exc:
        SnapshotRun.objects.filter(pk=run.pk).update(
            outcome=SnapshotRun.Outcome.FAILURE,
            finished_at=now,
            reason=classify(exc, about=About.INVENTORY_READ).value,
            round_trips=counter.round_trips,
        )
        raise
    rows = [_row(d, holders, previous.get(d.id), created, now) for d in devices]
    with transaction.atomic():
        ProgramToken.objects.all().delete()
        ProgramToken.objects.bulk_create(rows, batch_size=500)
        run.outcome = SnapshotRun.Outcome.SUCCESS
        run.finished_at = now
        run.round_trips = counter.round_trips
        run.tokens = len(rows)
        run.holders = len(holder_ids)
        run.unreadable_holders = counter.unreadable
        run.save()
        daily_counts_record(day=now.date())
    return run


def daily_counts_record(*, day: date) -> None:
    """Tokens per status on `day`, from the stored snapshot (the latest build of the day wins)."""
    counts: dict[str, int] = {}
    for status in ProgramToken.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    with transaction.atomic():
        DailyCount.objects.filter(day=day).delete()
        DailyCount.objects.bulk_create(
            [DailyCount(day=day, status=status, count=count) for status, count in sorted(counts.items())]
        )


# -- reading Graph ------------------------------------------------------------------------------


def _devices_all(client: GraphClient, counter: BuildCounter) -> list[HardwareOathDevice]:
    devices: list[HardwareOathDevice] = []
    page = client.call(calls.devices_list(top=DEVICE_PAGE_SIZE)).value
    counter.round_trips += 1
    seen: set[str] = set()
    while True:
        devices.extend(page.items)
        if not page.next_link or page.next_link in seen:
            return devices
        seen.add(page.next_link)
        page = client.call(calls.devices_list(next_link=page.next_link)).value
        counter.round_trips += 1


def _holders_read(client: GraphClient, holder_ids: Sequence[str], counter: BuildCounter) -> dict[str, Holder]:
    holders = {holder_id: Holder() for holder_id in holder_ids}
    step = calls.MAX_OR_CLAUSES
    reads = [calls.users_by_id(holder_ids[i : i + step], select=USER_SELECT) for i in range(0, len(holder_ids), step)]
    for result in _batched(client, reads, counter):
        for person in result.value:
            if person.id in holders:
                holders[person.id] = Holder(
                    exists=True,
                    enabled=person.account_enabled,
                    department=person.department or "",
                    upn=person.user_principal_name or "",
                )
    return holders


def _assignment_times(
    client: GraphClient, holder_ids: Sequence[str], counter: BuildCounter
) -> dict[tuple[str, str], datetime | None]:
    """(device id, holder id) → the method's createdDateTime, for these holders' tokens."""
    reads = [calls.methods_list(holder_id, select="id,createdDateTime") for holder_id in holder_ids]
    created: dict[tuple[str, str], datetime | None] = {}
    for holder_id, result in zip(holder_ids, _batched(client, reads, counter), strict=True):
        if isinstance(result.error, GraphNotFound):  # deleted between the two reads: the next build says so
            continue
        if isinstance(result.error, GraphForbidden):
            # This sign-in's role may not read this person's methods (an Authentication
            # Administrator and an administrator's tokens): their assignment dates stay unknown.
            counter.unreadable += 1
            continue
        for method in result.value:
            created[(method.id, holder_id)] = method.created
    return created


def _batched(client: GraphClient, reads: Sequence[GraphCall[T]], counter: BuildCounter) -> tuple[Result[T], ...]:
    counter.round_trips += math.ceil(len(reads) / MAX_BATCH_SIZE)
    return client.batch(*reads) if reads else ()


# -- the rows -----------------------------------------------------------------------------------


def _known_assignment(row: ProgramToken | None, holder_id: str) -> bool:
    return row is not None and row.holder_id == holder_id and row.assigned_at is not None


def _row(
    device: HardwareOathDevice,
    holders: dict[str, Holder],
    before: ProgramToken | None,
    created: dict[tuple[str, str], datetime | None],
    now: datetime,
) -> ProgramToken:
    holder_id = device.assigned_to.id if device.assigned_to is not None else ""
    holder = holders.get(holder_id) if holder_id else None
    same_holder = before is not None and before.holder_id == holder_id and bool(holder_id)
    assigned_at = created.get((device.id, holder_id)) if holder_id else None
    if assigned_at is None and same_holder and before is not None:
        assigned_at = before.assigned_at
    activated_seen_at = None
    if device.status == TokenStatus.ACTIVATED and same_holder and before is not None:
        # Graph keeps no activation time: the first build that sees the change remembers it.
        activated_seen_at = before.activated_seen_at if before.status == TokenStatus.ACTIVATED else now
    return ProgramToken(
        device_id=device.id,
        serial_number=device.serial_number,
        attempts_key=token_key(device.serial_number),
        manufacturer=device.manufacturer or "",
        model=device.model or "",
        status=device.status or "",
        last_used_at=device.last_used,
        holder_id=holder_id,
        holder_name=(device.assigned_to.display_name or "") if device.assigned_to is not None else "",
        holder_upn=holder.upn if holder is not None else "",
        holder_exists=holder.exists if holder is not None else None,
        holder_enabled=holder.enabled if holder is not None else None,
        holder_department=holder.department if holder is not None else "",
        assigned_at=assigned_at,
        activated_seen_at=activated_seen_at,
    )
