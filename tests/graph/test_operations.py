from __future__ import annotations

import logging
from typing import Any

import pytest

from portal.graph.calls import odata_filter, search_filter
from portal.graph.client import GraphClient
from portal.graph.errors import GraphBadRequest, GraphBadResponse, GraphServerError
from portal.graph.types import TokenStatus
from tests.graph.conftest import BASE, FakeGraph, graph_error
from tests.graph.test_types import DEVICE

DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"
USER = {"id": "u1", "displayName": "Amy", "userPrincipalName": "amy@contoso.example", "accountEnabled": True}


# -- users ------------------------------------------------------------------------------------------


def test_me(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, USER)
    assert client.me().display_name == "Amy"
    assert fake.sent[0].path == "/me"
    assert "userPrincipalName" in fake.sent[0].query["$select"]


def test_user_get_quotes_upn(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, USER)
    client.user_get("guest_x.example#EXT#@contoso.example", select="id,displayName")
    assert fake.sent[0].url == f"{BASE}/users/guest_x.example%23EXT%23%40contoso.example?$select=id%2CdisplayName"


def test_users_search(client: GraphClient, fake: FakeGraph) -> None:
    link = f"{BASE}/users?$filter=x&$skiptoken=2"
    fake.reply(200, {"value": [{**USER, "memberOf": []}], "@odata.nextLink": link})
    fake.reply(200, {"value": [USER]})
    page = client.users_search(" O'Neil ", top=10)
    sent = fake.sent[0]
    # A default query, not an advanced one: Graph does not `$expand` in advanced queries.
    assert "ConsistencyLevel" not in sent.headers
    assert "$search" not in sent.query and "$count" not in sent.query
    assert sent.query["$filter"] == (
        "startswith(displayName,'O''Neil') or startswith(givenName,'O''Neil') or "
        "startswith(surname,'O''Neil') or startswith(userPrincipalName,'O''Neil') or startswith(mail,'O''Neil')"
    )
    assert sent.query["$expand"] == "memberOf($select=id)"
    assert sent.query["$top"] == "10"
    assert (page.next_link, page.items[0].user.id, page.items[0].holds_admin_role) == (link, "u1", False)
    second = client.users_search("ignored", next_link=page.next_link)
    assert fake.sent[1].url == link
    assert second.next_link is None
    assert second.items[0].holds_admin_role is None  # no memberOf in the answer: can't tell


@pytest.mark.parametrize(
    ("member_of", "holds"),
    [
        ([{"@odata.type": "#microsoft.graph.group", "id": "g1"}], False),
        (
            [
                {"@odata.type": "#microsoft.graph.group", "id": "g1"},
                {"@odata.type": "#microsoft.graph.directoryRole", "id": "r1"},
            ],
            True,
        ),
        # Graph expands at most 20 memberships: 20 groups may hide a role.
        ([{"@odata.type": "#microsoft.graph.group", "id": f"g{n}"} for n in range(20)], None),
    ],
)
def test_users_search_reads_directory_roles_from_member_of(
    client: GraphClient, fake: FakeGraph, member_of: list[dict[str, str]], holds: bool | None
) -> None:
    fake.reply(200, {"value": [{**USER, "memberOf": member_of}]})
    assert client.users_search("amy").items[0].holds_admin_role is holds


def test_users_search_with_blank_text_asks_nothing(client: GraphClient, fake: FakeGraph) -> None:
    assert client.users_search("   ").items == []
    assert fake.sent == []


def test_search_filter_keeps_backslashes_literal() -> None:
    assert search_filter("a\\b").startswith("startswith(displayName,'a\\b')")


# -- a user's methods -------------------------------------------------------------------------------


def test_methods_list_follows_paging(client: GraphClient, fake: FakeGraph) -> None:
    link = f"{BASE}/me/authentication/hardwareOathMethods?$skiptoken=2"
    fake.reply(200, {"value": [{"id": "m1", "device": DEVICE}], "@odata.nextLink": link})
    fake.reply(200, {"value": [{"id": "m2", "createdDateTime": "2025-01-01T00:00:00Z"}]})
    methods = client.methods_list()
    assert [m.id for m in methods] == ["m1", "m2"]
    assert methods[0].device is not None
    assert methods[0].device.status == TokenStatus.ACTIVATED
    assert fake.sent[0].path == "/me/authentication/hardwareOathMethods"


def test_methods_list_for_another_user(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"value": []})
    assert client.methods_list("amy@contoso.example") == []
    assert fake.sent[0].path == "/users/amy%40contoso.example/authentication/hardwareOathMethods"


def test_method_get(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"value": {"id": "m1", "lastUsedDateTime": "2025-06-01T08:30:12.1234567Z"}})
    assert client.method_get("u1", "m1").last_used is not None
    assert fake.sent[0].path == "/users/u1/authentication/hardwareOathMethods/m1"


def test_method_assign(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(
        201,
        {
            "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod",
            "id": "d1",
            "createdDateTime": "2025-06-01T08:30:12Z",
        },
    )
    method = client.method_assign("u1", "d1")
    assert (method.id, method.device) == ("d1", None)
    assert (fake.sent[0].method, fake.sent[0].path) == (
        "POST",
        "/users/u1/authentication/hardwareOathMethods",
    )
    assert fake.sent[0].json == {"device": {"id": "d1"}}


CODE = "012345"


@pytest.mark.parametrize(
    ("call", "path", "body"),
    [
        (
            lambda c: c.method_assign_and_activate(None, "d1", CODE, "My token"),
            "/me/authentication/hardwareOathMethods/assignAndActivate",
            {"device": {"id": "d1"}, "verificationCode": CODE, "displayName": "My token"},
        ),
        (
            lambda c: c.method_assign_and_activate_by_serial(None, "SN-1", CODE),
            "/me/authentication/hardwareOathMethods/assignAndActivateBySerialNumber",
            {"serialNumber": "SN-1", "verificationCode": CODE},
        ),
        (
            lambda c: c.method_activate("u1", "m1", CODE, display_name="Desk"),
            "/users/u1/authentication/hardwareOathMethods/m1/activate",
            {"verificationCode": CODE, "displayName": "Desk"},
        ),
        (
            lambda c: c.method_deactivate(None, "m1"),
            "/me/authentication/hardwareOathMethods/m1/deactivate",
            None,
        ),
    ],
)
def test_method_actions(
    client: GraphClient, fake: FakeGraph, caplog: pytest.LogCaptureFixture, call: Any, path: str, body: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.reply(204)
    assert call(client) is None
    sent = fake.sent[0]
    assert (sent.method, sent.path, sent.json) == ("POST", path, body)
    assert CODE not in sent.url  # the code only ever travels in the body
    assert CODE not in caplog.text


def test_wrong_code_is_a_bad_request_not_retried(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(400, graph_error("invalidRequest", "The verification code is invalid."))
    with pytest.raises(GraphBadRequest) as info:
        client.method_activate(None, "m1", CODE)
    assert info.value.code == "invalidRequest"
    assert len(fake.sent) == 1


def test_method_unassign(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(204)
    client.method_unassign("u1", "m1")
    assert (fake.sent[0].method, fake.sent[0].path) == (
        "DELETE",
        "/users/u1/authentication/hardwareOathMethods/m1",
    )


def test_device_assign_to(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(204)
    client.device_assign_to("u1", "d1")
    sent = fake.sent[0]
    assert (sent.method, sent.path) == (
        "PUT",
        "/users/u1/authentication/hardwareOathMethods/d1/device/assignTo/$ref",
    )
    assert sent.json == {"@odata.id": f"{BASE}/users/u1"}


# -- inventory --------------------------------------------------------------------------------------


def test_odata_filter() -> None:
    assert odata_filter({"serialNumber": "O'Brien's", "timeIntervalInSeconds": 30, "assignedTo/id": "u1"}) == (
        "serialNumber eq 'O''Brien''s' and timeIntervalInSeconds eq 30 and assignedTo/id eq 'u1'"
    )
    with pytest.raises(ValueError, match="property"):
        odata_filter({"status eq 'x' or 1": "y"})
    with pytest.raises(TypeError):
        odata_filter({"status": True})


def test_devices_list(client: GraphClient, fake: FakeGraph) -> None:
    link = f"{BASE}{DEVICES}?$skiptoken=2"
    fake.reply(200, {"@odata.count": 2, "value": [DEVICE], "@odata.nextLink": link}).reply(200, {"value": [DEVICE]})
    page = client.devices_list(filters={"status": "available"}, top=1, count=True)
    sent = fake.sent[0]
    assert sent.path == DEVICES
    assert sent.query == {"$filter": "status eq 'available'", "$top": "1", "$count": "true"}
    assert sent.headers["ConsistencyLevel"] == "eventual"
    assert (page.count, page.next_link, page.items[0].serial_number) == (2, link, "SN-000123")
    assert client.devices_list(next_link=link).next_link is None
    assert fake.sent[1].url == link


def test_devices_list_accepts_doc_wrapper_items(client: GraphClient, fake: FakeGraph) -> None:
    wrapped = {
        "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod",
        "id": "x",
        "device": DEVICE,
    }
    fake.reply(200, {"value": [wrapped]})
    assert client.devices_list().items[0].serial_number == "SN-000123"
    assert fake.sent[0].query == {}


def test_devices_all_follows_next_links(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"value": [DEVICE], "@odata.nextLink": f"{BASE}{DEVICES}?$skiptoken=2"})
    fake.reply(200, {"value": []})
    assert [d.id for d in client.devices_all({"assignedTo/id": "u1"})] == [DEVICE["id"]]
    assert fake.sent[0].query == {"$filter": "assignedTo/id eq 'u1'"}


def test_device_get_create_update_delete(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, DEVICE).reply(201, {**DEVICE, "status": "assigned"}).reply(204).reply(204)
    assert client.device_get("d 1").id == DEVICE["id"]
    created = client.device_create(
        serial_number="SN-000123",
        manufacturer="ExampleCo",
        model="OTP-6",
        secret_key="JBSWY3DPEHPK3PXP",
        display_name="Front desk",
        assign_to="u1",
    )
    assert created.status == TokenStatus.ASSIGNED
    client.device_update("d1", display_name="New", time_interval=60)
    client.device_delete("d1")
    get, create, update, delete = fake.sent
    assert get.path == f"{DEVICES}/d%201"
    assert (create.method, create.path) == ("POST", DEVICES)
    assert create.json == {
        "serialNumber": "SN-000123",
        "manufacturer": "ExampleCo",
        "model": "OTP-6",
        "secretKey": "JBSWY3DPEHPK3PXP",
        "timeIntervalInSeconds": 30,
        "hashFunction": "hmacsha1",
        "displayName": "Front desk",
        "assignTo": {"id": "u1"},
    }
    assert (update.method, update.path, update.json) == (
        "PATCH",
        f"{DEVICES}/d1",
        {"displayName": "New", "timeIntervalInSeconds": 60},
    )
    assert (delete.method, delete.path) == ("DELETE", f"{DEVICES}/d1")


def test_device_update_rejects_unknown_fields(client: GraphClient, fake: FakeGraph) -> None:
    with pytest.raises(TypeError, match="secret_key"):
        client.device_update("d1", secret_key="X")
    with pytest.raises(TypeError):
        client.device_update("d1")
    assert fake.sent == []


def test_device_create_is_not_resent_after_504(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(504)
    with pytest.raises(GraphServerError):
        client.device_create(serial_number="S", manufacturer="M", model="X", secret_key="JBSWY3DP")
    assert len(fake.sent) == 1


# -- bulk -------------------------------------------------------------------------------------------

ITEMS = [
    {
        "serialNumber": "SN-1",
        "manufacturer": "M",
        "model": "X",
        "secretKey": "JBSWY3DP",
        "timeIntervalInSeconds": 30,
    },
    {
        "serialNumber": "SN-2",
        "manufacturer": "M",
        "model": "X",
        "secretKey": "KRSXG5CT",
        "timeIntervalInSeconds": 60,
    },
    {
        "serialNumber": "SN-3",
        "manufacturer": "M",
        "model": "X",
        "secretKey": "bad!",
        "timeIntervalInSeconds": 30,
    },
]


def _device(serial: str, **extra: Any) -> dict[str, Any]:
    return {**DEVICE, "id": f"id-{serial}", "serialNumber": serial, "status": "available", **extra}


def test_bulk_create_flat_200_with_per_item_errors(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(
        200,
        {
            "@context": "#$delta",
            "value": [
                {"@contentId": "2", **_device("SN-2")},
                {
                    "@contentId": "3",
                    "error": {"code": "invalidRequest", "message": "secretKey is not Base32"},
                },
                {"@contentId": "1", **_device("SN-1")},
            ],
        },
    )
    results = client.devices_bulk_create(ITEMS)
    sent = fake.sent[0]
    assert (sent.method, sent.path) == ("PATCH", DEVICES)
    assert sent.json["@context"] == "#$delta"
    assert [item["@contentId"] for item in sent.json["value"]] == ["1", "2", "3"]
    assert [r.content_id for r in results] == ["1", "2", "3"]
    assert [r.ok for r in results] == [True, True, False]
    assert results[0].device is not None
    assert results[0].device.serial_number == "SN-1"
    assert (results[2].error_code, results[2].error_message) == ("invalidRequest", "secretKey is not Base32")


def test_bulk_create_doc_shape_201(client: GraphClient, fake: FakeGraph) -> None:
    wrapper = "#microsoft.graph.hardwareOathAuthenticationMethod"
    fake.reply(
        201,
        {"value": [{"@odata.type": wrapper, "id": f"id-{s}", "device": _device(s)} for s in ("SN-1", "SN-2")]},
    )
    results = client.devices_bulk_create([{**item, "@contentId": f"row-{i}"} for i, item in enumerate(ITEMS[:2])])
    assert [(r.content_id, r.device.serial_number if r.device else None) for r in results] == [
        ("row-0", "SN-1"),
        ("row-1", "SN-2"),
    ]


def test_bulk_create_missing_results(client: GraphClient, fake: FakeGraph) -> None:
    # No @contentId echoed: correlate by serial number; an item with no answer is reported as such.
    fake.reply(200, {"value": [_device("SN-3"), _device("SN-1")]})
    results = client.devices_bulk_create(ITEMS)
    assert [(r.content_id, r.ok, r.error_code) for r in results] == [
        ("1", True, None),
        ("2", False, "noResult"),
        ("3", True, None),
    ]


def test_bulk_create_is_resent_after_503_only(client: GraphClient, fake: FakeGraph, sleeps: list[float]) -> None:
    fake.reply(503, headers={"Retry-After": "1"}).reply(200, {"value": []}).reply(504)
    assert [r.error_code for r in client.devices_bulk_create(ITEMS[:1])] == ["noResult"]
    with pytest.raises(GraphServerError):
        client.devices_bulk_create(ITEMS[:1])
    assert len(fake.sent) == 3


@pytest.mark.parametrize("body", [{"value": "nope"}, [], {"value": ["x"]}])
def test_bulk_create_malformed(client: GraphClient, fake: FakeGraph, body: Any) -> None:
    fake.reply(200, body)
    with pytest.raises(GraphBadResponse):
        client.devices_bulk_create(ITEMS[:1])


def test_bulk_create_of_nothing_asks_nothing(client: GraphClient, fake: FakeGraph) -> None:
    assert client.devices_bulk_create([]) == []
    assert fake.sent == []
