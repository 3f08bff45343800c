"""The helpdesk's "Replace token": one flow for a person whose token is lost, broken or stolen.

1. the old token is marked lost, broken or stolen and taken away from the person;
2. optionally, a Temporary Access Pass lets them sign in meanwhile (shown once, kept nowhere);
3. optionally, a replacement from stock is assigned — activated at the desk with the code it shows,
   or left for the person to activate.

Each step is its own audited action; all share one flow id (AuditEvent.extra["flow_id"] and the
lifecycle record's `flow_id`). Step 1 failing stops the flow with nothing changed; a later step
failing leaves the earlier ones done, and the result says which.

Round trips: the page is one `$batch` (the person and their token, the tenant's Temporary Access Pass
policy); the stock type-ahead reads the inventory snapshot, not Graph.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from portal.core.action_errors import ActionError
from portal.core.actions import Acting
from portal.graph import calls
from portal.graph.types import DirectoryUser, PassPolicy, TemporaryAccessPass
from portal.lifecycle.models import LifecycleState
from portal.tokenadmin.services import users


def flow_id_new() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class ReplacePage:
    """What the form needs from Graph."""

    #: None when this admin may not read the policy: the create call then enforces it, and its
    #: refusal is explained.
    policy: PassPolicy | None
    #: The token being replaced, with its holder; None when it could not be read (`held_error` says why).
    held: users.UserToken | None
    held_error: ActionError | None = None


def replace_page_get(*, acting: Acting, user_id: str, method_id: str) -> ReplacePage:
    """The person, their token and the tenant's Temporary Access Pass policy, in one round trip. A
    member that fails spoils only its own part: the form still works without the others."""
    profile, method, policy = acting.client.batch(
        calls.user_get(user_id), calls.method_get(user_id, method_id), calls.pass_policy_get()
    )
    readable = policy.value if policy.ok else None
    try:
        held = users.user_token_of(profile, method, manage_admin_targets=acting.manage_admin_targets)
    except ActionError as error:
        return ReplacePage(readable, None, error)
    return ReplacePage(readable, held)


@dataclass(frozen=True, kw_only=True)
class GetWorking:
    """Steps 2 and 3 of a replacement: what gets the person working again."""

    issue_pass: bool
    pass_lifetime: int | None
    pass_usable_once: bool
    replacement_serial: str  # "" = no replacement now
    replacement_code: str  # "" = the person activates it themselves
    replacement_name: str = ""


@dataclass(kw_only=True)
class GotWorking:
    """What steps 2 and 3 did: the pass (shown once) and the replacement, or why not."""

    access_pass: TemporaryAccessPass | None = None
    pass_error: ActionError | None = None
    replacement_serial: str = ""
    replacement_activated: bool = False
    replacement_error: ActionError | None = None

    @property
    def complete(self) -> bool:
        return self.pass_error is None and self.replacement_error is None


@dataclass(frozen=True, kw_only=True)
class ReplacePlan(GetWorking):
    flow_id: str
    state: LifecycleState
    note: str


@dataclass(kw_only=True)
class ReplaceResult(GotWorking):
    flow_id: str
    user: DirectoryUser
    old_serial: str
    state: LifecycleState


def user_token_replace(*, acting: Acting, user_id: str, method_id: str, plan: ReplacePlan) -> ReplaceResult:
    """Run the three steps in order. Raises ActionError only when step 1 fails (nothing done)."""
    acting = dataclasses.replace(acting, flow_id=plan.flow_id)  # every step's event names the flow
    old = users.user_token_report(acting=acting, user_id=user_id, method_id=method_id, state=plan.state, note=plan.note)
    result = ReplaceResult(flow_id=plan.flow_id, user=old.user, old_serial=old.serial, state=plan.state)
    pass_and_replacement(acting=acting, user_id=user_id, plan=plan, result=result)
    return result


def pass_and_replacement(*, acting: Acting, user_id: str, plan: GetWorking, result: GotWorking) -> None:
    """Steps 2 and 3, each audited under `acting.flow_id`; a step that fails leaves its error on the
    result and the other step still runs (never raises ActionError)."""
    if plan.issue_pass:
        try:
            result.access_pass = users.user_pass_create(
                acting=acting, user_id=user_id, lifetime_minutes=plan.pass_lifetime, usable_once=plan.pass_usable_once
            )
        except ActionError as error:
            result.pass_error = error
    if plan.replacement_serial:
        try:
            done = users.user_token_give(
                acting=acting,
                user_id=user_id,
                serial_number=plan.replacement_serial,
                code=plan.replacement_code,
                display_name=plan.replacement_name,
            )
        except ActionError as error:
            result.replacement_error = error
            result.replacement_serial = plan.replacement_serial
        else:
            result.replacement_serial = done.serial
            result.replacement_activated = bool(plan.replacement_code)
