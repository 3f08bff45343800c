"""The sandbox sign-in page accepts a Temporary Access Pass issued through Graph (the stand-in for
Entra's "Use a Temporary Access Pass" sign-in)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from portal.sandbox import seed
from portal.sandbox.models import AuthorizationCode, DirectoryUser
from tests.sandbox.conftest import GraphClient, json_of
from tests.sandbox.fixtures_identity import authorize_path, authorize_url
from tests.sandbox.test_pages import callback_params
from tests.support.sandbox import sandbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_tenant")]

MEGAN = "megan.bowen@contoso-sandbox.example"


@pytest.fixture
def issue(graph: Callable[..., GraphClient]) -> Callable[..., str]:
    helpdesk = graph(DirectoryUser.objects.get(pk=seed.ISAIAH))

    def make(**body: Any) -> str:
        response = helpdesk.post(f"/users/{MEGAN}/authentication/temporaryAccessPassMethods", json=body)
        assert response.status_code == 201, response.text
        return str(json_of(response)["temporaryAccessPass"])

    return make


def sign_in_with(client: Client, account: str, value: str) -> Any:
    page = client.get(authorize_url(state="s-tap"))
    assert "Sign in with a Temporary Access Pass" in page.content.decode()
    return client.post(
        authorize_path(),
        {"request": page.context["carried"], "account": account, "access_pass": value, "pass_sign_in": "1"},
    )


def test_a_pass_signs_the_person_in(client: Client, issue: Callable[..., str]) -> None:
    value = issue()

    answer = sign_in_with(client, MEGAN.upper(), value)

    assert answer.status_code == 302
    assert callback_params(answer)["code"][0]
    assert str(AuthorizationCode.objects.get().user_id) == seed.MEGAN
    # A reusable pass keeps working within its lifetime.
    assert sign_in_with(client, MEGAN, value).status_code == 302


def test_a_one_time_pass_is_used_up(
    client: Client, issue: Callable[..., str], graph: Callable[..., GraphClient]
) -> None:
    value = issue(isUsableOnce=True)

    assert sign_in_with(client, MEGAN, value).status_code == 302
    again = sign_in_with(client, MEGAN, value)

    assert again.status_code == 400
    assert "was for one sign-in and has been used" in again.content.decode()
    helpdesk = graph(DirectoryUser.objects.get(pk=seed.ISAIAH))
    [item] = json_of(helpdesk.get(f"/users/{MEGAN}/authentication/temporaryAccessPassMethods"))["value"]
    assert (item["isUsable"], item["methodUsabilityReason"]) == (False, "OneTimeUsed")
    assert item["lastUsedDateTime"]


@pytest.mark.parametrize(
    ("shift", "start", "message"),
    [
        (2 * 3600, None, "has expired"),
        (0, "2999-01-01T00:00:00Z", "valid yet. Try again from the start time"),
    ],
)
def test_expired_and_not_yet_valid_passes(
    client: Client, issue: Callable[..., str], settings: Any, shift: int, start: str | None, message: str
) -> None:
    value = issue(**({"startDateTime": start} if start else {}))
    sandbox(settings, CLOCK_OFFSET_SECONDS=shift)

    answer = sign_in_with(client, MEGAN, value)

    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not AuthorizationCode.objects.exists()


def test_a_wrong_pass_or_account_signs_nobody_in_and_is_not_echoed(client: Client, issue: Callable[..., str]) -> None:
    value = issue()

    wrong = sign_in_with(client, MEGAN, "Wrong-Pass-123")
    other_account = sign_in_with(client, "adele.vance@contoso-sandbox.example", value)

    for answer in (wrong, other_account):
        assert answer.status_code == 400
        assert "match this account. Check the account" in answer.content.decode()
        assert "Wrong-Pass-123" not in answer.content.decode()
        assert value not in answer.content.decode()
    assert not AuthorizationCode.objects.exists()


def test_a_disabled_policy_stops_pass_sign_in(client: Client, issue: Callable[..., str], settings: Any) -> None:
    value = issue()
    sandbox(settings, TAP_STATE="disabled")

    answer = sign_in_with(client, MEGAN, value)

    assert answer.status_code == 400
    assert "switched off" in answer.content.decode()
