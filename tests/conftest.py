from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from portal.identity import discovery, msal_client
from portal.sandbox.seed import seed_demo_tenant
from tests.support.signin import signed_in_client

# Demo tenant people (portal.sandbox.seed), by what they can do.
EMPLOYEE = "adele.vance@contoso-sandbox.example"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every database test may touch the sandbox tenant's database as well as the portal's.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" not in marker.kwargs:
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "databases": "__all__"}), append=False
            )


@pytest.fixture(autouse=True)
def _fresh_http_state() -> Iterator[None]:
    # MSAL caches discovery (24 h) and 400 answers (60 s) in its shared http_cache; each test
    # starts from a clean transport so settings overrides and earlier failures don't leak in.
    msal_client.reset_http_state()
    discovery.reset()
    yield
    msal_client.reset_http_state()
    discovery.reset()


@pytest.fixture
def demo_tenant(db: None) -> None:
    seed_demo_tenant(reset=True)


@pytest.fixture
def employee_client(demo_tenant: None) -> Client:
    return signed_in_client(EMPLOYEE)
