from __future__ import annotations

import pytest

from portal.graph.client import GraphClient
from portal.graph.errors import GraphBadResponse, GraphForeignURL
from tests.graph.conftest import BASE, FakeGraph

DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"
LINK_2 = f"{BASE}{DEVICES}?$filter=status+eq+%27available%27&$top=2&$skiptoken=p2"
LINK_3 = f"{BASE}{DEVICES}?$filter=status+eq+%27available%27&$top=2&$skiptoken=p3"


def test_iterate_follows_next_links_across_an_empty_page(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"@odata.count": 3, "value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": LINK_2})
    fake.reply(200, {"value": [], "@odata.nextLink": LINK_3})
    fake.reply(200, {"value": [{"id": "c"}]})
    items = list(client.iterate(DEVICES, {"$filter": "status eq 'available'", "$top": 2}))
    assert [item["id"] for item in items] == ["a", "b", "c"]
    assert [sent.url for sent in fake.sent[1:]] == [LINK_2, LINK_3]  # verbatim
    assert fake.sent[0].query == {"$filter": "status eq 'available'", "$top": "2"}


def test_get_page_returns_count_and_link(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"@odata.count": 7, "value": [{"id": "a"}], "@odata.nextLink": LINK_2})
    assert client.get_page(DEVICES, {"$count": "true"}) == ([{"id": "a"}], LINK_2, 7)


def test_next_link_with_params_is_a_bug(client: GraphClient) -> None:
    with pytest.raises(ValueError, match="nextLink"):
        client.get_page(LINK_2, {"$top": 5})


def test_next_link_to_a_foreign_host_is_refused(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"value": [{"id": "a"}], "@odata.nextLink": "https://attacker.example/beta/steal"})
    iterator = client.iterate(DEVICES)
    assert next(iterator) == {"id": "a"}
    with pytest.raises(GraphForeignURL):
        next(iterator)
    assert len(fake.sent) == 1  # the token never left for the foreign host


def test_repeating_next_link_stops(client: GraphClient, fake: FakeGraph) -> None:
    fake.reply(200, {"value": [], "@odata.nextLink": LINK_2}).reply(200, {"value": [], "@odata.nextLink": LINK_2})
    with pytest.raises(GraphBadResponse, match="repeats"):
        list(client.iterate(DEVICES))


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"items": []},
        {"value": {"id": "a"}},
        {"value": ["a"]},
        {"value": [], "@odata.nextLink": 5},
        {"value": [], "@odata.count": "3"},
    ],
)
def test_malformed_collections(client: GraphClient, fake: FakeGraph, body: object) -> None:
    fake.reply(200, body)
    with pytest.raises(GraphBadResponse) as info:
        client.get_page(DEVICES)
    assert info.value.status == 200
