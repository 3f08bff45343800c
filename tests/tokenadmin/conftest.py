"""Personas of the demo tenant (portal.sandbox.seed) signed in through the sandbox, admin scopes
consented (as after the incremental-consent round trip an admin makes on first opening the area)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from portal.audit.models import AuditEvent
from portal.sandbox import seed
from tests.support.signin import signed_in_client

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


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def only_event(action: str) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, [str(event) for event in found]
    return found[0]


def text_of(response: Any) -> str:
    return str(response.content.decode())
