"""Personas of the demo tenant (portal.sandbox.seed) signed in through the sandbox, admin scopes
consented (as after the incremental-consent round trip an admin makes on first opening the area)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from portal.sandbox import seed
from tests.support.signin import sign_in

DOMAIN = seed.DOMAIN
EMPLOYEE = f"adele.vance@{DOMAIN}"
AUTH_ADMIN = f"isaiah.langer@{DOMAIN}"  # Authentication Administrator
PRIV_AUTH_ADMIN = f"lynne.robbins@{DOMAIN}"  # Privileged Authentication Administrator
POLICY_ADMIN = f"nestor.wilke@{DOMAIN}"  # Authentication Policy Administrator
READER = f"grady.archie@{DOMAIN}"  # Global Reader
GLOBAL_ADMIN = f"miriam.graham@{DOMAIN}"

ALEX = seed.ALEX  # an employee: any token manager may change his tokens
PATTI = seed.PATTI  # holds an admin role: only a Privileged Authentication Administrator may
ALEX_ACTIVE = "SI-01000101"
ALEX_FAILED = "60200102"
PATTI_ACTIVE = "2100040003"
FREE = "60200104"
FREE_2 = "60200105"

SignedIn = Callable[..., Client]


@pytest.fixture
def signed_in(demo_tenant: None) -> SignedIn:
    """`signed_in(upn)` → a test client with a real session for that person (admin scopes asked
    for, unless `admin=False`)."""

    def make(upn: str, *, admin: bool = True) -> Client:
        client = Client()
        sign_in(client, upn, next_url="/admin/" if admin else "/tokens/", admin=admin)
        return client

    return make


def token_id(serial: str) -> str:
    from portal.sandbox.models import HardwareToken

    return str(HardwareToken.objects.get(serial_number=serial).id)
