"""Events recorded before the reasons were unified are rewritten, so filters and labels find them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from portal.audit.models import AuditEvent
from tests.support.admins import READER, SignedIn

BEFORE = [("audit", "0002_initial")]
AFTER = [("audit", "0003_unify_reasons")]

# (action, reason as recorded then) → reason now
OLD_ROWS = [
    ("self.assign_activate", "assigned_elsewhere", "already_assigned"),
    ("user.assign", "already_assigned", "already_assigned"),
    ("user.deactivate", "not_activated", "not_active"),
    ("self.assign_activate", "guest", "guest_user"),
    ("inventory.create", "serial_exists", "duplicate_serial"),
    ("inventory.update", "must_be_unassigned", "assigned"),
    ("self.assign_activate", "not_found", "unknown_serial"),  # by serial: not in the inventory
    ("self.remove", "not_found", "token_not_found"),  # by id: not on the account
    ("import.finish", "graph_400", "unexpected"),
    ("user.activate", "wrong_code", "wrong_code"),
    ("import.finish", "done", "done"),
]


@pytest.fixture
def back_to_the_latest_schema() -> Iterator[None]:
    """Going back to 0002 also unapplies every later migration: the next tests on this worker need them."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_old_reasons_are_rewritten_to_the_unified_ones(signed_in: SignedIn) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_event = executor.loader.project_state(BEFORE).apps.get_model("audit", "AuditEvent")
    ids = [
        old_event.objects.create(action=action, outcome="failure", reason=reason, token_serial=f"OLD-{n}").pk
        for n, (action, reason, _) in enumerate(OLD_ROWS)
    ]

    executor = MigrationExecutor(connection)  # a fresh graph, as `migrate` would load it
    executor.migrate(AFTER)

    now = {event.pk: event.reason for event in AuditEvent.objects.filter(pk__in=ids)}
    assert [now[pk] for pk in ids] == [new for _, _, new in OLD_ROWS]

    # The trail's reason filter finds the old events under their new name, with its label.
    client: Client = signed_in(READER)
    page = client.get("/admin/audit/", {"reason": "already_assigned"}).content.decode()
    shown = {serial for serial in ("OLD-0", "OLD-1", "OLD-2") if f'<span class="serial">{serial}</span>' in page}
    assert shown == {"OLD-0", "OLD-1"}
    assert "Token already assigned to someone else" in page
