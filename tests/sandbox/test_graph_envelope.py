"""What every answer shares: request ids, Date, the error envelope, routing errors, the request log,
and that no answer ever carries a token's secret."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from portal.sandbox.models import HardwareToken, RequestLogEntry
from portal.sandbox.requestlog import count_graph_calls, graph_round_trips, last_entry_id
from tests.sandbox.conftest import Directory, GraphClient
from tests.support.sandbox import sandbox
from tests.support.tokens import code_of

pytestmark = pytest.mark.django_db

DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"


@pytest.fixture
def admin(directory: Directory, graph: Callable[..., GraphClient]) -> GraphClient:
    return graph(directory.global_admin)


def test_every_answer_has_request_ids_and_date(admin: GraphClient) -> None:
    for response in (admin.get("/me"), admin.get("/nothing/here")):
        uuid.UUID(response.headers["request-id"])
        uuid.UUID(response.headers["client-request-id"])
        date = parsedate_to_datetime(response.headers["Date"])
        assert abs((datetime.now(UTC) - date).total_seconds()) < 60


def test_client_request_id_is_echoed(admin: GraphClient) -> None:
    response = admin.get("/me", headers={"client-request-id": "portal-1234"})
    assert response.headers["client-request-id"] == "portal-1234"
    # Anything that does not look like an id is replaced, not echoed.
    odd = admin.get("/me", headers={"client-request-id": "<script>"})
    assert odd.headers["client-request-id"] != "<script>"


def test_error_envelope(admin: GraphClient) -> None:
    response = admin.get(f"{DEVICES}/00000000-0000-0000-0000-000000000000", headers={"client-request-id": "abc-123"})
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "innerError"}
    assert error["code"] == "itemNotFound"
    inner = error["innerError"]
    assert set(inner) == {"date", "request-id", "client-request-id"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", inner["date"])  # UTC, seconds, no Z
    assert inner["request-id"] == response.headers["request-id"]
    assert inner["client-request-id"] == "abc-123"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nothing/here", 400, "BadRequest"),
        ("DELETE", "/me", 405, "Request_BadRequest"),
        ("GET", "/directory/authenticationMethodDevices/hardwareOathDevices/x/y/z", 400, "BadRequest"),
    ],
)
def test_routing_errors(admin: GraphClient, method: str, path: str, status: int, code: str) -> None:
    response = admin.request(method, path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_only_beta_is_emulated(admin: GraphClient) -> None:
    response = admin.get("https://graph.microsoft.com/v1.0/me")
    assert response.status_code == 400
    assert "beta" in response.json()["error"]["message"]


def test_malformed_json_is_400(admin: GraphClient) -> None:
    response = admin.request("POST", DEVICES, data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"


def test_an_unexpected_failure_is_a_500_envelope(admin: GraphClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.sandbox.graph import users

    def explode(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(users, "signed_in_user", explode)
    response = admin.get("/me")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "generalException"
    assert "boom" not in response.text


# --- request log --------------------------------------------------------------------------------


def test_request_log_records_each_round_trip(admin: GraphClient, directory: Directory) -> None:
    with count_graph_calls() as graph_calls:
        admin.get("/me", headers={"client-request-id": "log-test-1"})
        admin.get(DEVICES, params={"$filter": "serialNumber eq 'SECRET-LOOKING'"})
        assert graph_calls.count == 2  # readable inside the block
    first, second = graph_calls.requests
    assert (first.service, first.method, first.path, first.status) == ("graph", "GET", "/beta/me", 200)
    assert first.client_request_id == "log-test-1"
    assert first.caller_oid == str(directory.global_admin.id)
    assert uuid.UUID(first.request_id)
    assert second.path == f"/beta{DEVICES}"  # no query string in the log
    assert "SECRET-LOOKING" not in str(list(RequestLogEntry.objects.values()))
    assert graph_calls.describe() == ["GET /beta/me → 200", f"GET /beta{DEVICES} → 200"]


def test_graph_round_trips_since(admin: GraphClient) -> None:
    admin.get("/me")
    bookmark = last_entry_id()
    admin.get("/me")
    admin.get("/nothing")
    assert [entry.status for entry in graph_round_trips(since_id=bookmark)] == [200, 400]
    assert len(graph_round_trips()) == 3


def test_request_log_switch(admin: GraphClient, settings: Any) -> None:
    sandbox(settings, REQUEST_LOG=False)
    with count_graph_calls() as graph_calls:
        admin.get("/me")
    assert graph_calls.requests == []


def test_unauthenticated_requests_are_logged_without_caller(
    directory: Directory, graph: Callable[..., GraphClient]
) -> None:
    client = graph(directory.employee)
    with count_graph_calls() as graph_calls:
        client.session.get("https://graph.microsoft.com/beta/me")
    [entry] = graph_calls.requests
    assert (entry.status, entry.caller_oid) == (401, "")


# --- secrets ------------------------------------------------------------------------------------


def test_secret_never_appears_in_any_answer(
    admin: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    created = admin.post(
        DEVICES,
        json={
            "serialNumber": "S-1",
            "manufacturer": "C",
            "model": "M",
            "secretKey": secret.lower(),
            "timeIntervalInSeconds": 30,
        },
    )
    token = HardwareToken.objects.get(pk=created.json()["id"])
    methods = f"/users/{directory.employee.id}/authentication/hardwareOathMethods"
    answers = [
        created,
        admin.get(DEVICES),
        admin.get(f"{DEVICES}/{token.id}"),
        admin.patch(
            DEVICES,
            json={
                "@context": "#$delta",
                "value": [
                    {
                        "@contentId": "1",
                        "serialNumber": "S-2",
                        "manufacturer": "C",
                        "model": "M",
                        "secretKey": secret,
                        "timeIntervalInSeconds": 30,
                    }
                ],
            },
        ),
        admin.post(methods, json={"device": {"id": str(token.id)}}),
        admin.get(methods),
        admin.get(f"{methods}/{token.id}"),
        admin.get(f"{methods}/{token.id}/device"),
        admin.post(f"{methods}/{token.id}/activate", json={"verificationCode": code_of(token)}),
        admin.post("/$batch", json={"requests": [{"id": "1", "method": "GET", "url": DEVICES}]}),
    ]
    assert all(answer.status_code < 300 for answer in answers), [a.status_code for a in answers]
    for answer in answers:
        assert secret not in answer.text.upper()
        assert secret not in str(answer.headers).upper()
    assert admin.get(f"{DEVICES}/{token.id}").json()["secretKey"] is None


def test_error_table_documents_every_code() -> None:
    from portal.sandbox.graph import errors

    assert errors.__doc__ is not None
    for kind in errors.ALL_KINDS:
        assert f"| {kind.status} | `{kind.code}`" in errors.__doc__, kind
