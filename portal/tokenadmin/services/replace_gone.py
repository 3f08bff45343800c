"""The helpdesk's "Replace token" for a person whose token is already gone from their account.

When the person reported it themselves on My tokens (or it was taken away earlier), there is no token
left to replace, yet they still need what the "reported" page promised: a Temporary Access Pass, and
a replacement from stock. This is the Replace flow (portal.tokenadmin.services.replace) with step 1
already behind it:

1. the old token: not touched here. When the portal's lifecycle record says this person reported a
   token that is still lost, broken or stolen, it is shown for context and the flow *continues* the
   report's flow id, so the report, the pass and the replacement are linked in the audit trail;
   otherwise the flow gets a flow id of its own;
2. optionally, a Temporary Access Pass (users.user_pass_create: the one path that issues one);
3. optionally, a replacement from stock (users.user_token_assign / user_token_assign_activate).

A step that fails leaves the other one done, and the result says which.

Sent twice (a reload of the page that shows the pass) must never issue or assign again. A fresh flow
is done once anything is recorded under its id (as in Replace); a continued report's flow already
holds the report, so the form carries the highest audit event id the flow had when it was shown
(`mark`), and anything recorded after it means this form was sent already.

Round trips: the page is one `$batch` (the person, their pass, the tenant's pass policy).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, replace

from django.db.models import Max

from portal.audit.models import AuditEvent
from portal.core.action_errors import ActionError
from portal.core.actions import Acting
from portal.graph import calls
from portal.graph.errors import GraphError
from portal.graph.types import DirectoryUser, PassPolicy, TemporaryAccessPass
from portal.lifecycle.models import TokenLifecycleEvent
from portal.lifecycle.services import lifecycle_reported_of
from portal.tokenadmin.services import users
from portal.tokenadmin.services.replace import GetWorking, GotWorking, pass_and_replacement


@dataclass(frozen=True)
class ReplaceGonePage:
    """What the form needs: the person, the tenant's pass policy, the token they reported."""

    #: None when the profile could not be read (`user_error` says why; the form still works).
    user: DirectoryUser | None
    #: None when this admin may not read the policy: the create call then enforces it.
    policy: PassPolicy | None
    #: The token this person reported (still lost, broken or stolen), if the portal recorded one.
    reported: TokenLifecycleEvent | None
    #: The flow the form continues (the report's) or starts.
    flow_id: str
    #: The highest audit event id of that flow when the form was shown (0: none).
    mark: int
    user_error: ActionError | None = None
    #: The usable pass they hold already (never its value: Graph returns that only on create).
    current_pass: TemporaryAccessPass | None = None


def replace_gone_page_get(*, acting: Acting, user_id: str) -> ReplaceGonePage:
    """The person, the pass they hold and the pass policy in one round trip; the report from the
    portal's own records. Reading the person's passes asks Graph the question the create call will
    (may this admin manage this person's authentication methods?), so a refusal is said up front."""
    profile, passes, policy = acting.client.batch(
        calls.user_get(user_id), calls.passes_list(user_id), calls.pass_policy_get()
    )
    reported = lifecycle_reported_of(holder_oid=user_id)
    flow_id = reported.flow_id if reported is not None and reported.flow_id else str(uuid.uuid4())
    readable = policy.value if policy.ok else None
    page = ReplaceGonePage(None, readable, reported, flow_id, _mark(flow_id))
    try:
        user = profile.value
    except GraphError as exc:
        return replace(page, user_error=users.user_read(acting.manage_admin_targets)(exc))
    try:
        held = next((found for found in passes.value if found.usable), None)
    except GraphError as exc:
        return replace(page, user=user, user_error=users.user_pass(acting.manage_admin_targets)(exc))
    return replace(page, user=user, current_pass=held)


def replace_gone_sent_before(*, user_id: str, flow_id: str, mark: int) -> bool:
    """Whether this form (its flow id and mark) was sent already: then nothing is done again.

    A flow id that is not one of this person's reports counts as sent once anything is recorded
    under it — so a form never attaches its steps to somebody else's flow."""
    continued = TokenLifecycleEvent.objects.filter(flow_id=flow_id, holder_oid=user_id).exists()
    recorded = AuditEvent.objects.filter(extra__flow_id=flow_id)
    if continued:
        return recorded.filter(pk__gt=mark).exists()
    return recorded.exists() or TokenLifecycleEvent.objects.filter(flow_id=flow_id).exists()


@dataclass(frozen=True, kw_only=True)
class ReplaceGonePlan(GetWorking):
    flow_id: str


@dataclass(kw_only=True)
class ReplaceGoneResult(GotWorking):
    flow_id: str
    reported: TokenLifecycleEvent | None


def user_token_replace_gone(
    *, acting: Acting, user_id: str, plan: ReplaceGonePlan, reported: TokenLifecycleEvent | None
) -> ReplaceGoneResult:
    """Steps 2 and 3 of the Replace flow (replace.pass_and_replacement), each audited under
    `plan.flow_id`; never raises for a step that fails (the result carries its error)."""
    result = ReplaceGoneResult(flow_id=plan.flow_id, reported=reported)
    acting = dataclasses.replace(acting, flow_id=plan.flow_id)
    pass_and_replacement(acting=acting, user_id=user_id, plan=plan, result=result)
    return result


def _mark(flow_id: str) -> int:
    highest = AuditEvent.objects.filter(extra__flow_id=flow_id).aggregate(highest=Max("pk"))["highest"]
    return int(highest or 0)
