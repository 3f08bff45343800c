from __future__ import annotations

import json
from typing import Any

import pytest

from portal.graph.batch import BatchRequest, BatchResponse, run_batch
from portal.graph.client import GraphClient
from portal.graph.errors import (
    GraphBadResponse,
    GraphFailedDependency,
    GraphNotFound,
    GraphServerError,
    GraphThrottled,
)
from portal.graph.retry import RetryPolicy
from tests.graph.conftest import Answer, FakeGraph, Sent, graph_error

METHODS = "/users/u1/authentication/hardwareOathMethods"


def _ok(sent: Sent) -> Answer:
    """Answer every member 200, echoing its url, in reverse order (Graph promises no order)."""
    members = sent.json["requests"]
    responses = [{"id": m["id"], "status": 200, "headers": {}, "body": {"url": m["url"]}} for m in members]
    body = json.dumps({"responses": responses[::-1]}).encode()
    return Answer(200, body, {"Content-Type": "application/json"})


def test_chunks_of_twenty(client: GraphClient, fake: FakeGraph) -> None:
    requests = [BatchRequest(str(i), "GET", f"/users/u{i}") for i in range(45)]
    for _ in range(3):
        fake.respond_with(_ok)
    results = run_batch(client, requests)
    assert [len(sent.json["requests"]) for sent in fake.sent] == [20, 20, 5]
    assert all(sent.method == "POST" and sent.path == "/$batch" for sent in fake.sent)
    assert list(results) == [str(i) for i in range(45)]  # request order, whatever the answer order
    assert results["44"].body == {"url": "/users/u44"}
    assert results["44"].ok


def test_member_shape_on_the_wire(client: GraphClient, fake: FakeGraph) -> None:
    fake.respond_with(_ok)
    run_batch(
        client,
        [
            BatchRequest("1", "post", METHODS, body={"device": {"id": "d1"}}),
            BatchRequest("2", "POST", METHODS + "/d1/activate", body={"verificationCode": "000123"}, depends_on=["1"]),
            BatchRequest("3", "GET", METHODS),
        ],
    )
    first, second, third = fake.sent[0].json["requests"]
    assert first == {
        "id": "1",
        "method": "POST",
        "url": METHODS,
        "body": {"device": {"id": "d1"}},
        "headers": {"Content-Type": "application/json"},
    }
    assert second["dependsOn"] == ["1"]
    assert third == {"id": "3", "method": "GET", "url": METHODS}


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ([BatchRequest("1", "GET", "/me"), BatchRequest("1", "GET", "/me")], "unique"),
        ([BatchRequest("", "GET", "/me")], "non-empty"),
        ([BatchRequest("1", "GET", "/me", depends_on=["9"])], "not in this batch"),
        ([BatchRequest("1", "GET", "https://graph.microsoft.com/beta/me")], "relative"),
        ([BatchRequest("1", "TRACE", "/me")], "unsupported method"),
        (
            [BatchRequest(str(i), "GET", "/me") for i in range(20)]
            + [BatchRequest("20", "GET", "/me", depends_on=["3"])],
            "another chunk",
        ),
    ],
)
def test_invalid_batches(client: GraphClient, fake: FakeGraph, requests: list[BatchRequest], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_batch(client, requests)
    assert fake.sent == []


def test_member_errors(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(
        200,
        {
            "responses": [
                {
                    "id": "1",
                    "status": 404,
                    "headers": {"Content-Type": "application/json"},
                    "body": graph_error("itemNotFound", "Not found", request_id="member-rid"),
                },
                {"id": "2", "status": 424, "body": None},
                {"id": "3", "status": 500, "headers": {"request-id": "hdr-rid"}, "body": "PGh0bWw+"},
                {"id": "4", "status": 204},
            ]
        },
    )
    results = run_batch(
        client,
        [
            BatchRequest("1", "DELETE", METHODS + "/x"),
            BatchRequest("2", "GET", METHODS, depends_on=["1"]),
            BatchRequest("3", "GET", "/me"),
            BatchRequest("4", "DELETE", METHODS + "/y"),
        ],
    )
    with pytest.raises(GraphNotFound) as info:
        results["1"].raise_for_error()
    assert (info.value.code, info.value.request_id) == ("itemNotFound", "member-rid")
    with pytest.raises(GraphFailedDependency):
        results["2"].raise_for_error()
    with pytest.raises(GraphServerError) as server:
        results["3"].raise_for_error()
    assert server.value.request_id == "hdr-rid"
    results["4"].raise_for_error()
    assert results["4"].error() is None


def test_throttled_members_are_retried_once_with_their_dependents(
    client: GraphClient, fake: FakeGraph, sleeps: list[float]
) -> None:
    throttled = graph_error("TooManyRequests", code="429")
    fake.reply(
        200,
        {
            "responses": [
                {"id": "a", "status": 201, "body": {"id": "d1"}},
                {"id": "b", "status": 429, "headers": {"Retry-After": "1.5"}, "body": throttled},
                {"id": "c", "status": 424},
                {"id": "d", "status": 429, "headers": {"retry-after": "0.5"}, "body": throttled},
            ]
        },
    )
    fake.respond_with(_ok)
    results = run_batch(
        client,
        [
            BatchRequest("a", "POST", METHODS, body={"device": {"id": "d1"}}),
            BatchRequest("b", "POST", METHODS + "/d1/activate", body={"verificationCode": "1"}, depends_on=["a"]),
            BatchRequest("c", "GET", METHODS, depends_on=["b"]),
            BatchRequest("d", "GET", "/me"),
        ],
    )
    assert sleeps == [1.5]  # the longest Retry-After among the throttled members
    resent = fake.sent[1].json["requests"]
    assert [m["id"] for m in resent] == ["b", "c", "d"]
    # "a" already succeeded and is not resent, so "b" no longer depends on it.
    assert "dependsOn" not in resent[0]
    assert resent[1]["dependsOn"] == ["b"]
    assert {key: r.status for key, r in results.items()} == {"a": 201, "b": 200, "c": 200, "d": 200}


def test_throttled_member_with_long_wait_is_handed_back(
    client: GraphClient, fake: FakeGraph, sleeps: list[float]
) -> None:
    fake.reply(200, {"responses": [{"id": "1", "status": 429, "headers": {"Retry-After": "120"}, "body": {}}]})
    results = run_batch(client, [BatchRequest("1", "GET", "/me")])
    assert sleeps == []
    assert len(fake.sent) == 1
    assert results["1"].retry_after == 120.0
    with pytest.raises(GraphThrottled) as info:
        results["1"].raise_for_error()
    assert info.value.retry_after == 120.0


def test_no_member_retry_under_a_policy_without_retries(client: GraphClient, fake: FakeGraph) -> None:
    client.policy = RetryPolicy(max_retries=0, max_wait=8.0)
    fake.reply(200, {"responses": [{"id": "1", "status": 429, "headers": {"Retry-After": "1"}}]})
    assert run_batch(client, [BatchRequest("1", "GET", "/me")])["1"].status == 429
    assert len(fake.sent) == 1


@pytest.mark.parametrize(
    ("methods", "attempts"),
    [(["GET", "GET"], 2), (["GET", "POST"], 1)],
)
def test_batch_post_is_resent_after_504_only_when_every_member_is_idempotent(
    client: GraphClient, fake: FakeGraph, methods: list[str], attempts: int
) -> None:
    fake.reply(504)
    if attempts == 2:
        fake.respond_with(_ok)
    requests = [BatchRequest(str(i), m, "/me", body={} if m == "POST" else None) for i, m in enumerate(methods)]
    if attempts == 1:
        with pytest.raises(GraphServerError):
            run_batch(client, requests)
    else:
        run_batch(client, requests)
    assert len(fake.sent) == attempts


@pytest.mark.parametrize(
    "body",
    [
        {"value": []},
        {"responses": [{"status": 200}]},
        {"responses": [{"id": "1", "status": "200"}]},
        {"responses": []},
    ],
)
def test_malformed_batch_answers(client: GraphClient, fake: FakeGraph, body: dict[str, Any]) -> None:
    fake.reply(200, body)
    with pytest.raises(GraphBadResponse):
        run_batch(client, [BatchRequest("1", "GET", "/me")])


def test_retry_after_header_is_case_insensitive() -> None:
    assert BatchResponse("1", 429, {"RETRY-AFTER": "3"}).retry_after == 3.0
    assert BatchResponse("1", 429).retry_after is None


def test_member_request_id_falls_back_to_the_batch_call(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(
        200,
        {
            "responses": [
                {"id": "1", "status": 204},
                {"id": "2", "status": 204, "headers": {"Request-Id": "own-rid"}},
                {"id": "3", "status": 400, "body": {"error": {"code": "invalidRequest", "message": "m"}}},
            ]
        },
        headers={"request-id": "batch-rid"},
    )
    results = run_batch(client, [BatchRequest(i, "DELETE", f"/me/x/{i}") for i in ("1", "2", "3")])
    assert [results[i].request_id for i in ("1", "2", "3")] == ["batch-rid", "own-rid", "batch-rid"]
    error = results["3"].error()
    assert error is not None
    assert error.request_id == "batch-rid"
