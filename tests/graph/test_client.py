from __future__ import annotations

import logging
import uuid

import pytest
import requests

from portal.graph import connection
from portal.graph.client import GraphClient
from portal.graph.connection import shared_session
from portal.graph.errors import (
    GraphBadResponse,
    GraphError,
    GraphForeignURL,
    GraphServerError,
    GraphThrottled,
    GraphUnavailable,
)
from portal.graph.retry import RetryPolicy
from portal.graph.transport import RefusedURL
from tests.graph.conftest import BASE, TOKEN, FakeGraph, graph_error

THROTTLED = graph_error("TooManyRequests", "Please retry again later.", code="429", status="429")
PATH = "/me/authentication/hardwareOathMethods"


# -- what goes on the wire --------------------------------------------------------------------------


def test_headers_timeout_and_url(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"id": "u1"})
    response = client.request("GET", "/me", params={"$select": "id"})
    sent = fake.sent[0]
    assert sent.url == f"{BASE}/me?%24select=id"
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Accept"] == "application/json"
    assert uuid.UUID(sent.headers["client-request-id"])
    assert sent.timeout == 7.5  # passed by the client itself, even on a plain requests.Session
    assert response.status == 200
    assert response.data == {"id": "u1"}
    assert response.request_id == "rid-0"


def test_timeout_defaults_to_settings(session: requests.Session, fake: FakeGraph, settings: object) -> None:
    settings.GRAPH_TIMEOUT_SECONDS = 3.25  # type: ignore[attr-defined]
    fake.reply(204)
    GraphClient(TOKEN, session=session).request("DELETE", PATH + "/x")
    assert fake.sent[0].timeout == 3.25


def test_each_call_gets_its_own_client_request_id(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(204).reply(204)
    client.request("DELETE", PATH + "/a")
    client.request("DELETE", PATH + "/b")
    assert fake.sent[0].headers["client-request-id"] != fake.sent[1].headers["client-request-id"]


def test_caller_headers_cannot_replace_authorization(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"value": []})
    client.request("GET", "/users", headers={"ConsistencyLevel": "eventual", "Authorization": "Bearer other"})
    assert fake.sent[0].headers["ConsistencyLevel"] == "eventual"
    assert fake.sent[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_success_bodies(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(204).reply(200, text="42", headers={"Content-Type": "text/plain"})
    fake.reply(200, text="{broken", headers={"Content-Type": "application/json"})
    assert client.request("POST", PATH + "/x/deactivate").data is None
    assert client.request("GET", PATH + "/$count").data == "42"
    with pytest.raises(GraphBadResponse) as info:
        client.request("GET", PATH)
    assert info.value.status == 200


def test_redirects_are_not_followed(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(302, headers={"Location": "https://evil.example/steal"})
    with pytest.raises(GraphError) as info:
        client.request("GET", "/me")
    assert info.value.status == 302
    assert len(fake.sent) == 1


def test_repr_hides_token(client: GraphClient) -> None:
    assert TOKEN not in repr(client)


def test_empty_token_is_refused(session: requests.Session) -> None:
    with pytest.raises(ValueError, match="access token"):
        GraphClient("", session=session)


def test_shared_session_is_reused_and_refuses_cookies(settings: object) -> None:
    settings.HTTP_TRANSPORT_ADAPTERS = {}  # type: ignore[attr-defined]  # also resets the shared session
    first = shared_session()
    assert first.default_timeout == settings.GRAPH_TIMEOUT_SECONDS  # type: ignore[attr-defined]
    assert shared_session() is first
    # Cookies from one person's answer must never ride along on another person's call.
    assert first.cookies.get_policy().allowed_domains() == ()  # type: ignore[attr-defined]
    connection.close_shared_session()
    assert shared_session() is not first


# -- nextLinks and foreign URLs ---------------------------------------------------------------------


def test_next_link_is_followed_verbatim(client: GraphClient, fake: FakeGraph) -> None:
    link = f"{BASE}/directory/authenticationMethodDevices/hardwareOathDevices?$top=2&$skiptoken=X%27Y"
    fake.reply(200, {"value": []})
    client.request("GET", link)
    assert fake.sent[0].url == link


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/beta/users",
        "https://graph.microsoft.com.evil.example/beta/users",
        "https://graph.microsoft.com/betaevil/users",
        "https://graph.microsoft.com/v1.0/users",
        "https://graph.microsoft.com/beta/../v1.0/users",
        "http://graph.microsoft.com/beta/users",
        "https://user@graph.microsoft.com/beta/users",
        "https://graph.microsoft.com:8443/beta/users",
        "https://graph.microsoft.com\\@evil.example/beta/users",
        "//evil.example/beta/users",
        "users",
        "",
    ],
)
def test_foreign_urls_are_refused_before_sending(client: GraphClient, fake: FakeGraph, url: str) -> None:
    with pytest.raises(GraphForeignURL) as info:
        client.request("GET", url)
    assert fake.sent == []
    assert isinstance(info.value, ValueError)
    assert "evil.example/beta" not in str(info.value)


# -- retries ----------------------------------------------------------------------------------------


def test_429_with_fractional_retry_after_then_success(
    client: GraphClient, fake: FakeGraph, sleeps: list[float]
) -> None:
    fake.reply(429, THROTTLED, headers={"Retry-After": "2.128"}).reply(200, {"id": "u1"})
    assert client.request("GET", "/me").data == {"id": "u1"}
    assert sleeps == [2.128]
    assert len(fake.sent) == 2
    # Same logical call, same client-request-id.
    assert fake.sent[0].headers["client-request-id"] == fake.sent[1].headers["client-request-id"]


def test_503_then_success_with_backoff(client: GraphClient, fake: FakeGraph, sleeps: list[float]) -> None:
    fake.reply(503, text="Service Unavailable").reply(200, {"value": []})
    client.request("GET", PATH)
    assert len(sleeps) == 1
    assert 0.25 <= sleeps[0] <= 0.5  # first backoff step, jittered


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(max_retries=3, max_wait=1.5)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 1.5), (8, 1.5)]:
        assert policy.backoff(attempt, jitter=lambda: 0.0) == ceiling / 2
        assert policy.backoff(attempt, jitter=lambda: 1.0) == ceiling


def test_gives_up_after_max_retries(client: GraphClient, fake: FakeGraph, sleeps: list[float]) -> None:
    for _ in range(4):
        fake.reply(429, THROTTLED, headers={"Retry-After": "1"})
    with pytest.raises(GraphThrottled) as info:
        client.request("GET", "/me")
    assert len(fake.sent) == 4  # the first try and GRAPH_MAX_RETRIES (3) retries
    assert sleeps == [1.0, 1.0, 1.0]
    assert info.value.retry_after == 1.0


def test_max_retries_comes_from_settings(session: requests.Session, fake: FakeGraph, settings: object) -> None:
    settings.GRAPH_MAX_RETRIES = 1  # type: ignore[attr-defined]
    fake.reply(503, headers={"Retry-After": "0"}).reply(503, headers={"Retry-After": "0"})
    with pytest.raises(GraphServerError):
        GraphClient(TOKEN, session=session, sleep=lambda _: None).request("GET", "/me")
    assert len(fake.sent) == 2


def test_wait_above_cap_raises_at_once_with_retry_after(
    client: GraphClient, fake: FakeGraph, sleeps: list[float]
) -> None:
    fake.reply(429, THROTTLED, headers={"Retry-After": "30"})
    with pytest.raises(GraphThrottled) as info:
        client.request("GET", "/me")
    assert info.value.retry_after == 30.0
    assert sleeps == []
    assert len(fake.sent) == 1


def test_post_is_retried_after_429_and_503(client: GraphClient, fake: FakeGraph, sleeps: list[float]) -> None:
    # Not processed by Graph: safe to resend even a write.
    fake.reply(429, THROTTLED, headers={"Retry-After": "0.5"}).reply(503, headers={"Retry-After": "1"})
    fake.reply(201, {"id": "d1"})
    assert client.request("POST", PATH, json={"device": {"id": "d1"}}).status == 201
    assert [s.json for s in fake.sent] == [{"device": {"id": "d1"}}] * 3
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_write_is_not_retried_after_504(client: GraphClient, fake: FakeGraph, method: str) -> None:
    fake.reply(504, text="Gateway Timeout")
    with pytest.raises(GraphServerError):
        client.request(method, PATH, json={})
    assert len(fake.sent) == 1


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_is_retried_after_504(client: GraphClient, fake: FakeGraph, method: str) -> None:
    fake.reply(504).reply(204)
    client.request(method, PATH + "/x")
    assert len(fake.sent) == 2


def test_idempotent_flag_overrides_method(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(504).reply(200, {"responses": []})
    client.request("POST", "/$batch", json={"requests": []}, idempotent=True)
    assert len(fake.sent) == 2


@pytest.mark.parametrize(
    "exc",
    [requests.ReadTimeout("read"), requests.ConnectTimeout("connect"), requests.ConnectionError("reset")],
)
def test_post_is_never_resent_after_a_transport_failure(
    client: GraphClient, fake: FakeGraph, sleeps: list[float], exc: requests.RequestException
) -> None:
    fake.fail(exc)
    with pytest.raises(GraphUnavailable) as info:
        client.request("POST", PATH + "/assignAndActivate", json={"verificationCode": "123456"})
    assert len(fake.sent) == 1
    assert sleeps == []
    assert info.value.__cause__ is exc


def test_get_is_retried_once_after_a_timeout(client: GraphClient, fake: FakeGraph) -> None:
    fake.fail(requests.ReadTimeout("read")).reply(200, {"id": "u1"})
    assert client.request("GET", "/me").data == {"id": "u1"}
    assert len(fake.sent) == 2


def test_get_gives_up_after_a_second_timeout(client: GraphClient, fake: FakeGraph) -> None:
    # Each timeout already cost the full timeout while a person waits: one retry only.
    fake.fail(requests.ReadTimeout("read")).fail(requests.ReadTimeout("read again"))
    with pytest.raises(GraphUnavailable) as info:
        client.request("GET", "/me")
    assert info.value.code == "timeout"
    assert len(fake.sent) == 2


def test_get_is_retried_after_connection_errors(client: GraphClient, fake: FakeGraph) -> None:
    fake.fail(requests.ConnectionError("a")).fail(requests.ConnectionError("b")).reply(200, {"id": "u1"})
    assert client.request("GET", "/me").data == {"id": "u1"}
    assert len(fake.sent) == 3


def test_refused_url_is_never_retried(client: GraphClient, fake: FakeGraph) -> None:
    fake.fail(RefusedURL("no transport"))
    with pytest.raises(GraphUnavailable):
        client.request("GET", "/me")
    assert len(fake.sent) == 1


def test_other_errors_are_not_retried(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(500, graph_error("generalException"))
    with pytest.raises(GraphServerError):
        client.request("GET", "/me")
    assert len(fake.sent) == 1


# -- logging ----------------------------------------------------------------------------------------


def test_one_log_line_per_attempt_without_secrets(
    client: GraphClient, fake: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    code = "493817"
    fake.reply(429, THROTTLED, headers={"Retry-After": "0", "request-id": "r-429"})
    fake.reply(400, graph_error("invalidRequest", f"code {code} rejected"), headers={"request-id": "r-400"})
    caplog.set_level(logging.DEBUG, logger="portal.graph")
    with pytest.raises(GraphError):
        client.request(
            "POST",
            PATH + "/assignAndActivateBySerialNumber",
            params={"$filter": "serialNumber eq 'SN-1'"},
            json={"serialNumber": "SN-1", "verificationCode": code},
        )
    records = [r for r in caplog.records if r.name == "portal.graph"]
    assert len(records) == 2
    for record in records:
        everything = record.getMessage() + repr(vars(record))
        assert TOKEN not in everything
        assert "Bearer" not in everything
        assert code not in everything
        assert "serialNumber" not in everything  # no query string, no body
    first, second = records
    assert first.graph_path == "/beta" + PATH + "/assignAndActivateBySerialNumber"  # type: ignore[attr-defined]
    assert (first.graph_status, first.attempt, first.graph_request_id) == (429, 1, "r-429")  # type: ignore[attr-defined]
    assert (second.graph_status, second.attempt, second.graph_request_id) == (400, 2, "r-400")  # type: ignore[attr-defined]
    assert first.levelno == logging.WARNING
    assert second.levelno == logging.INFO
    assert isinstance(second.duration_ms, int)  # type: ignore[attr-defined]
    assert "POST /beta/me/authentication/hardwareOathMethods/assignAndActivateBySerialNumber -> 400" in (
        second.getMessage()
    )


def test_transport_failure_is_logged_without_url(
    client: GraphClient, fake: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail(requests.ConnectionError("boom"))
    caplog.set_level(logging.INFO, logger="portal.graph")
    with pytest.raises(GraphUnavailable):
        client.request("POST", PATH, params={"x": "secret-query"}, json={})
    (record,) = [r for r in caplog.records if r.name == "portal.graph"]
    assert record.graph_status == 0  # type: ignore[attr-defined]
    assert "secret-query" not in record.getMessage() + repr(vars(record))
