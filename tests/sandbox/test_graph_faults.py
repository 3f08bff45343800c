"""Fault injection: 429/503 with Retry-After, decided before the operation, repeatable with a seed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from portal.sandbox.graph import faults
from portal.sandbox.models import HardwareToken
from tests.sandbox.conftest import Directory, GraphClient
from tests.support.sandbox import sandbox

pytestmark = pytest.mark.django_db

DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"


@pytest.fixture
def admin(directory: Directory, graph: Callable[..., GraphClient]) -> GraphClient:
    return graph(directory.global_admin)


def test_throttling_answers_429_with_retry_after_and_graphs_body(admin: GraphClient, settings: Any) -> None:
    sandbox(settings, THROTTLE_RATE=1.0, RETRY_AFTER_SECONDS=2.128)
    response = admin.get("/me")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2.128"
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("TooManyRequests", "Please retry again later.")
    inner = error["innerError"]
    assert (inner["code"], inner["message"], inner["status"]) == ("429", "Please retry after", "429")
    assert inner["request-id"] == response.headers["request-id"]


def test_unavailable_answers_503(admin: GraphClient, settings: Any) -> None:
    sandbox(settings, UNAVAILABLE_RATE=1.0)
    response = admin.get("/me")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "serviceNotAvailable"


@pytest.mark.parametrize("fault", ["THROTTLE_RATE", "UNAVAILABLE_RATE"])
def test_a_faulted_write_had_no_effect(
    admin: GraphClient, settings: Any, fault: str, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token()
    sandbox(settings, **{fault: 1.0})
    assert admin.delete(f"{DEVICES}/{token.id}").status_code in {429, 503}
    assert admin.post(
        DEVICES,
        json={
            "serialNumber": "F-1",
            "manufacturer": "C",
            "model": "M",
            "secretKey": "MFRGG",
            "timeIntervalInSeconds": 30,
        },
    ).status_code in {429, 503}
    assert HardwareToken.objects.filter(pk=token.pk).exists()
    assert not HardwareToken.objects.filter(serial_number="F-1").exists()


def test_seeded_faults_are_repeatable(admin: GraphClient, settings: Any) -> None:
    sandbox(settings, THROTTLE_RATE=0.3, UNAVAILABLE_RATE=0.2, FAULT_SEED="42")

    def statuses() -> list[int]:
        faults.reset()
        return [admin.get("/me").status_code for _ in range(40)]

    first = statuses()
    assert first == statuses()
    assert set(first) == {200, 429, 503}  # with 40 draws at these rates all three occur for seed 42


def test_rates_are_roughly_honoured(admin: GraphClient, settings: Any) -> None:
    sandbox(settings, THROTTLE_RATE=0.5, FAULT_SEED="7")
    statuses = [admin.get("/me").status_code for _ in range(200)]
    assert 60 < statuses.count(429) < 140
    assert set(statuses) == {200, 429}


def test_latency(admin: GraphClient, settings: Any) -> None:
    sandbox(settings, LATENCY_MS=120)
    started = time.monotonic()
    admin.get("/me")
    assert time.monotonic() - started >= 0.12
