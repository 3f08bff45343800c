"""Recording and reading tokens' lifecycle states (portal.lifecycle.models): one function each."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery

from portal.core.action_errors import ActionError
from portal.core.events import TokenChange, TokenEvent, token_event_emit
from portal.core.reasons import Reason
from portal.core.serials import serial_normalise
from portal.core.wording import Audience
from portal.identity.models import User
from portal.lifecycle.models import LifecycleState, TokenLifecycleEvent

NOTE_MAX = 500
_TELLS_THE_HOLDER = frozenset({LifecycleState.LOST, LifecycleState.BROKEN, LifecycleState.STOLEN})
_CHUNK = 500  # serials per query (SQLite's variable limit is far above; memory stays bounded)


def lifecycle_record(
    *,
    device_id: str,
    serial_number: str,
    state: LifecycleState,
    actor: User | None,
    note: str = "",
    holder_oid: str = "",
    holder_upn: str = "",
    flow_id: str = "",
) -> TokenLifecycleEvent:
    event = TokenLifecycleEvent.objects.create(
        device_id=device_id,
        serial_number=serial_number.strip(),
        serial_key=serial_normalise(serial_number),
        state=state.value,
        note=note.strip()[:NOTE_MAX],
        actor=actor,
        actor_oid=actor.oid if actor else "",
        actor_upn=actor.upn if actor else "",
        holder_oid=holder_oid,
        holder_upn=holder_upn,
        flow_id=flow_id,
    )
    if state in _TELLS_THE_HOLDER and holder_oid:
        # The person hears of it (portal.notifications listens): a lost or stolen token is a security event.
        token_event_emit(
            TokenEvent(
                change=TokenChange.LOST_OR_BROKEN,
                person_oid=holder_oid,
                person_upn=holder_upn,
                serial=event.serial_number,
                method_id=device_id,
                by_self=actor is not None and actor.oid == holder_oid,
                occurrence=f"lifecycle:{event.pk}",
                detail=state.value,  # the notice names it in the recipient's language
            )
        )
    return event


def _latest() -> QuerySet[TokenLifecycleEvent]:
    """Each device's latest event."""
    newest = TokenLifecycleEvent.objects.filter(device_id=OuterRef("device_id")).order_by("-at", "-id")
    return TokenLifecycleEvent.objects.filter(pk=Subquery(newest.values("pk")[:1]))


def lifecycle_current(device_ids: Iterable[str]) -> dict[str, TokenLifecycleEvent]:
    """Device id → its latest lifecycle event, for the devices that have one."""
    wanted = {device_id for device_id in device_ids if device_id}
    if not wanted:
        return {}
    return {event.device_id: event for event in _latest().filter(device_id__in=wanted)}


#: The states that keep a token out of stock, whatever Graph says of it.
BLOCKING_STATES = tuple(state for state in LifecycleState if state.blocks_stock)


def lifecycle_state_of(device_id: OuterRef) -> Subquery:
    """The latest recorded state of the token `device_id` refers to, as an SQL expression for
    annotating another model's rows (NULL when nothing was recorded)."""
    newest = TokenLifecycleEvent.objects.filter(device_id=device_id).order_by("-at", "-id")
    return Subquery(newest.values("state")[:1])


def lifecycle_blocking_serial(serial_number: str) -> TokenLifecycleEvent | None:
    """The latest event of this serial when it keeps the token out of stock, else None."""
    latest = (
        TokenLifecycleEvent.objects.filter(serial_key=serial_normalise(serial_number)).order_by("-at", "-id").first()
    )
    return latest if latest is not None and latest.lifecycle_state.blocks_stock else None


def lifecycle_in_state(state: LifecycleState) -> list[TokenLifecycleEvent]:
    """The tokens whose latest event is `state`, newest first (the inventory's lifecycle filter)."""
    return list(_latest().filter(state=state.value).order_by("-at", "-id"))


def lifecycle_flagged_serials(serials: Iterable[str]) -> dict[str, TokenLifecycleEvent]:
    """Normalised serial (serial_normalise) → its latest event, for serials whose latest event flags an
    import."""
    wanted = sorted({serial_normalise(serial) for serial in serials} - {""})
    latest: dict[str, TokenLifecycleEvent] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for event in TokenLifecycleEvent.objects.filter(serial_key__in=chunk).order_by("at", "id"):
            latest[event.serial_key] = event  # ascending: the last one seen is the latest
    return {serial: event for serial, event in latest.items() if event.lifecycle_state.flags_import}


def lifecycle_history(device_id: str, *, limit: int = 20) -> list[TokenLifecycleEvent]:
    """A token's recorded events, newest first."""
    return list(TokenLifecycleEvent.objects.filter(device_id=device_id).order_by("-at", "-id")[:limit])


def lifecycle_refusal(event: TokenLifecycleEvent, *, audience: Audience, field: str | None = None) -> ActionError:
    """Why a token out of service can't be handed out (or added), in `audience`'s words."""
    params = {"serial": event.serial_number, "state": str(event.get_state_display())}
    return ActionError.of(Reason.OUT_OF_SERVICE, audience, params=params, field=field)


def lifecycle_reported_of(*, holder_oid: str) -> TokenLifecycleEvent | None:
    """The token this person most recently reported lost, broken or stolen (or the helpdesk did for
    them), while it still stands so — None once it was returned, retired or sent back since."""
    reportable = [state.value for state in LifecycleState.reported()]
    return _latest().filter(holder_oid=holder_oid, state__in=reportable).order_by("-at", "-id").first()
