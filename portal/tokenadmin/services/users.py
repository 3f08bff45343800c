"""Finding people and managing their hardware tokens (Graph `/users/{id}/authentication/...`).

Round trips: the user page is one `$batch` (profile + tokens). Each write reads what the audit
event and the checks need (the user's UPN, the token's serial) in one `$batch`, then makes the one
Graph call that changes something — so a failure never leaves half of a change behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.audit.models import AuditEvent
from portal.core.action_errors import ActionError, Meaning
from portal.core.actions import Acting, Auditor, attempt_or_refuse, code_pause_get, failure, refusal
from portal.core.attempts import attempt_finish
from portal.core.reasons import About, Reason
from portal.core.wording import UNNAMED_HOLDER, Audience, Known
from portal.graph import calls
from portal.graph.calls import GraphCall, Result
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.types import (
    DirectoryUser,
    HardwareOathDevice,
    HardwareOathMethod,
    TemporaryAccessPass,
)
from portal.lifecycle.models import LifecycleState
from portal.lifecycle.services import lifecycle_current, lifecycle_record, lifecycle_refusal
from portal.program.refresh import snapshot_state_get
from portal.program.stock import Holdings, holdings_count

Action = AuditEvent.Action
USER_SEARCH = Meaning(Audience.ADMIN, About.USER)
INVENTORY_READ = Meaning(Audience.ADMIN, About.INVENTORY_READ)


def user_read(manage_admin_targets: bool) -> Meaning:
    """Reading a user's profile or tokens."""
    return Meaning(Audience.ADMIN, About.USER, manage_admin_targets=manage_admin_targets)


def user_token(manage_admin_targets: bool) -> Meaning:
    """Assign, activate, deactivate or unassign a user's token (and read it for that)."""
    return Meaning(Audience.ADMIN, About.USER_TOKEN, manage_admin_targets=manage_admin_targets)


def user_pass(manage_admin_targets: bool) -> Meaning:
    """Issuing a user a Temporary Access Pass."""
    return Meaning(Audience.ADMIN, About.USER_PASS, manage_admin_targets=manage_admin_targets)


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundPerson:
    """One search result: the person, whether they hold an admin role, and their tokens."""

    user: DirectoryUser
    #: True / False as Graph's `memberOf` says; None when it can't tell (see FoundUser).
    holds_admin_role: bool | None
    #: Their tokens as the inventory snapshot saw them; None when there is no snapshot yet.
    holdings: Holdings | None


@dataclass(frozen=True)
class SearchResults:
    people: list[FoundPerson]
    next_link: str | None
    #: When the snapshot the token counts come from was taken (None: no snapshot yet).
    holdings_as_of: datetime | None


NO_TOKENS = Holdings(total=0, active=0)


def user_search(*, client: GraphClient, text: str, next_link: str | None = None) -> SearchResults:
    """People whose name, UPN or mail starts with `text`, one page at a time, each with their token
    counts and whether they hold an admin role: one Graph round trip (the roles come with the search,
    `$expand=memberOf`) and two or three database queries (the counts come from the snapshot)."""
    try:
        page = client.users_search(text, top=25, next_link=next_link)
    except GraphError as exc:
        raise USER_SEARCH(exc) from exc
    as_of = snapshot_state_get().as_of
    held = holdings_count(holder_ids=[found.user.id for found in page.items]) if as_of else {}
    people = [
        FoundPerson(found.user, found.holds_admin_role, held.get(found.user.id, NO_TOKENS) if as_of else None)
        for found in page.items
    ]
    return SearchResults(people, page.next_link, as_of)


@dataclass(frozen=True)
class UserOverview:
    user: DirectoryUser
    tokens: list[HardwareOathMethod]
    #: Set when the profile could be read but the tokens could not (e.g. an admin-role target).
    tokens_error: ActionError | None = None


def user_overview_get(*, acting: Acting, user_id: str) -> UserOverview:
    """Profile and hardware tokens of one user, in one Graph round trip."""
    profile, methods = acting.client.batch(calls.user_get(user_id), calls.methods_list(user_id))
    meaning = user_read(acting.manage_admin_targets)
    try:
        user = profile.value
    except GraphError as exc:
        raise meaning(exc) from exc
    try:
        tokens = methods.value
    except GraphError as exc:
        return UserOverview(user, [], meaning(exc))
    return UserOverview(user, tokens)


@dataclass(frozen=True)
class UserToken:
    user: DirectoryUser
    token: HardwareOathMethod

    @property
    def serial(self) -> str:
        return _serial(self.token)

    def counted_serial(self, method_id: str) -> str:
        """The token as the code-attempt limit counts it: its serial, or its id if Graph gave none."""
        return self.serial or f"id:{method_id}"


def user_token_get(*, acting: Acting, user_id: str, method_id: str) -> UserToken:
    """One of a user's tokens with the user's profile (for the confirmation pages): one round trip."""
    profile, method = acting.client.batch(calls.user_get(user_id), calls.method_get(user_id, method_id))
    return user_token_of(profile, method, manage_admin_targets=acting.manage_admin_targets)


def user_token_of(
    profile: Result[DirectoryUser], method: Result[HardwareOathMethod], *, manage_admin_targets: bool
) -> UserToken:
    """The UserToken from the answers to `calls.user_get` and `calls.method_get` (read in a `$batch`,
    perhaps with other calls a page needs); raises the ActionError for the first that failed."""
    try:
        return UserToken(profile.value, method.value)
    except GraphError as exc:
        raise user_token(manage_admin_targets)(exc) from exc


def user_profile_get(*, acting: Acting, user_id: str) -> DirectoryUser:
    """One user's profile (the "give a token" page names them)."""
    try:
        return acting.client.call(calls.user_get(user_id)).value
    except GraphError as exc:
        raise user_read(acting.manage_admin_targets)(exc) from exc


# -- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    """What a successful action changed, for the page's confirmation message."""

    user: DirectoryUser
    serial: str


def user_token_give(*, acting: Acting, user_id: str, serial_number: str, code: str, display_name: str = "") -> Done:
    """Give the user a token from stock: assigned and activated at once when the admin types the
    `code` it shows (they hold it in hand), else assigned for the person to activate later."""
    if code:
        return user_token_assign_activate(
            acting=acting, user_id=user_id, serial_number=serial_number, code=code, display_name=display_name
        )
    return user_token_assign(acting=acting, user_id=user_id, serial_number=serial_number)


def user_token_assign(*, acting: Acting, user_id: str, serial_number: str) -> Done:
    """Assign an inventory token to the user without activating it (they activate it later)."""
    audit = acting.audit(Action.USER_ASSIGN, target_oid=user_id, token_serial=serial_number)
    user, device = _user_and_device(acting, user_id, serial_number, audit)
    try:
        done = acting.client.call(calls.method_assign(user_id, device.id))
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=user_token(acting.manage_admin_targets)) from exc
    audit.success(graph_request_id=done.request_id)
    return Done(user, device.serial_number)


def user_token_assign_activate(
    *, acting: Acting, user_id: str, serial_number: str, code: str, display_name: str
) -> Done:
    """Assign a token and activate it with the code it shows (the admin holds it in hand)."""
    audit = acting.audit(Action.USER_ASSIGN_ACTIVATE, target_oid=user_id, token_serial=serial_number)
    user, device = _user_and_device(acting, user_id, serial_number, audit)
    attempt = attempt_or_refuse(actor=acting.actor, serial=device.serial_number, audit=audit, audience=Audience.ADMIN)
    try:
        done = acting.client.call(calls.method_assign_and_activate(user_id, device.id, code, display_name or None))
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=user_token(acting.manage_admin_targets), attempt=attempt) from exc
    attempt_finish(attempt, wrong_code=False)
    audit.success(graph_request_id=done.request_id)
    return Done(user, device.serial_number)


def user_token_activate(*, acting: Acting, user_id: str, method_id: str, code: str) -> Done:
    """Activate a token the user already holds, with the code it shows now."""
    audit = acting.audit(Action.USER_ACTIVATE, target_oid=user_id, token_id=method_id)
    held = _user_and_method(acting, user_id, method_id, audit)
    attempt = attempt_or_refuse(
        actor=acting.actor, serial=held.counted_serial(method_id), audit=audit, audience=Audience.ADMIN
    )
    try:
        done = acting.client.call(calls.method_activate(user_id, method_id, code))
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=user_token(acting.manage_admin_targets), attempt=attempt) from exc
    attempt_finish(attempt, wrong_code=False)
    audit.success(graph_request_id=done.request_id)
    return Done(held.user, held.serial)


def admin_code_pause_get(*, acting: Acting, held: UserToken | None = None, method_id: str = "") -> ActionError | None:
    """The pause on this administrator's code entry, shown before anything is typed: their own, and
    the token's when the page read it (`held`). A database read: no Graph call."""
    serial = held.counted_serial(method_id) if held is not None else None
    return code_pause_get(actor=acting.actor, serial=serial, audience=Audience.ADMIN)


def user_token_deactivate(*, acting: Acting, user_id: str, method_id: str) -> Done:
    """Deactivate a token: it stays assigned, but can't be used to sign in until activated again."""
    change = calls.method_deactivate(user_id, method_id)
    return _change_held_token(acting, user_id, method_id, action=Action.USER_DEACTIVATE, change=change)


def user_token_unassign(*, acting: Acting, user_id: str, method_id: str) -> Done:
    """Take a token away from the user; it goes back to the inventory as available."""
    change = calls.method_unassign(user_id, method_id)
    return _change_held_token(acting, user_id, method_id, action=Action.USER_UNASSIGN, change=change)


def user_token_report(*, acting: Acting, user_id: str, method_id: str, state: LifecycleState, note: str) -> Done:
    """Mark a user's token lost, broken or stolen: it is taken away from them at once (one round
    trip, as unassign) and the portal records why, so it is never offered as stock again."""
    change = calls.method_unassign(user_id, method_id)
    extra: dict[str, object] = {"lifecycle": state.value}
    done = _change_held_token(acting, user_id, method_id, action=Action.USER_REPORT, change=change, extra=extra)
    lifecycle_record(
        device_id=method_id,
        serial_number=done.serial,
        state=state,
        actor=acting.actor,
        note=note,
        holder_oid=user_id,
        holder_upn=done.user.user_principal_name or "",
        flow_id=acting.flow_id,
    )
    return done


def user_pass_create(
    *, acting: Acting, user_id: str, lifetime_minutes: int | None, usable_once: bool
) -> TemporaryAccessPass:
    """Issue a Temporary Access Pass so the person can sign in while they have no usable token.

    The pass goes back to the caller (the one page that shows it) and nowhere else: not into the
    audit event, a log line, the session or the database.
    """
    audit = acting.audit(Action.USER_PASS_CREATE, target_oid=user_id)
    try:
        issued = acting.client.call(
            calls.pass_create(user_id, lifetime_minutes=lifetime_minutes, usable_once=usable_once)
        )
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=user_pass(acting.manage_admin_targets)) from exc
    audit.success(
        graph_request_id=issued.request_id,
        extra={"lifetime_minutes": issued.value.lifetime_minutes, "one_time": issued.value.usable_once},
    )
    return issued.value


def _change_held_token(
    acting: Acting,
    user_id: str,
    method_id: str,
    *,
    action: str,
    change: GraphCall[None],
    extra: dict[str, object] | None = None,
) -> Done:
    # Read the user and the token, and change it, in one round trip: the reads give the audit event
    # its UPN and serial; `dependsOn` keeps the change from running when the token is not there.
    audit = acting.audit(action, target_oid=user_id, token_id=method_id)
    read = calls.method_get(user_id, method_id)
    profile, method, changed = acting.client.batch(calls.user_get(user_id), read, change.after(read))
    user = profile.value if profile.ok else None
    if user is not None:
        audit.person(user)
    serial = _serial(method.value) if method.ok else ""
    audit.update(token_serial=serial)
    try:
        method.raise_for_error()
        changed.raise_for_error()
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=user_token(acting.manage_admin_targets)) from exc
    audit.success(graph_request_id=changed.request_id, extra=extra)
    if user is None:  # the profile read failed but the change went through: say so plainly
        user = DirectoryUser(user_id, None, None, None, None, None, None, None)
    return Done(user, serial)


# -- shared steps -------------------------------------------------------------------------------


def _user_and_device(
    acting: Acting, user_id: str, serial: str, audit: Auditor
) -> tuple[DirectoryUser, HardwareOathDevice]:
    """The target user and the inventory token with this serial, read in one round trip."""
    profile, found = acting.client.batch(calls.user_get(user_id), calls.devices_all({"serialNumber": serial}))
    try:
        user = profile.value
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=user_token(acting.manage_admin_targets)) from exc
    audit.person(user)
    try:
        devices = found.value
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=INVENTORY_READ) from exc
    if not devices:
        raise refusal(
            ActionError.of(
                Reason.UNKNOWN_SERIAL,
                Audience.ADMIN,
                params={"serial": serial},
                request_id=found.request_id or "",
            ),
            audit=audit,
        )
    device = devices[0]
    audit.update(token_serial=device.serial_number, token_id=device.id)
    recorded = lifecycle_current([device.id]).get(device.id)
    if recorded is not None and recorded.lifecycle_state.blocks_stock:
        raise refusal(lifecycle_refusal(recorded, audience=Audience.ADMIN), audit=audit)
    holder = device.assigned_to
    if holder is not None and holder.id != user_id:
        # Graph would refuse too (409); saying who holds it saves the admin a search.
        raise refusal(
            ActionError.of(
                Reason.ALREADY_ASSIGNED,
                Audience.ADMIN,
                known=Known.HOLDER,
                params={"serial": device.serial_number, "holder": holder.display_name or UNNAMED_HOLDER},
            ),
            audit=audit,
        )
    return user, device


def _user_and_method(acting: Acting, user_id: str, method_id: str, audit: Auditor) -> UserToken:
    """The target user and their token, read in one round trip."""
    profile, method = acting.client.batch(calls.user_get(user_id), calls.method_get(user_id, method_id))
    try:
        user = profile.value
        audit.person(user)
        token = method.value
    except GraphError as exc:
        raise failure(exc, audit=audit, meaning=user_token(acting.manage_admin_targets)) from exc
    held = UserToken(user, token)
    audit.update(token_serial=held.serial)
    return held


def _serial(token: HardwareOathMethod) -> str:
    return token.device.serial_number if token.device else ""
