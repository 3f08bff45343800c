from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from portal.identity import discovery, msal_client
from portal.sandbox.seed import seed_demo_tenant
from tests.support.admins import AUTH_ADMIN, POLICY_ADMIN, SignedIn
from tests.support.signin import signed_in_client

# Property tests check behaviour, not speed: a loaded CI machine must not fail them on time.
hypothesis_settings.register_profile("portal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("portal")

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


# Admin personas signed in through the sandbox, admin scopes consented (as after the incremental-consent
# round trip an admin makes on first opening the area).
@pytest.fixture
def signed_in(demo_tenant: None) -> SignedIn:
    """`signed_in(upn)` → a test client with a real session for that person (admin scopes asked
    for, unless `admin=False`)."""

    def make(upn: str, *, admin: bool = True) -> Client:
        return signed_in_client(upn, admin=admin)

    return make


@pytest.fixture
def isaiah(signed_in: SignedIn) -> Client:
    """Authentication Administrator: manages the tokens of users without an admin role."""
    return signed_in(AUTH_ADMIN)


@pytest.fixture
def nestor(signed_in: SignedIn) -> Client:
    """Authentication Policy Administrator: keeps the inventory."""
    return signed_in(POLICY_ADMIN)
