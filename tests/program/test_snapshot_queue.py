"""The token program's snapshot and needs-attention queue, against the demo tenant."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.program.models import DailyCount, ProgramToken, RefreshDelegation, SnapshotRun
from portal.sandbox import seed
from portal.sandbox.requestlog import count_graph_calls
from tests.support.admins import AUTH_ADMIN, PRIV_AUTH_ADMIN, READER, SignedIn, only_event

# transaction=True: the real db_worker calls close_old_connections().
pytestmark = pytest.mark.django_db(transaction=True)


def refreshed(client: Client) -> None:
    """Press "Refresh now" and let the worker build the snapshot."""
    response = client.post("/admin/program/refresh")
    assert response.status_code == 302
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def queue_of(page: str) -> dict[str, list[str]]:
    """rule → the items' text, as the overview shows them."""
    found: dict[str, list[str]] = {}
    for rule, body in re.findall(r'<li class="attention-item" data-rule="([a-z_]+)">(.*?)</li>', page, re.S):
        found.setdefault(rule, []).append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())
    return found


def test_refresh_builds_the_snapshot_and_the_queue_shows_each_case(signed_in: SignedIn) -> None:
    isaiah = signed_in(PRIV_AUTH_ADMIN)
    before = isaiah.get("/admin/").content.decode()
    assert "has not been read yet" in before
    refreshed(isaiah)
    event = only_event(AuditEvent.Action.PROGRAM_REFRESH)
    assert event.actor_upn == PRIV_AUTH_ADMIN
    run = SnapshotRun.objects.get()
    assert run.outcome == SnapshotRun.Outcome.SUCCESS
    assert run.tokens == len(seed.TOKENS) == ProgramToken.objects.count()
    # One devices page, one batch of user reads, one batch of method lists.
    assert run.round_trips == 3
    assert DailyCount.objects.filter(day=timezone.now().date()).exists()

    page = isaiah.get("/admin/").content.decode()
    assert "As of" in page
    queue = queue_of(page)
    assert any("Alex Wilber" in text and "60200102" in text for text in queue["failed_activation"])
    assert any("Johanna Lorenz" in text and "60200109" in text for text in queue["not_activated"])
    assert any("Grady Archie" in text and "SI-01000102" in text for text in queue["not_used"])
    assert any("Patti Fernandez" in text and "2100040003" in text for text in queue["never_used"])
    assert any("Diego Siciliani" in text for text in queue["holder_disabled"])
    assert any("Lee Gu" in text for text in queue["holder_deleted"])
    # The fix for a user's token is their page, for those who may change it.
    assert f'href="/admin/users/{seed.ALEX}/"' in page


def test_a_second_refresh_only_reads_what_changed(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    refreshed(lynne)
    latest = SnapshotRun.objects.first()
    assert latest is not None and latest.outcome == SnapshotRun.Outcome.SUCCESS
    assert latest.round_trips == 2  # assignment dates are kept: no method lists this time


def test_an_authentication_administrators_refresh_says_which_dates_it_could_not_read(signed_in: SignedIn) -> None:
    isaiah = signed_in(AUTH_ADMIN)
    refreshed(isaiah)
    run = SnapshotRun.objects.get()
    assert run.outcome == SnapshotRun.Outcome.SUCCESS and run.unreadable_holders > 0
    page = isaiah.get("/admin/").content.decode()
    assert f"The assignment dates of {run.unreadable_holders} people" in page
    assert "Patti Fernandez" not in str(queue_of(page).get("never_used"))  # her date is unknown to Isaiah


def test_the_reader_sees_the_queue_without_buttons(signed_in: SignedIn) -> None:
    refreshed(signed_in(PRIV_AUTH_ADMIN))
    page = signed_in(READER).get("/admin/").content.decode()
    assert queue_of(page)["failed_activation"]
    assert "Refresh now" not in page
    assert "Open Alex Wilber" not in page
    assert signed_in(READER).post("/admin/program/refresh").status_code == 403


def test_the_overview_costs_one_round_trip_and_a_bounded_number_of_queries(signed_in: SignedIn) -> None:
    isaiah = signed_in(AUTH_ADMIN)
    refreshed(signed_in(PRIV_AUTH_ADMIN))
    for path in ("/admin/", "/admin/reports/", "/admin/reports/stock.csv"):
        with count_graph_calls() as graph, CaptureQueriesContext(connection) as queries:
            response = isaiah.get(path)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200, path
        assert len(graph.requests) <= 1, path
        assert len(queries) <= 40, (path, len(queries))


def test_the_periodic_refresh_uses_the_stored_sign_in(signed_in: SignedIn) -> None:
    refreshed(signed_in(PRIV_AUTH_ADMIN))
    call_command("program_snapshot", verbosity=0)
    assert SnapshotRun.objects.filter(outcome=SnapshotRun.Outcome.SUCCESS).count() == 2
    sealed = bytes(RefreshDelegation.objects.get().sealed_cache)
    assert b"refresh_token" not in sealed.lower()  # sealed, not readable


def test_without_a_stored_sign_in_the_command_says_what_to_do(demo_tenant: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Refresh now"):
        call_command("program_snapshot", verbosity=0)


def test_the_queue_thresholds_are_settings(signed_in: SignedIn, settings: object) -> None:
    isaiah = signed_in(PRIV_AUTH_ADMIN)
    refreshed(isaiah)
    settings.PROGRAM_NOT_ACTIVATED_DAYS = 30  # type: ignore[attr-defined]
    settings.PROGRAM_NOT_USED_DAYS = 60  # type: ignore[attr-defined]
    queue = queue_of(isaiah.get("/admin/").content.decode())
    assert "not_activated" not in queue  # Johanna's 21 days are within 30
    assert "not_used" not in queue  # Grady's 45 days are within 60


def test_a_lockout_is_listed_and_lifted_by_a_manager_only(signed_in: SignedIn) -> None:
    from portal.core.attempts import TooManyAttempts, attempt_begin, attempt_finish
    from portal.identity.models import User

    User.objects.create(username=seed.ADELE, display_name="Adele Vance", upn=f"adele.vance@{seed.DOMAIN}")
    for _ in range(5):
        attempt_finish(attempt_begin(person_oid=seed.ADELE, serial="60200104"), wrong_code=True)
    with pytest.raises(TooManyAttempts):
        attempt_begin(person_oid=seed.ADELE, serial="60200104")
    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    [locked] = queue_of(lynne.get("/admin/").content.decode())["locked_out"]
    assert "Adele Vance" in locked and "60200104" in locked and "5 wrong codes" in locked
    key = re.search(r'name="key" value="([^"]+)"', lynne.get("/admin/").content.decode())
    assert key
    assert signed_in(READER).post("/admin/program/lockouts/lift", {"key": key.group(1)}).status_code == 403
    assert lynne.post("/admin/program/lockouts/lift", {"key": key.group(1)}).status_code == 302
    event = only_event(AuditEvent.Action.LOCKOUT_LIFT)
    assert (event.actor_upn, event.target_oid, event.token_serial) == (PRIV_AUTH_ADMIN, seed.ADELE, "60200104")
    attempt_begin(person_oid=seed.ADELE, serial="60200104")  # she may type a code again
    assert "locked_out" not in queue_of(lynne.get("/admin/").content.decode())
    # Lifting it again changes nothing and says so.
    again = lynne.post("/admin/program/lockouts/lift", {"key": key.group(1)}, follow=True).content.decode()
    assert "That pause had already ended." in again
    assert len(list(AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT_LIFT))) == 1


def test_a_stored_sign_in_that_stopped_working_is_said_on_the_page(signed_in: SignedIn) -> None:
    from django.core.management.base import CommandError

    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    RefreshDelegation.objects.update(sealed_cache=b"not a sealed cache")
    with pytest.raises(CommandError, match="Refresh now"):
        call_command("program_snapshot", verbosity=0)
    page = lynne.get("/admin/").content.decode()
    assert "Automatic refreshes stopped" in page
    refreshed(lynne)  # pressing the button starts them again
    assert "Automatic refreshes stopped" not in lynne.get("/admin/").content.decode()


def test_the_command_only_refreshes_when_due(signed_in: SignedIn) -> None:
    refreshed(signed_in(PRIV_AUTH_ADMIN))
    call_command("program_snapshot", if_due=True, verbosity=0)
    assert SnapshotRun.objects.count() == 1


def test_the_worker_queues_a_refresh_only_when_the_snapshot_is_due(signed_in: SignedIn) -> None:
    from django_tasks_db.models import DBTaskResult

    from portal.program.maintenance import program_snapshot_when_due

    refreshed(signed_in(PRIV_AUTH_ADMIN))
    latest = SnapshotRun.objects.filter(outcome=SnapshotRun.Outcome.SUCCESS).first()
    assert latest is not None and latest.finished_at is not None
    queued = DBTaskResult.objects.count()

    assert program_snapshot_when_due(now=latest.finished_at + timedelta(minutes=59)) == 0
    assert DBTaskResult.objects.count() == queued  # fresh: nothing queued
    assert program_snapshot_when_due(now=latest.finished_at + timedelta(minutes=61)) == 1
    assert DBTaskResult.objects.count() == queued + 1
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert SnapshotRun.objects.filter(outcome=SnapshotRun.Outcome.SUCCESS).count() == 2  # the stored sign-in
