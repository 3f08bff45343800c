"""Typed calls: the same builder goes direct or into a `$batch`, and every result carries its request-id."""

from __future__ import annotations

import pytest

from portal.graph import calls
from portal.graph.client import GraphClient
from portal.graph.errors import GraphBadResponse, GraphFailedDependency, GraphForeignURL, GraphNotFound
from tests.graph.conftest import BASE, FakeGraph, graph_error
from tests.graph.test_types import DEVICE

USER = {"id": "u1", "displayName": "Amy", "userPrincipalName": "amy@contoso.example"}
METHOD = {"id": "m1", "device": DEVICE}


def test_a_direct_call_returns_its_value_and_request_id(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(204, headers={"request-id": "r-write"})
    done = client.call(calls.method_activate("u1", "m1", "123456"))
    assert (done.value, done.request_id) == (None, "r-write")
    assert fake.sent[0].json == {"verificationCode": "123456"}


def test_a_direct_call_raises_its_error(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(404, graph_error("itemNotFound", request_id="r-404"))
    with pytest.raises(GraphNotFound) as info:
        client.call(calls.device_get("gone"))
    assert info.value.request_id == "r-404"


def test_a_batch_gives_typed_results_in_order_with_their_request_ids(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(
        200,
        {
            "responses": [
                {"id": "1", "status": 200, "headers": {"request-id": "r-methods"}, "body": {"value": [METHOD]}},
                {"id": "0", "status": 200, "body": USER},
            ]
        },
        headers={"request-id": "r-batch"},
    )
    user, methods = client.batch(calls.user_get("u1"), calls.methods_list("u1"))
    assert user.value.user_principal_name == "amy@contoso.example"
    assert user.request_id == "r-batch"  # no id of its own: the $batch call's
    assert [m.id for m in methods.value] == ["m1"]
    assert methods.request_id == "r-methods"
    members = fake.sent[0].json["requests"]
    assert [(m["method"], m["url"]) for m in members] == [
        (
            "GET",
            "/users/u1?$select=id%2CdisplayName%2CuserPrincipalName%2Cmail%2CjobTitle%2Cdepartment%2CuserType%2CaccountEnabled",
        ),
        ("GET", "/users/u1/authentication/hardwareOathMethods"),
    ]


def test_the_same_builder_sends_the_same_request_direct_and_batched(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(201, DEVICE).reply(200, {"responses": [{"id": "0", "status": 201, "body": DEVICE}]})
    build = {"serial_number": "SN-1", "manufacturer": "M", "model": "X", "secret_key": "JBSWY3DP"}
    client.call(calls.device_create(**build))
    client.batch(calls.device_create(**build))
    direct, batched = fake.sent[0], fake.sent[1].json["requests"][0]
    assert (batched["method"], BASE + batched["url"], batched["body"]) == (direct.method, direct.url, direct.json)


def test_a_failed_member_is_a_result_holding_its_error(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(
        200,
        {
            "responses": [
                {"id": "0", "status": 404, "body": graph_error("itemNotFound", request_id="r-gone")},
                {"id": "1", "status": 424},
            ]
        },
    )
    read = calls.method_get(None, "m1")
    held, activated = client.batch(read, calls.method_activate(None, "m1", "123456").after(read))
    assert fake.sent[0].json["requests"][1]["dependsOn"] == ["0"]
    assert not held.ok
    assert isinstance(held.error, GraphNotFound)
    assert held.request_id == "r-gone"
    with pytest.raises(GraphFailedDependency):
        activated.raise_for_error()


def test_an_unreadable_member_is_a_bad_response_with_its_request_id(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"responses": [{"id": "0", "status": 200, "headers": {"request-id": "r-odd"}, "body": []}]})
    (device,) = client.batch(calls.device_get("d1"))
    assert isinstance(device.error, GraphBadResponse)
    assert device.request_id == "r-odd"


def test_a_member_collection_follows_its_next_link(client: GraphClient, fake: FakeGraph) -> None:
    link = f"{BASE}/me/authentication/hardwareOathMethods?$skiptoken=2"
    fake.reply(200, {"responses": [{"id": "0", "status": 200, "body": {"value": [METHOD], "@odata.nextLink": link}}]})
    fake.reply(200, {"value": [{**METHOD, "id": "m2"}]})
    (methods,) = client.batch(calls.methods_list())
    assert [m.id for m in methods.value] == ["m1", "m2"]
    assert fake.sent[1].url == link


def test_a_next_link_goes_into_a_batch_relative_and_a_foreign_one_not_at_all(
    client: GraphClient, fake: FakeGraph
) -> None:
    fake.reply(200, {"responses": [{"id": "0", "status": 200, "body": {"value": []}}]})
    client.batch(calls.devices_list(next_link=f"{BASE}{calls.DEVICES}?$skiptoken=X"))
    assert fake.sent[0].json["requests"][0]["url"] == f"{calls.DEVICES}?$skiptoken=X"
    with pytest.raises(GraphForeignURL):
        client.batch(calls.devices_list(next_link=f"https://evil.example/beta{calls.DEVICES}"))
    assert len(fake.sent) == 1


def test_a_batch_refuses_dependencies_outside_it_and_repeated_calls(client: GraphClient, fake: FakeGraph) -> None:
    read = calls.method_get(None, "m1")
    with pytest.raises(ValueError, match="not in this batch"):
        client.batch(calls.method_unassign(None, "m1").after(read))
    with pytest.raises(ValueError, match="twice"):
        client.batch(read, read)
    with pytest.raises(ValueError, match="only"):
        client.call(calls.method_unassign(None, "m1").after(read))
    assert fake.sent == []
    assert client.batch() == ()
