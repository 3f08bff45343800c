from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import requests

from portal.graph.client import GraphClient
from portal.graph.errors import (
    GraphBadRequest,
    GraphConflict,
    GraphError,
    GraphFailedDependency,
    GraphForbidden,
    GraphNotFound,
    GraphServerError,
    GraphThrottled,
    GraphUnauthorized,
    GraphUnavailable,
    parse_claims_challenge,
    parse_retry_after,
)
from portal.graph.retry import RetryPolicy
from portal.graph.transport import RefusedURL
from tests.graph.conftest import TOKEN, FakeGraph, graph_error

CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, GraphBadRequest),
        (401, GraphUnauthorized),
        (403, GraphForbidden),
        (404, GraphNotFound),
        (409, GraphConflict),
        (424, GraphFailedDependency),
        (429, GraphThrottled),
        (500, GraphServerError),
        (502, GraphServerError),
        (503, GraphServerError),
        (504, GraphServerError),
        (405, GraphError),
        (412, GraphError),
    ],
)
def test_status_maps_to_error_class(
    client: GraphClient, fake: FakeGraph, status: int, error_class: type[GraphError]
) -> None:
    client.policy = RetryPolicy(max_retries=0, max_wait=8.0)
    fake.reply(status, graph_error("someCode", "Developer text.", request_id="r-1"))
    with pytest.raises(error_class) as info:
        client.request("POST", "/me/authentication/hardwareOathMethods", json={})
    assert type(info.value) is error_class
    assert info.value.status == status
    assert info.value.code == "someCode"
    assert info.value.message == "Developer text."


def test_fields_come_from_inner_error(client: GraphClient, fake: FakeGraph) -> None:
    body = graph_error("accessDenied", "Request Authorization failed", request_id="inner-rid")
    body["error"]["innerError"]["innerError"] = {"code": "missingRole", "innerError": {"code": "needsPAA"}}
    fake.reply(403, body, headers={"request-id": "header-rid", "client-request-id": "header-crid"})
    with pytest.raises(GraphForbidden) as info:
        client.request("GET", "/users/u1/authentication/hardwareOathMethods")
    error = info.value
    assert (error.code, error.inner_code) == ("accessDenied", "needsPAA")
    assert error.request_id == "inner-rid"
    assert error.client_request_id == "inner-crid"


def test_ids_fall_back_to_headers(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(
        404,
        {"error": {"code": "itemNotFound", "message": "gone"}},
        headers={"request-id": "header-rid", "client-request-id": "header-crid"},
    )
    with pytest.raises(GraphNotFound) as info:
        client.request("GET", "/me/authentication/hardwareOathMethods/x")
    assert info.value.request_id == "header-rid"
    assert info.value.client_request_id == "header-crid"
    assert info.value.inner_code is None


def test_throttling_inner_code_is_not_a_more_specific_code(client: GraphClient, fake: FakeGraph) -> None:
    client.policy = RetryPolicy(max_retries=0, max_wait=8.0)
    fake.reply(429, graph_error("TooManyRequests", code="429", status="429"), headers={"Retry-After": "2.5"})
    with pytest.raises(GraphThrottled) as info:
        client.request("GET", "/me")
    assert info.value.inner_code is None
    assert info.value.retry_after == 2.5


@pytest.mark.parametrize(
    ("kwargs", "code", "message_part"),
    [
        (
            {
                "text": "<html><body><h1>502 Bad Gateway</h1></body></html>",
                "headers": {"Content-Type": "text/html"},
            },
            "",
            "non-JSON body (text/html)",
        ),
        ({}, "", "empty body"),
        (
            {"json": {"error": "invalid_grant", "error_description": "AADSTS70008: expired"}},
            "invalid_grant",
            "AADSTS70008",
        ),
        ({"json": [{"error": {"code": "x"}}]}, "", "without a Graph error envelope (list body)"),
        ({"json": {"error": 5}}, "", "without a Graph error envelope (dict body)"),
        ({"json": {"error": {"code": 7, "message": ["no"]}}}, "", "without a Graph error envelope"),
        ({"text": "{not json", "headers": {"Content-Type": "application/json"}}, "", "non-JSON body"),
    ],
)
def test_malformed_error_bodies_are_tolerated(
    client: GraphClient, fake: FakeGraph, kwargs: dict[str, object], code: str, message_part: str
) -> None:
    fake.reply(502 if "text" in kwargs else 400, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(GraphError) as info:
        client.request("POST", "/me/authentication/hardwareOathMethods", json={})
    assert info.value.code == code
    assert message_part in info.value.message
    assert "<html>" not in str(info.value)


def _challenge(claims: str, *, urlsafe: bool = False, strip: bool = False) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    encoded = encode(claims.encode()).decode()
    if strip:
        encoded = encoded.rstrip("=")
    return (
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
        f'client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="{encoded}"'
    )


def test_claims_challenge_on_401(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(
        401,
        graph_error("InvalidAuthenticationToken", "Continuous access evaluation resulted in challenge"),
        headers={"WWW-Authenticate": _challenge(CLAIMS)},
    )
    with pytest.raises(GraphUnauthorized) as info:
        client.request("POST", "/me/authentication/hardwareOathMethods/x/activate", json={})
    assert info.value.claims_challenge == CLAIMS
    assert json.loads(info.value.claims_challenge)["access_token"]["acrs"]["value"] == "c1"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (_challenge(CLAIMS, urlsafe=True, strip=True), CLAIMS),
        (
            _challenge('{"id_token":{"auth_time":{"essential":true}}}'),
            '{"id_token":{"auth_time":{"essential":true}}}',
        ),
        (f'Bearer error="insufficient_claims", claims="{CLAIMS.replace(chr(34), chr(39))}"', None),
        ('Bearer error="insufficient_claims", claims="%%%not-base64%%%"', None),
        ('Bearer error="insufficient_claims", claims="' + base64.b64encode(b"[1,2]").decode() + '"', None),
        (
            'Bearer realm="", error="invalid_token", claims="' + base64.b64encode(CLAIMS.encode()).decode() + '"',
            None,
        ),
        ('Bearer realm=""', None),
        (None, None),
    ],
)
def test_claims_challenge_parsing(header: str | None, expected: str | None) -> None:
    assert parse_claims_challenge(header) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.128", 2.128),
        ("10", 10.0),
        (" 0 ", 0.0),
        ("-3", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
        ("Sun, 01 Jun 2025 08:30:42 GMT", 30.0),
    ],
)
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    now = datetime(2025, 6, 1, 8, 30, 12, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == expected


def test_str_never_holds_token_body_or_code(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(400, graph_error("invalidRequest", f"Code 012345 is wrong for Bearer {TOKEN[14:]}"))
    with pytest.raises(GraphBadRequest) as info:
        client.request(
            "POST",
            "/me/authentication/hardwareOathMethods/x/activate",
            json={"verificationCode": "012345", "displayName": "SECRET-BODY"},
        )
    text = str(info.value) + repr(info.value)
    assert "012345" not in text
    assert "SECRET-BODY" not in text
    assert "eyJ" not in text
    assert "invalidRequest" in text
    assert "inner-rid" in text


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (requests.ConnectTimeout("connect timed out"), "timeout"),
        (requests.ReadTimeout("read timed out"), "timeout"),
        (requests.ConnectionError("refused"), "connectionError"),
        (RefusedURL("no transport"), "refusedUrl"),
    ],
)
def test_transport_failures_become_graph_unavailable(
    client: GraphClient, fake: FakeGraph, exc: requests.RequestException, code: str
) -> None:
    fake.fail(exc)
    with pytest.raises(GraphUnavailable) as info:
        client.request("POST", "/me/authentication/hardwareOathMethods", json={"device": {"id": "d"}})
    assert info.value.status == 0
    assert info.value.code == code
    assert info.value.__cause__ is exc
    assert "graph.microsoft.com" in info.value.message
    assert "/me/" not in info.value.message  # host only, never the URL
