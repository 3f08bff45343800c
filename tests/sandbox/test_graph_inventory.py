"""The token inventory, D1-D9: shapes, filters, paging, $top limits, create/bulk/update/delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from portal.sandbox.models import HardwareToken
from tests.sandbox.conftest import GRAPH, Directory, GraphClient, json_of, random_secret
from tests.support.sandbox import sandbox

DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"
DEVICE_KEYS = {
    "@odata.type",
    "id",
    "displayName",
    "serialNumber",
    "manufacturer",
    "model",
    "secretKey",
    "timeIntervalInSeconds",
    "status",
    "lastUsedDateTime",
    "hashFunction",
    "assignedTo",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy_admin(directory: Directory, graph: Callable[..., GraphClient]) -> GraphClient:
    return graph(directory.policy_admin)


def new_device(serial: str = "SN-NEW-1", **overrides: Any) -> dict[str, Any]:
    body = {
        "serialNumber": serial,
        "manufacturer": "Contoso",
        "model": "OTP-6",
        "secretKey": random_secret(),
        "timeIntervalInSeconds": 30,
        "hashFunction": "hmacsha1",
    }
    body.update(overrides)
    return body


# --- D1 list / D4 get: shapes ---------------------------------------------------------------------


def test_list_returns_flat_devices(
    policy_admin: GraphClient, make_token: Callable[..., HardwareToken], directory: Directory
) -> None:
    make_token(serial="SN-A")
    make_token(serial="SN-B", status="assigned", assigned_to=directory.employee, display_name="Amy's")

    response = policy_admin.get(DEVICES)

    assert response.status_code == 200
    body = json_of(response)
    assert body["@odata.context"] == f"{GRAPH}/$metadata#directory/authenticationMethodDevices/hardwareOathDevices"
    assert "@odata.nextLink" not in body
    first, second = body["value"]
    assert set(first) == DEVICE_KEYS
    assert first["@odata.type"] == "#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice"
    assert first["serialNumber"] == "SN-A"
    assert first["secretKey"] is None
    assert first["assignedTo"] is None
    assert first["status"] == "available"
    assert first["timeIntervalInSeconds"] == 30
    assert first["hashFunction"] == "hmacsha1"
    assert first["lastUsedDateTime"] is None
    assert second["assignedTo"] == {"id": str(directory.employee.id), "displayName": "Amy Employee"}
    assert second["status"] == "assigned"
    assert second["displayName"] == "Amy's"


def test_get_one_device(policy_admin: GraphClient, make_token: Callable[..., HardwareToken]) -> None:
    token = make_token(serial="SN-GET", interval=60, hash_function="hmacsha256")

    response = policy_admin.get(f"{DEVICES}/{token.id}")

    assert response.status_code == 200
    body = json_of(response)
    assert body["@odata.context"].endswith("#directory/authenticationMethodDevices/hardwareOathDevices/$entity")
    assert body["id"] == str(token.id)
    assert body["timeIntervalInSeconds"] == 60
    assert body["hashFunction"] == "hmacsha256"
    assert body["secretKey"] is None


@pytest.mark.parametrize("device_id", ["00000000-0000-0000-0000-000000000000", "not-a-guid"])
def test_get_unknown_device_is_404(policy_admin: GraphClient, device_id: str) -> None:
    response = policy_admin.get(f"{DEVICES}/{device_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "itemNotFound"


def test_select(policy_admin: GraphClient, make_token: Callable[..., HardwareToken]) -> None:
    token = make_token(serial="SN-SEL")
    body = policy_admin.get(DEVICES, params={"$select": "serialNumber,id"}).json()
    assert body["value"] == [
        {
            "@odata.type": "#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice",
            "id": str(token.id),
            "serialNumber": "SN-SEL",
        }
    ]
    assert body["@odata.context"].endswith("hardwareOathDevices(serialNumber,id)")
    one = policy_admin.get(f"{DEVICES}/{token.id}", params={"$select": "status"}).json()
    assert one["status"] == "available"
    assert "serialNumber" not in one


def test_select_unknown_property_is_400(policy_admin: GraphClient) -> None:
    response = policy_admin.get(DEVICES, params={"$select": "serialNumber,colour"})
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["message"]


def test_unsupported_query_option_is_400(policy_admin: GraphClient) -> None:
    response = policy_admin.get(DEVICES, params={"$orderby": "serialNumber"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"


# --- D1 filters ---------------------------------------------------------------------------------


@pytest.fixture
def filter_set(make_token: Callable[..., HardwareToken], directory: Directory) -> dict[str, HardwareToken]:
    return {
        "a": make_token(serial="TOTP-A"),
        "b": make_token(serial="TOTP-B", interval=60, hash_function="hmacsha256"),
        "c": make_token(serial="TOTP-C", status="activated", assigned_to=directory.employee),
        "d": make_token(serial="TOTP-D", status="assigned", assigned_to=directory.colleague),
    }


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("serialNumber eq 'TOTP-B'", ["b"]),
        ("serialNumber eq 'totp-b'", ["b"]),  # case-insensitive, like Graph's directory
        ("status eq 'activated'", ["c"]),
        ("status eq 'available'", ["a", "b"]),
        ("hashFunction eq 'hmacsha256'", ["b"]),
        ("timeIntervalInSeconds eq 60", ["b"]),
        ("manufacturer eq 'Contoso' and model eq 'OTP-6'", ["a", "b", "c", "d"]),
        ("status eq 'available' and timeIntervalInSeconds eq 30", ["a"]),
        ("(status eq 'assigned') and manufacturer eq 'Contoso'", ["d"]),
        ("serialNumber eq 'nope'", []),
        ("assignedTo/id eq '00000000-0000-0000-0000-000000000000'", []),
        # The evolvable-enum sentinel is a valid member of both enumerations, held by no token.
        ("status eq 'unknownFutureValue'", []),
        ("hashFunction eq 'unknownFutureValue'", []),
        ("status eq 'unknownFutureValue' and timeIntervalInSeconds eq 30", []),
    ],
)
def test_filters(
    policy_admin: GraphClient, filter_set: dict[str, HardwareToken], expression: str, expected: list[str]
) -> None:
    response = policy_admin.get(DEVICES, params={"$filter": expression})
    assert response.status_code == 200, response.text
    ids = [item["id"] for item in response.json()["value"]]
    assert ids == [str(filter_set[key].id) for key in expected]


def test_filter_by_assigned_user(
    policy_admin: GraphClient, filter_set: dict[str, HardwareToken], directory: Directory
) -> None:
    response = policy_admin.get(DEVICES, params={"$filter": f"assignedTo/id eq '{directory.colleague.id}'"})
    assert [item["serialNumber"] for item in response.json()["value"]] == ["TOTP-D"]


@pytest.mark.parametrize(
    "expression",
    [
        "serialNumber ne 'x'",
        "status eq 'broken'",
        "colour eq 'red'",
        "serialNumber eq 'a' or serialNumber eq 'b'",
        "startswith(serialNumber,'TOTP')",
        "timeIntervalInSeconds eq '30'",
        "serialNumber eq",
        "serialNumber eq 'unterminated",
    ],
)
def test_bad_filters_are_400(policy_admin: GraphClient, expression: str) -> None:
    response = policy_admin.get(DEVICES, params={"$filter": expression})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"


def test_count_endpoint_and_count_option(policy_admin: GraphClient, filter_set: dict[str, HardwareToken]) -> None:
    response = policy_admin.get(f"{DEVICES}/$count")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "4"
    assert policy_admin.get(f"{DEVICES}/$count", params={"$filter": "status eq 'available'"}).text == "2"
    body = policy_admin.get(DEVICES, params={"$count": "true", "$filter": "status eq 'available'"}).json()
    assert body["@odata.count"] == 2


# --- D1 paging ------------------------------------------------------------------------------------


@pytest.fixture
def many_tokens(db: None) -> int:
    HardwareToken.objects.bulk_create(
        HardwareToken(
            serial_number=f"BULK-{n:04d}",
            manufacturer="Contoso",
            model="OTP-6",
            secret_key="JBSWY3DPEHPK3PXP",
            time_interval=30 if n % 3 else 60,
        )
        for n in range(260)
    )
    return 260


def test_paging_follows_next_link_verbatim(policy_admin: GraphClient, many_tokens: int) -> None:
    url = f"{GRAPH}{DEVICES}?$count=true&$select=serialNumber,id"
    serials: list[str] = []
    pages = 0
    counts: list[Any] = []
    while url:
        response = policy_admin.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        counts.append(body.get("@odata.count"))
        serials += [item["serialNumber"] for item in body["value"]]
        assert all(set(item) == {"@odata.type", "id", "serialNumber"} for item in body["value"])
        url = body.get("@odata.nextLink")
        pages += 1
        if url:
            query = parse_qs(urlsplit(url).query)
            assert url.startswith(f"{GRAPH}{DEVICES}?")
            assert query["$select"] == ["serialNumber,id"]
            assert query["$count"] == ["true"]
            assert "$skiptoken" in query
    assert pages == 3  # default page size 100
    assert counts == [260, None, None]  # @odata.count on the first page only
    assert serials == [f"BULK-{n:04d}" for n in range(260)]


def test_paging_keeps_filter_and_top(policy_admin: GraphClient, many_tokens: int) -> None:
    expected = HardwareToken.objects.filter(time_interval=60).count()
    url = f"{GRAPH}{DEVICES}?$filter=timeIntervalInSeconds eq 60&$top=25"
    seen = 0
    pages = 0
    while url:
        body = policy_admin.get(url).json()
        assert len(body["value"]) <= 25
        assert all(item["timeIntervalInSeconds"] == 60 for item in body["value"])
        seen += len(body["value"])
        pages += 1
        url = body.get("@odata.nextLink")
    assert seen == expected
    assert pages == -(-expected // 25)


def test_next_link_uses_the_callers_base_url(policy_admin: GraphClient, many_tokens: int) -> None:
    from portal.sandbox.graph.app import handle
    from portal.sandbox.http import SandboxRequest

    response = handle(
        SandboxRequest(
            method="GET",
            base_url="http://127.0.0.1:8000/sandbox/graph",
            path=f"/beta{DEVICES}",
            query_string="$top=10",
            headers={"Authorization": f"Bearer {policy_admin.token}"},
        )
    )
    import json

    body = json.loads(response.body)
    assert body["@odata.nextLink"].startswith(f"http://127.0.0.1:8000/sandbox/graph/beta{DEVICES}?$top=10&$skiptoken=")
    assert body["@odata.context"].startswith("http://127.0.0.1:8000/sandbox/graph/beta/$metadata#")


@pytest.mark.parametrize(("top", "status"), [("999", 200), ("1000", 400), ("0", 400), ("-1", 400), ("ten", 400)])
def test_top_limits(policy_admin: GraphClient, many_tokens: int, top: str, status: int) -> None:
    response = policy_admin.get(DEVICES, params={"$top": top})
    assert response.status_code == status
    if status == 200:
        assert len(response.json()["value"]) == 260
        assert "@odata.nextLink" not in response.json()


def test_page_size_and_max_top_are_switches(policy_admin: GraphClient, many_tokens: int, settings: Any) -> None:
    sandbox(settings, PAGE_SIZE=50, MAX_TOP=60)
    assert len(policy_admin.get(DEVICES).json()["value"]) == 50
    assert policy_admin.get(DEVICES, params={"$top": "61"}).status_code == 400


def test_garbage_skiptoken_is_400(policy_admin: GraphClient) -> None:
    assert policy_admin.get(DEVICES, params={"$skiptoken": "%%%"}).status_code == 400


# --- D2 create ----------------------------------------------------------------------------------


def test_create(policy_admin: GraphClient, known_secrets: list[str]) -> None:
    body = new_device(displayName="Front desk")
    known_secrets.append(body["secretKey"])

    response = policy_admin.post(DEVICES, json=body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) == DEVICE_KEYS | {"@odata.context"}
    assert created["secretKey"] is None
    assert created["status"] == "available"
    assert created["displayName"] == "Front desk"
    assert response.headers["Location"] == f"{GRAPH}{DEVICES}/{created['id']}"
    stored = HardwareToken.objects.get(pk=created["id"])
    assert stored.secret_key == body["secretKey"]


def test_create_defaults_and_tolerances(policy_admin: GraphClient) -> None:
    body = new_device(secretKey="jbsw y3dp ehpk 3pxp mfrgg===", timeIntervalInSeconds="60")
    del body["hashFunction"]
    response = policy_admin.post(DEVICES, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["hashFunction"] == "hmacsha1"
    assert response.json()["timeIntervalInSeconds"] == 60
    assert HardwareToken.objects.get(pk=response.json()["id"]).secret_key == "JBSWY3DPEHPK3PXPMFRGG"


def test_create_accepts_upper_case_hash_function(policy_admin: GraphClient) -> None:
    response = policy_admin.post(DEVICES, json=new_device(hashFunction="HMACSHA256"))
    assert response.json()["hashFunction"] == "hmacsha256"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"serialNumber": None}, "serialNumber"),
        ({"manufacturer": ""}, "manufacturer"),
        ({"model": None}, "model"),
        ({"secretKey": None}, "secretKey"),
        ({"secretKey": "JBSWY3DPEHPK3PX1"}, "Base32"),
        ({"secretKey": "A" * 136}, "Base32"),
        ({"timeIntervalInSeconds": 45}, "30 or 60"),
        ({"timeIntervalInSeconds": "thirty"}, "30 or 60"),
        ({"timeIntervalInSeconds": None}, "timeIntervalInSeconds"),
        ({"hashFunction": "md5"}, "hashFunction"),
        ({"status": "activated"}, "read-only"),
        ({"colour": "red"}, "does not exist"),
        ({"assignTo": "someone"}, "assignTo"),
    ],
)
def test_create_validation(policy_admin: GraphClient, change: dict[str, Any], fragment: str) -> None:
    body = new_device(**change)
    response = policy_admin.post(DEVICES, json={k: v for k, v in body.items() if v is not None or k in change})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalidRequest"
    assert fragment in error["message"]
    assert HardwareToken.objects.count() == 0


def test_create_error_never_echoes_the_secret(policy_admin: GraphClient) -> None:
    secret = "JBSWY3DPEHPK3PX1QRST"
    response = policy_admin.post(DEVICES, json=new_device(secretKey=secret))
    assert response.status_code == 400
    assert secret not in response.text
    assert "PX1" not in response.text


def test_duplicate_serial_is_409(
    policy_admin: GraphClient, make_token: Callable[..., HardwareToken], settings: Any
) -> None:
    make_token(serial="SN-DUP")
    response = policy_admin.post(DEVICES, json=new_device("sn-dup"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "serialNumberAlreadyExists"
    sandbox(settings, UNIQUE_SERIALS=False)
    assert policy_admin.post(DEVICES, json=new_device("SN-DUP")).status_code == 201


def test_a_serial_with_accents_is_taken_exactly(policy_admin: GraphClient) -> None:
    """A repeated serial with non-ASCII letters is refused, one by one and in bulk, like any other."""
    assert policy_admin.post(DEVICES, json=new_device("ÄÖ-SN-1")).status_code == 201

    again = policy_admin.post(DEVICES, json=new_device("ÄÖ-SN-1"))
    bulk = policy_admin.patch(
        DEVICES, json={"@context": "#$delta", "value": [new_device("ÄÖ-SN-2"), new_device("ÄÖ-SN-1")]}
    )

    assert again.json()["error"]["code"] == "serialNumberAlreadyExists"
    codes = [item.get("error", {}).get("code") for item in bulk.json()["value"]]
    assert codes == [None, "serialNumberAlreadyExists"]


def test_create_with_assign_to(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    # Authentication Policy Administrator + Authentication Administrator: may create and assign.
    directory.policy_admin.roles = [*directory.policy_admin.roles, "c4e39bd9-1100-46d3-8c65-fb160da0071f"]
    directory.policy_admin.save()
    client = graph(directory.policy_admin)

    response = client.post(DEVICES, json=new_device(assignTo={"id": str(directory.employee.id)}))

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "assigned"
    assert response.json()["assignedTo"] == {"id": str(directory.employee.id), "displayName": "Amy Employee"}
    # ...but not onto an admin (needs Privileged Authentication Administrator).
    denied = client.post(DEVICES, json=new_device("SN-2", assignTo={"id": str(directory.helpdesk.id)}))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "accessDenied"
    assert not HardwareToken.objects.filter(serial_number="SN-2").exists()


def test_create_with_assign_to_needs_the_user_method_rights(policy_admin: GraphClient, directory: Directory) -> None:
    response = policy_admin.post(DEVICES, json=new_device(assignTo={"id": str(directory.employee.id)}))
    assert response.status_code == 403
    assert HardwareToken.objects.count() == 0


def test_create_with_assign_to_guest_is_rejected(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    client = graph(directory.global_admin)
    response = client.post(DEVICES, json=new_device(assignTo={"id": str(directory.guest.id)}))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "guestUserNotSupported"
    assert HardwareToken.objects.count() == 0


# --- D3 bulk ------------------------------------------------------------------------------------


def test_bulk_create_partial_success(
    directory: Directory, graph: Callable[..., GraphClient], make_token: Callable[..., HardwareToken]
) -> None:
    make_token(serial="SN-TAKEN")
    client = graph(directory.global_admin)
    items = [
        {"@contentId": "1", **new_device("SN-1")},
        {"@contentId": "2", **new_device("SN-2", secretKey="not base32!")},
        {
            "@contentId": "3",
            **new_device("SN-3", timeIntervalInSeconds="60", assignTo={"id": str(directory.employee.id)}),
        },
        {"@contentId": "4", **new_device("SN-TAKEN")},
        {"@contentId": "5", **new_device("SN-5", assignTo={"id": "00000000-0000-0000-0000-000000000000"})},
    ]

    response = client.patch(DEVICES, json={"@context": "#$delta", "value": items})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@context"] == "#$delta"
    results = body["value"]
    assert [item["@contentId"] for item in results] == ["1", "2", "3", "4", "5"]
    assert results[0]["serialNumber"] == "SN-1"
    assert results[0]["secretKey"] is None
    assert results[0]["status"] == "available"
    assert results[1]["error"]["code"] == "invalidRequest"
    assert "not base32" not in response.text
    assert results[2]["status"] == "assigned"
    assert results[2]["timeIntervalInSeconds"] == 60
    assert results[3]["error"]["code"] == "serialNumberAlreadyExists"
    assert results[4]["error"]["code"] == "Request_ResourceNotFound"
    assert sorted(HardwareToken.objects.values_list("serial_number", flat=True)) == [
        "SN-1",
        "SN-3",
        "SN-TAKEN",
    ]


def test_bulk_create_judges_items_in_request_order(
    directory: Directory, graph: Callable[..., GraphClient], make_token: Callable[..., HardwareToken]
) -> None:
    """Written in one go, answered as if one by one: a serial repeated within the request (or
    differing only in case from one already there) loses to the first; an item that failed frees
    its serial for a later one."""
    make_token(serial="SN-OLD")
    client = graph(directory.global_admin)
    items = [
        {"@contentId": "a", **new_device("sn-old")},
        {"@contentId": "b", **new_device("SN-NEW")},
        {"@contentId": "c", **new_device("sn-new")},
        {"@contentId": "d", **new_device("SN-X", assignTo={"id": "00000000-0000-0000-0000-000000000000"})},
        {"@contentId": "e", **new_device("SN-X", assignTo={"id": str(directory.employee.id)})},
        {"@contentId": "f", **new_device("sn-x")},
    ]

    response = client.patch(DEVICES, json={"@context": "#$delta", "value": items})

    results = response.json()["value"]
    assert [item["@contentId"] for item in results] == ["a", "b", "c", "d", "e", "f"]
    codes = [item.get("error", {}).get("code") for item in results]
    assert codes == [
        "serialNumberAlreadyExists",
        None,
        "serialNumberAlreadyExists",
        "Request_ResourceNotFound",
        None,
        "serialNumberAlreadyExists",
    ]
    stored = {token.serial_number: token for token in HardwareToken.objects.all()}
    assert sorted(stored) == ["SN-NEW", "SN-OLD", "SN-X"]
    assert results[1]["id"] == str(stored["SN-NEW"].id)
    assert stored["SN-X"].assigned_to == directory.employee


def test_bulk_created_tokens_read_back_as_answered(policy_admin: GraphClient) -> None:
    """Written in one go, every created token is stored whole: reading it back gives exactly the
    answer its item got, and it keeps the secret it was sent."""
    items = [
        {"@contentId": "1", **new_device("SN-BULK-1", displayName="Desk drawer")},
        {"@contentId": "2", **new_device("SN-BULK-2", timeIntervalInSeconds=60, hashFunction="hmacsha256")},
        {"@contentId": "3", **new_device("SN-BULK-3")},
    ]
    before = timezone.now()

    response = policy_admin.patch(DEVICES, json={"@context": "#$delta", "value": items})

    answers = response.json()["value"]
    assert [answer["serialNumber"] for answer in answers] == ["SN-BULK-1", "SN-BULK-2", "SN-BULK-3"]
    for item, answer in zip(items, answers, strict=True):
        stored = policy_admin.get(f"{DEVICES}/{answer['id']}").json()
        stored.pop("@odata.context")
        assert {"@contentId": item["@contentId"], **stored} == answer
        token = HardwareToken.objects.get(pk=answer["id"])
        assert token.secret_key == item["secretKey"]
        assert before <= token.created_at <= timezone.now()
    assert answers[0]["displayName"] == "Desk drawer"
    assert (answers[1]["timeIntervalInSeconds"], answers[1]["hashFunction"]) == (60, "hmacsha256")
    assert {answer["status"] for answer in answers} == {"available"}


def test_bulk_status_switch(policy_admin: GraphClient, settings: Any) -> None:
    sandbox(settings, BULK_STATUS=201)
    response = policy_admin.patch(DEVICES, json={"@context": "#$delta", "value": [new_device()]})
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body",
    [{"value": [{"serialNumber": "x"}]}, {"@context": "#$delta", "value": []}, {"@context": "#$delta"}],
)
def test_bulk_needs_a_delta_payload(policy_admin: GraphClient, body: dict[str, Any]) -> None:
    response = policy_admin.patch(DEVICES, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidRequest"


# --- D5 update / D6 delete / D7 assignTo / D9 --------------------------------------------------


def test_update_unassigned(policy_admin: GraphClient, make_token: Callable[..., HardwareToken]) -> None:
    token = make_token()
    response = policy_admin.patch(
        f"{DEVICES}/{token.id}",
        json={
            "displayName": "Spare",
            "timeIntervalInSeconds": 60,
            "hashFunction": "hmacsha256",
            "model": "OTP-8",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    token.refresh_from_db()
    assert (token.display_name, token.time_interval, token.hash_function, token.model) == (
        "Spare",
        60,
        "hmacsha256",
        "OTP-8",
    )


@pytest.mark.parametrize("field", ["serialNumber", "secretKey"])
def test_serial_and_secret_are_not_updatable(
    policy_admin: GraphClient, make_token: Callable[..., HardwareToken], field: str
) -> None:
    token = make_token(serial="SN-KEEP")
    response = policy_admin.patch(f"{DEVICES}/{token.id}", json={field: "MFRGG"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidRequest"
    token.refresh_from_db()
    assert token.serial_number == "SN-KEEP"


@pytest.mark.parametrize("status", ["assigned", "activated", "failedActivation"])
def test_update_and_delete_need_an_unassigned_token(
    policy_admin: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken], status: str
) -> None:
    token = make_token(status=status, assigned_to=directory.employee)
    update = policy_admin.patch(f"{DEVICES}/{token.id}", json={"model": "X"})
    delete = policy_admin.delete(f"{DEVICES}/{token.id}")
    assert (update.status_code, delete.status_code) == (400, 400)
    assert update.json()["error"]["code"] == delete.json()["error"]["code"] == "deviceMustBeUnassigned"
    assert HardwareToken.objects.get(pk=token.pk).model == "OTP-6"


def test_delete(policy_admin: GraphClient, make_token: Callable[..., HardwareToken]) -> None:
    token = make_token()
    response = policy_admin.delete(f"{DEVICES}/{token.id}")
    assert response.status_code == 204
    assert not HardwareToken.objects.filter(pk=token.pk).exists()
    assert policy_admin.delete(f"{DEVICES}/{token.id}").status_code == 404


def test_assign_to_navigation(
    policy_admin: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    assigned = make_token(status="assigned", assigned_to=directory.employee)
    free = make_token()
    response = policy_admin.get(f"{DEVICES}/{assigned.id}/assignTo")
    assert response.status_code == 200
    assert response.json()["id"] == str(directory.employee.id)
    assert response.json()["userPrincipalName"] == "amy.employee@contoso.test"
    assert policy_admin.get(f"{DEVICES}/{free.id}/assignTo").status_code == 404


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_container_singleton_is_405(policy_admin: GraphClient, method: str) -> None:
    response = policy_admin.request(method, "/directory/authenticationMethodDevices")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "Request_BadRequest"


def test_put_on_collection_is_405(policy_admin: GraphClient) -> None:
    assert policy_admin.put(DEVICES, json={}).status_code == 405
