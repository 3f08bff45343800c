from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from portal.graph.errors import GraphBadResponse
from portal.graph.types import (
    DirectoryUser,
    HardwareOathDevice,
    HardwareOathMethod,
    Identity,
    TokenStatus,
    parse_datetime,
)

DEVICE = {
    "@odata.type": "#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice",
    "id": "5b2e6c1a-0d1e-4d7e-9a3b-0c5f4f7e2a11",
    "displayName": "Front desk token",
    "serialNumber": "SN-000123",
    "manufacturer": "ExampleCo",
    "model": "OTP-6",
    "secretKey": None,
    "timeIntervalInSeconds": 30,
    "status": "activated",
    "lastUsedDateTime": "2025-06-01T08:30:12.1234567Z",
    "hashFunction": "hmacsha1",
    "assignedTo": {"id": "u1", "displayName": "Amy Example"},
}


def test_device_parses_every_field() -> None:
    device = HardwareOathDevice.from_graph(DEVICE)
    assert device == HardwareOathDevice(
        id=DEVICE["id"],  # type: ignore[arg-type]
        serial_number="SN-000123",
        display_name="Front desk token",
        manufacturer="ExampleCo",
        model="OTP-6",
        time_interval=30,
        hash_function="hmacsha1",
        status=TokenStatus.ACTIVATED,
        assigned_to=Identity("u1", "Amy Example"),
        last_used=datetime(2025, 6, 1, 8, 30, 12, 123456, tzinfo=UTC),
    )


def test_device_nulls_and_unknown_future_values() -> None:
    data = {
        **DEVICE,
        "displayName": None,
        "lastUsedDateTime": None,
        "assignedTo": None,
        "status": "unknownFutureValue",
        "hashFunction": "hmacsha512",
    }
    device = HardwareOathDevice.from_graph(data)
    assert (device.display_name, device.last_used, device.assigned_to) == (None, None, None)
    assert device.status == "unknownFutureValue"
    assert device.status not in TokenStatus.KNOWN
    assert device.hash_function == "hmacsha512"


def test_device_accepts_doc_shapes() -> None:
    wrapped = {
        "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod",
        "id": "x",
        "device": DEVICE,
    }
    assert HardwareOathDevice.from_graph(wrapped).serial_number == "SN-000123"
    assert HardwareOathDevice.from_graph({"value": DEVICE}).id == DEVICE["id"]
    assert HardwareOathDevice.from_graph({**DEVICE, "timeIntervalInSeconds": "60"}).time_interval == 60


@pytest.mark.parametrize(
    "change",
    [
        {"id": None},
        {"id": 5},
        {"serialNumber": None},
        {"timeIntervalInSeconds": "thirty"},
        {"timeIntervalInSeconds": True},
        {"status": 3},
        {"assignedTo": "u1"},
        {"assignedTo": {"displayName": "no id"}},
        {"lastUsedDateTime": "yesterday"},
        {"lastUsedDateTime": 1700000000},
    ],
)
def test_device_shape_errors(change: dict[str, Any]) -> None:
    with pytest.raises(GraphBadResponse) as info:
        HardwareOathDevice.from_graph({**DEVICE, **change}, status=201)
    assert info.value.status == 201
    assert info.value.code == "badResponse"
    for value in change.values():
        if isinstance(value, str):
            assert value not in info.value.message  # names the field, never the value


@pytest.mark.parametrize("data", [None, [], "device", 5])
def test_not_an_object(data: object) -> None:
    with pytest.raises(GraphBadResponse):
        HardwareOathDevice.from_graph(data)


def test_method_with_and_without_device() -> None:
    method = HardwareOathMethod.from_graph(
        {
            "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod",
            "id": DEVICE["id"],
            "createdDateTime": "2025-05-01T10:00:00Z",
            "lastUsedDateTime": None,
            "device": DEVICE,
        }
    )
    assert method.created == datetime(2025, 5, 1, 10, tzinfo=UTC)
    assert method.device is not None
    assert method.device.serial_number == "SN-000123"
    bare = HardwareOathMethod.from_graph({"id": "m1", "createdDateTime": "2025-05-01T10:00:00.1Z"})
    assert bare.device is None
    assert bare.last_used is None
    with pytest.raises(GraphBadResponse):
        HardwareOathMethod.from_graph({"id": "m1", "device": "d1"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-01T08:30:12.1234567Z", datetime(2025, 6, 1, 8, 30, 12, 123456, tzinfo=UTC)),
        ("2025-06-01T08:30:12Z", datetime(2025, 6, 1, 8, 30, 12, tzinfo=UTC)),
        ("2025-06-01T08:30:12", datetime(2025, 6, 1, 8, 30, 12, tzinfo=UTC)),  # innerError.date: naive = UTC
        (
            "2025-06-01T08:30:12.5+02:00",
            datetime(2025, 6, 1, 8, 30, 12, 500000, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


def test_directory_user() -> None:
    user = DirectoryUser.from_graph(
        {
            "id": "u1",
            "displayName": "Amy Example",
            "userPrincipalName": "amy@contoso.example",
            "mail": None,
            "jobTitle": "Nurse",
            "department": None,
            "userType": "Member",
            "accountEnabled": True,
        }
    )
    assert user.user_principal_name == "amy@contoso.example"
    assert user.account_enabled is True
    assert DirectoryUser.from_graph({"id": "u2"}).display_name is None
    with pytest.raises(GraphBadResponse):
        DirectoryUser.from_graph({"id": "u3", "accountEnabled": "yes"})
