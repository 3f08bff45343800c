"""JSON batching: members, dependsOn/424, malformed batches, and how the request log records them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.sandbox.models import HardwareToken
from portal.sandbox.requestlog import count_graph_calls
from tests.sandbox.conftest import Directory, GraphClient
from tests.support.sandbox import sandbox
from tests.support.tokens import code_of, wrong_code_of

pytestmark = pytest.mark.django_db

ME = "/me/authentication/hardwareOathMethods"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def amy(directory: Directory, graph: Callable[..., GraphClient]) -> GraphClient:
    return graph(directory.employee)


def run(client: GraphClient, requests: list[dict[str, Any]]) -> Any:
    return client.post("/$batch", json={"requests": requests})


def test_members_run_in_order_with_their_own_answers(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(serial="B-1")

    response = run(
        amy,
        [
            {"id": "1", "method": "GET", "url": "/me?$select=displayName"},
            {
                "id": "2",
                "method": "POST",
                "url": ME,
                "headers": JSON,
                "body": {"device": {"id": str(token.id)}},
            },
            {"id": "3", "method": "GET", "url": f"{ME}/$count"},
            {"id": "4", "method": "GET", "url": "/directory/authenticationMethodDevices/hardwareOathDevices"},
            {
                "id": "5",
                "method": "POST",
                "url": f"{ME}/{token.id}/activate",
                "headers": JSON,
                "body": {"verificationCode": code_of(token)},
            },
        ],
    )

    assert response.status_code == 200
    answers = response.json()["responses"]
    assert [answer["id"] for answer in answers] == ["1", "2", "3", "4", "5"]
    assert [answer["status"] for answer in answers] == [200, 201, 200, 403, 204]
    assert answers[0]["body"]["displayName"] == "Amy Employee"
    assert answers[1]["body"]["device"]["status"] == "assigned"
    assert answers[1]["headers"]["Location"].endswith(str(token.id))
    assert answers[2]["body"] == "1"
    assert answers[3]["body"]["error"]["code"] == "accessDenied"
    assert "body" not in answers[4]
    assert all(answer["headers"]["request-id"] for answer in answers)
    token.refresh_from_db()
    assert token.status == "activated"


def test_depends_on_gives_424_after_a_failure(amy: GraphClient, make_token: Callable[..., HardwareToken]) -> None:
    token = make_token(serial="B-2")

    response = run(
        amy,
        [
            {
                "id": "assign",
                "method": "POST",
                "url": ME,
                "headers": JSON,
                "body": {"device": {"id": str(token.id)}},
            },
            {
                "id": "activate",
                "method": "POST",
                "url": f"{ME}/{token.id}/activate",
                "headers": JSON,
                "body": {"verificationCode": wrong_code_of(token)},
                "dependsOn": ["assign"],
            },
            {"id": "rename", "method": "GET", "url": f"{ME}/{token.id}", "dependsOn": ["activate"]},
            {"id": "chain", "method": "GET", "url": "/me", "dependsOn": ["rename"]},
            {"id": "free", "method": "GET", "url": "/me", "dependsOn": ["assign"]},
        ],
    )

    statuses = {answer["id"]: answer["status"] for answer in response.json()["responses"]}
    assert statuses == {"assign": 201, "activate": 400, "rename": 424, "chain": 424, "free": 200}
    failed = next(answer for answer in response.json()["responses"] if answer["id"] == "rename")
    assert failed["body"]["error"]["code"] == "FailedDependency"


@pytest.mark.parametrize(
    ("requests", "fragment"),
    [
        ([{"id": "1", "method": "GET", "url": "/me"}, {"id": "1", "method": "GET", "url": "/me"}], "unique"),
        ([{"id": str(n), "method": "GET", "url": "/me"} for n in range(21)], "20"),
        ([], "requests"),
        ([{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/beta/me"}], "relative"),
        ([{"id": "1", "method": "POST", "url": ME, "body": {"device": {"id": "x"}}}], "Content-Type"),
        (
            [
                {"id": "1", "method": "GET", "url": "/me", "dependsOn": ["2"]},
                {"id": "2", "method": "GET", "url": "/me"},
            ],
            "earlier",
        ),
        ([{"id": "1", "method": "TRACE", "url": "/me"}], "method"),
        ([{"method": "GET", "url": "/me"}], "id"),
    ],
)
def test_malformed_batch_is_400_and_runs_nothing(
    amy: GraphClient, requests: list[dict[str, Any]], fragment: str
) -> None:
    with count_graph_calls() as graph_calls:
        response = run(amy, requests)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"
    assert fragment in response.json()["error"]["message"]
    assert graph_calls.batch_items == []


def test_twenty_requests_are_allowed(amy: GraphClient) -> None:
    response = run(amy, [{"id": str(n), "method": "GET", "url": "/me"} for n in range(20)])
    assert response.status_code == 200
    assert len(response.json()["responses"]) == 20


def test_batch_needs_a_token_and_members_use_it(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    client = graph(directory.employee)
    response = client.session.post(
        "https://graph.microsoft.com/beta/$batch",
        json={"requests": [{"id": "1", "method": "GET", "url": "/me"}]},
    )
    assert response.status_code == 401
    # A member's own Authorization header is ignored: the envelope's token applies.
    other = run(client, [{"id": "1", "method": "GET", "url": "/me", "headers": {"Authorization": "Bearer junk"}}])
    assert other.json()["responses"][0]["status"] == 200


def test_nested_batch_member_is_400(amy: GraphClient) -> None:
    response = run(amy, [{"id": "1", "method": "POST", "url": "/$batch", "headers": JSON, "body": {"requests": []}}])
    assert response.json()["responses"][0]["status"] == 400


def test_request_log_counts_the_batch_once_and_each_member(amy: GraphClient, directory: Directory) -> None:
    with count_graph_calls() as graph_calls:
        run(
            amy,
            [{"id": "1", "method": "GET", "url": "/me"}, {"id": "2", "method": "GET", "url": "/me/nothing"}],
        )
    [envelope] = graph_calls.requests
    assert (envelope.method, envelope.path, envelope.status) == ("POST", "/beta/$batch", 200)
    assert [(item.path, item.status) for item in graph_calls.batch_items] == [
        ("/beta/me", 200),
        ("/beta/me/nothing", 400),
    ]
    assert all(item.caller_oid == str(directory.employee.id) for item in graph_calls.batch_items)


def test_members_are_throttled_individually(amy: GraphClient, settings: Any) -> None:
    sandbox(settings, THROTTLE_RATE=1.0, RETRY_AFTER_SECONDS=2)
    response = run(amy, [{"id": "1", "method": "GET", "url": "/me"}, {"id": "2", "method": "GET", "url": "/me"}])
    assert response.status_code == 200  # the envelope itself is not throttled
    answers = response.json()["responses"]
    assert [answer["status"] for answer in answers] == [429, 429]
    assert answers[0]["headers"]["Retry-After"] == "2"
    assert answers[0]["body"]["error"]["code"] == "TooManyRequests"
