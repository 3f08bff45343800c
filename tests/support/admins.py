"""The admin personas of the demo tenant (portal.sandbox.seed) and the tokens they act on, with small
readers of the audit trail and of pages. Their signed-in clients are the `signed_in`, `isaiah` and
`nestor` fixtures (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.test import Client

from portal.audit.models import AuditEvent
from portal.sandbox import seed

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


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def only_event(action: str) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, [str(event) for event in found]
    return found[0]


def text_of(response: Any) -> str:
    return str(response.content.decode())


def snapshot_refreshed(client: Client) -> None:
    """Press "Refresh now" as this administrator and let the worker build the inventory snapshot
    (what the token counts in search results and the stock type-ahead read)."""
    assert client.post("/admin/program/refresh").status_code == 302
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
