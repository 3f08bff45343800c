"""The one retry policy, in its two tunings: pages give up fast, jobs wait it out."""

from __future__ import annotations

import pytest
import requests

from portal.graph import calls
from portal.graph.client import GraphClient
from portal.graph.errors import GraphThrottled, GraphUnavailable
from portal.graph.retry import RetryPolicy
from tests.graph.conftest import BASE, TOKEN, FakeGraph, graph_error

THROTTLED = graph_error("TooManyRequests", "Too many requests.")


def throttled_member(retry_after: str) -> dict[str, object]:
    return {"responses": [{"id": "0", "status": 429, "headers": {"Retry-After": retry_after}, "body": THROTTLED}]}


METHODS = "/me/authentication/hardwareOathMethods"


def client_with(session: requests.Session, sleeps: list[float], policy: RetryPolicy) -> GraphClient:
    return GraphClient(TOKEN, session=session, base_url=BASE, sleep=sleeps.append, policy=policy)


def test_tunings_come_from_settings(settings: object) -> None:
    settings.GRAPH_MAX_RETRIES = 2  # type: ignore[attr-defined]
    settings.GRAPH_MAX_RETRY_WAIT_SECONDS = 4.0  # type: ignore[attr-defined]
    settings.GRAPH_JOB_MAX_RETRIES = 9  # type: ignore[attr-defined]
    settings.GRAPH_JOB_MAX_RETRY_WAIT_SECONDS = 90.0  # type: ignore[attr-defined]
    settings.GRAPH_JOB_MAX_TOTAL_WAIT_SECONDS = 300.0  # type: ignore[attr-defined]
    assert RetryPolicy.for_pages() == RetryPolicy(max_retries=2, max_wait=4.0, timeout_retries=1)
    assert RetryPolicy.for_jobs() == RetryPolicy(max_retries=9, max_wait=90.0, max_total_wait=300.0, timeout_retries=2)


def test_a_client_uses_the_page_policy_unless_told(session: requests.Session, settings: object) -> None:
    settings.GRAPH_MAX_RETRIES = 1  # type: ignore[attr-defined]
    assert GraphClient(TOKEN, session=session).policy == RetryPolicy.for_pages()


def test_page_policy_gives_up_at_once_on_a_long_retry_after(
    session: requests.Session, fake: FakeGraph, sleeps: list[float], settings: object
) -> None:
    fake.reply(429, THROTTLED, headers={"Retry-After": "45"})
    with pytest.raises(GraphThrottled) as info:
        client_with(session, sleeps, RetryPolicy.for_pages()).request("GET", "/me")
    assert info.value.retry_after == 45.0  # the page can say "try again in 45 seconds"
    assert sleeps == []
    assert len(fake.sent) == 1


def test_job_policy_waits_out_the_same_retry_after(
    session: requests.Session, fake: FakeGraph, sleeps: list[float]
) -> None:
    fake.reply(429, THROTTLED, headers={"Retry-After": "45"}).reply(200, {"id": "u1"})
    assert client_with(session, sleeps, RetryPolicy.for_jobs()).request("GET", "/me").data == {"id": "u1"}
    assert sleeps == [45.0]


def test_total_wait_budget_stops_a_patient_policy(
    session: requests.Session, fake: FakeGraph, sleeps: list[float]
) -> None:
    policy = RetryPolicy(max_retries=10, max_wait=60.0, max_total_wait=100.0)
    for _ in range(4):
        fake.reply(429, THROTTLED, headers={"Retry-After": "40"})
    with pytest.raises(GraphThrottled):
        client_with(session, sleeps, policy).request("GET", "/me")
    assert sleeps == [40.0, 40.0]  # a third wait would pass the 100 s budget
    assert len(fake.sent) == 3


def test_job_policy_retries_a_read_timeout_twice_but_never_a_write(
    session: requests.Session, fake: FakeGraph, sleeps: list[float]
) -> None:
    client = client_with(session, sleeps, RetryPolicy.for_jobs())
    fake.fail(requests.ReadTimeout("1")).fail(requests.ReadTimeout("2")).reply(200, {"id": "u1"})
    assert client.request("GET", "/me").data == {"id": "u1"}
    assert len(fake.sent) == 3

    fake.fail(requests.ReadTimeout("write"))
    with pytest.raises(GraphUnavailable):
        client.request("POST", METHODS, json={"device": {"id": "d1"}})
    assert len(fake.sent) == 4  # the POST went once: it may have been applied


def test_throttled_members_share_the_chunks_retry_budget(
    session: requests.Session, fake: FakeGraph, sleeps: list[float]
) -> None:
    """The $batch POST and the member resends count against one budget: no retry layer on top."""
    policy = RetryPolicy(max_retries=2, max_wait=8.0)
    fake.reply(503, headers={"Retry-After": "1"})  # the whole $batch, once
    for _ in range(3):
        fake.reply(200, throttled_member("2"))
    (me,) = client_with(session, sleeps, policy).batch(calls.me())
    assert sleeps == [1.0, 2.0]  # two retries in all, whichever layer asked
    assert len(fake.sent) == 3
    with pytest.raises(GraphThrottled) as info:
        me.raise_for_error()
    assert info.value.retry_after == 2.0


def test_job_policy_resends_throttled_members_until_they_pass(
    session: requests.Session, fake: FakeGraph, sleeps: list[float]
) -> None:
    for _ in range(3):
        fake.reply(200, throttled_member("30"))
    fake.reply(200, {"responses": [{"id": "0", "status": 200, "body": {"id": "d1", "serialNumber": "SN-1"}}]})
    (device,) = client_with(session, sleeps, RetryPolicy.for_jobs()).batch(calls.device_get("d1"))
    assert device.value.serial_number == "SN-1"
    assert sleeps == [30.0, 30.0, 30.0]


def test_backoff_without_retry_after_is_jittered_exponential() -> None:
    policy = RetryPolicy(max_retries=5, max_wait=3.0, backoff_base=1.0)
    retrying = policy.start(jitter=lambda: 1.0)
    waits = [retrying.after_status(503, retry_after=None, idempotent=False) for _ in range(5)]
    assert waits == [1.0, 2.0, 3.0, 3.0, 3.0]
    assert retrying.after_status(503, retry_after=None, idempotent=False) is None
