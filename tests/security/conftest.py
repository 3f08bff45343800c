"""Personas of the demo tenant, signed in for real (MSAL + the sandbox), for the security tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from portal.sandbox import seed
from tests.support.signin import signed_in_client

DOMAIN = seed.DOMAIN
# The personas of issue 6 (entra-sign-in.md §5), one demo user each.
ANON, EMP, AA, PAA, APA, GR = ("anonymous", "employee", "auth-admin", "priv-auth-admin", "policy-admin", "reader")
UPNS = {
    EMP: f"adele.vance@{DOMAIN}",
    AA: f"isaiah.langer@{DOMAIN}",  # Authentication Administrator
    PAA: f"lynne.robbins@{DOMAIN}",  # Privileged Authentication Administrator
    APA: f"nestor.wilke@{DOMAIN}",  # Authentication Policy Administrator
    GR: f"grady.archie@{DOMAIN}",  # Global Reader
}
PERSONAS = (ANON, EMP, AA, PAA, APA, GR)

ALEX = seed.ALEX  # an employee without an admin role
PATTI = seed.PATTI  # holds an admin role (Helpdesk Administrator)
ADELE_ASSIGNED = "60200101"  # assigned to Adele (the employee), not activated yet
ALEX_ACTIVE = "SI-01000101"
ALEX_FAILED = "60200102"
PATTI_ACTIVE = "2100040003"
FREE = "60200104"  # in stock, unassigned

Personas = Callable[..., Client]


def persona_client(persona: str) -> Client:
    """A client for `persona`: anonymous, or signed in through the sandbox (administrators with the
    admin scopes consented, as after their first visit to the admin area)."""
    if persona == ANON:
        return Client()
    return signed_in_client(UPNS[persona], admin=persona != EMP)


@pytest.fixture
def personas(demo_tenant: None) -> Personas:
    return persona_client
