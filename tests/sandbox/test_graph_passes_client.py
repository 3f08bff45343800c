"""The portal's own Graph client and typed calls for Temporary Access Pass, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from portal.graph import calls
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from tests.sandbox.conftest import ADMIN_SCOPES, Directory, _reuse_signing_key, access_token
from tests.support.sandbox import sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def helpdesk(directory: Directory) -> GraphClient:
    _reuse_signing_key()
    return GraphClient(access_token(directory.auth_admin, ADMIN_SCOPES))


def test_issue_read_and_policy_through_the_typed_calls(helpdesk: GraphClient, directory: Directory) -> None:
    issued = helpdesk.call(calls.pass_create(str(directory.employee.id), lifetime_minutes=90, usable_once=True))

    tap = issued.value
    assert issued.request_id
    assert tap.value is not None and len(tap.value) == 8
    assert tap.value not in repr(tap)  # kept out of logs and tracebacks
    assert (tap.lifetime_minutes, tap.usable_once, tap.usable, tap.usability_reason) == (
        90,
        True,
        True,
        "EnabledByPolicy",
    )
    assert tap.start is not None and tap.ends is not None
    assert (tap.ends - tap.start).total_seconds() == 90 * 60

    [listed] = helpdesk.call(calls.passes_list(directory.employee.user_principal_name)).value
    assert listed.id == tap.id and listed.value is None

    policy = helpdesk.call(calls.pass_policy_get()).value
    assert (policy.enabled, policy.minimum_lifetime, policy.default_lifetime, policy.maximum_lifetime) == (
        True,
        60,
        60,
        480,
    )


def test_refusals_arrive_as_typed_errors(helpdesk: GraphClient, directory: Directory, settings: Any) -> None:
    with pytest.raises(GraphError) as too_long:
        helpdesk.call(calls.pass_create(str(directory.employee.id), lifetime_minutes=481))
    sandbox(settings, TAP_STATE="disabled")
    with pytest.raises(GraphError) as disabled:
        helpdesk.call(calls.pass_create(str(directory.employee.id)))
    with pytest.raises(GraphError) as admin_target:
        helpdesk.call(calls.pass_create(str(directory.helpdesk.id)))

    assert (too_long.value.status, too_long.value.code) == (400, "temporaryAccessPassLifetimeOutOfRange")
    assert (disabled.value.status, disabled.value.code) == (400, "temporaryAccessPassDisabledByPolicy")
    assert (admin_target.value.status, admin_target.value.code) == (403, "accessDenied")
    assert helpdesk.call(calls.pass_policy_get()).value.enabled is False


def test_the_pass_can_be_read_in_a_batch(helpdesk: GraphClient, directory: Directory) -> None:
    helpdesk.call(calls.pass_create(str(directory.employee.id)))

    passes, policy = helpdesk.batch(calls.passes_list(str(directory.employee.id)), calls.pass_policy_get())

    assert [tap.value for tap in passes.value] == [None]
    assert policy.value.usable_once is False
