"""What the snapshot answers without asking Graph: tokens in stock by serial, tokens per person.

Both read `ProgramToken` (the last build's copy of the inventory, see portal.program.snapshot) with
an indexed query and a LIMIT, so a type-ahead keystroke or a page of search results costs one small
query whatever the size of the inventory; Graph is asked again when the token is given (its answer,
not the snapshot's, decides).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet

from portal.core.serials import serial_normalise
from portal.graph.types import TokenStatus
from portal.lifecycle.models import LifecycleState
from portal.lifecycle.services import BLOCKING_STATES, lifecycle_state_of
from portal.program.models import ProgramToken

STOCK_SUGGESTIONS = 20
# Above every character a serial is made of: `serial_number < prefix + _AFTER` bounds the prefix range.
_AFTER = "\U0010ffff"


def stock_tokens() -> QuerySet[ProgramToken]:
    """The snapshot's tokens, each with `lifecycle`: its latest recorded lifecycle state (None: none)."""
    return ProgramToken.objects.annotate(lifecycle=lifecycle_state_of(OuterRef("device_id")))


def out_of_service(state: LifecycleState | None = None) -> Q:
    """On `stock_tokens()`: recorded as `state`, or as any state that keeps a token out of stock."""
    if state is not None:
        return Q(lifecycle=state.value)
    return Q(lifecycle__in=[blocking.value for blocking in BLOCKING_STATES])


#: On `stock_tokens()`, the one definition of a token left to hand out (the type-ahead offers these,
#: the stock report counts them): not assigned in Entra, and not recorded lost, broken, stolen,
#: retired or sent back to the vendor. (Spelled out rather than negated: NOT (NULL IN …) is not true.)
IN_STOCK = Q(status=TokenStatus.AVAILABLE) & (
    Q(lifecycle__isnull=True) | ~Q(lifecycle__in=[state.value for state in BLOCKING_STATES])
)


def stock_search(*, text: str, limit: int = STOCK_SUGGESTIONS) -> list[ProgramToken]:
    """Tokens in stock whose serial starts with `text` (as serial_normalise() writes it), then, to
    fill up to `limit`, those that contain it ("0104" finds 6020 0104: people read serials from the
    end too); never one the portal recorded as lost, broken, stolen or retired.

    The prefix is a range on the (status, serial_number) index, not LIKE (SQLite's LIKE can't use a
    plain index, PostgreSQL's btree serves LIKE only with pattern ops); the fill-up is a LIKE that
    the database stops at the LIMIT. Nothing is filtered in Python."""
    wanted = serial_normalise(text)
    stock = stock_tokens().filter(IN_STOCK)
    if not wanted:
        return list(stock.order_by("serial_number")[:limit])
    starting = stock.filter(serial_number__gte=wanted, serial_number__lt=wanted + _AFTER)
    found = list(starting.order_by("serial_number")[:limit])
    if len(found) < limit:
        inside = stock.filter(serial_number__contains=wanted).exclude(
            serial_number__gte=wanted, serial_number__lt=wanted + _AFTER
        )
        found += inside.order_by("serial_number")[: limit - len(found)]
    return found


@dataclass(frozen=True)
class Holdings:
    """A person's hardware tokens as the snapshot saw them."""

    total: int
    active: int


def holdings_count(*, holder_ids: Sequence[str]) -> dict[str, Holdings]:
    """Tokens per person for these people (one grouped query); a person with none is absent."""
    if not holder_ids:
        return {}
    rows = (
        ProgramToken.objects.filter(holder_id__in=holder_ids)
        .values("holder_id")
        .annotate(total=Count("device_id"), active=Count("device_id", filter=Q(status=TokenStatus.ACTIVATED)))
    )
    return {row["holder_id"]: Holdings(total=row["total"], active=row["active"]) for row in rows}
