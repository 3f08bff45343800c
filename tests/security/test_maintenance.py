"""Nothing piles up (issue 11): periodic work in one home, each purge with an injected clock, and
the worker process running it by itself."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.audit.maintenance import audit_events_expire
from portal.audit.models import AuditEvent
from portal.core import periodic
from portal.core.models import CodeAttempt, PeriodicRun
from portal.core.periodic import PeriodicTicker, periodic_job, periodic_jobs, periodic_run_due
from portal.identity import msal_client
from portal.identity.maintenance import sessions_purge
from portal.identity.sealing import seal
from portal.imports.maintenance import imports_purge
from portal.imports.models import ImportJob, ImportRow
from portal.notifications.models import AwaitingActivation, Kind, Notification
from portal.notifications.schedule import notifications_purge
from portal.program.maintenance import snapshot_runs_purge
from portal.program.models import SnapshotRun
from tests.support.signin import signed_in_client

EMPLOYEE = "adele.vance@contoso-sandbox.example"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def restore_signals() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def expired_session(*, ago: timedelta = timedelta(minutes=1)) -> str:
    store = SessionStore()
    store["identity.msal_cache"] = "sealed"
    store.set_expiry(timezone.now() - ago)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - ago)
    return str(store.session_key)


# -- the registry ------------------------------------------------------------------------------------


def test_every_purge_is_registered() -> None:
    assert {
        "sessions.purge",
        "attempts.purge",
        "imports.purge",
        "audit.retention",
        "notifications.purge",
        "program.purge",
    } <= set(periodic_jobs())


def test_a_job_runs_once_per_interval_and_a_failing_one_does_not_stop_the_others(
    db: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(periodic, "_JOBS", {})
    ran: list[datetime] = []

    @periodic_job(name="test.counting", every=timedelta(hours=1))
    def counting(*, now: datetime) -> int:
        ran.append(now)
        return 7

    @periodic_job(name="test.broken", every=timedelta(hours=1))
    def broken(*, now: datetime) -> int:
        raise RuntimeError("boom")

    first = periodic_run_due(now=T0)
    assert [(o.name, o.count, o.failed) for o in first] == [("test.broken", 0, True), ("test.counting", 7, False)]
    assert "periodic job failed" in caplog.text
    assert periodic_run_due(now=T0 + timedelta(minutes=59)) == []  # not due: nothing runs twice
    periodic_run_due(now=T0 + timedelta(hours=1))
    assert ran == [T0, T0 + timedelta(hours=1)]
    assert PeriodicRun.objects.get(name="test.counting").last_count == 7
    assert PeriodicRun.objects.get(name="test.broken").last_outcome == "failed"
    # By hand: due or not, one job or all.
    periodic_run_due(now=T0 + timedelta(hours=1, minutes=1), only="test.counting", force=True)
    assert len(ran) == 3


def test_the_command_runs_the_jobs_by_hand(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    gone = expired_session()
    call_command("run_periodic", "--only", "sessions.purge")
    assert "sessions.purge: 1" in capsys.readouterr().out
    assert not Session.objects.filter(session_key=gone).exists()
    call_command("run_periodic", "--list")
    assert "attempts.purge  every 1:00:00" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No periodic job is named 'nope'"):
        call_command("run_periodic", "--only", "nope")


# -- the worker runs them ----------------------------------------------------------------------------


# transaction=True: the real db_worker calls close_old_connections(), which on PostgreSQL drops a
# connection held inside a test transaction (as in the import-job tests).
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_due_periodic_jobs_as_it_starts(restore_signals: None) -> None:
    gone = expired_session()
    CodeAttempt.objects.create(at=timezone.now() - timedelta(days=2), person_key="p", serial_key="s")
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0, interval=0)
    assert not Session.objects.filter(session_key=gone).exists()
    assert not CodeAttempt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_running_them_while_it_runs(settings: Any) -> None:
    # The ticker thread of a long-running worker: a session that expires while it runs is purged.
    ticker = PeriodicTicker(tick=0.05)
    PeriodicRun.objects.create(name="sessions.purge", last_started_at=timezone.now() - timedelta(hours=1))
    ticker.start()
    try:
        gone = expired_session()
        deadline = time.monotonic() + 20
        while Session.objects.filter(session_key=gone).exists() and time.monotonic() < deadline:
            ticker.stopped.wait(0.05)
        assert not Session.objects.filter(session_key=gone).exists()
    finally:
        ticker.stop()
        ticker.join(timeout=10)


def test_make_run_starts_the_worker_with_periodic_work() -> None:
    from pathlib import Path

    runportal = Path(django_settings.BASE_DIR, "portal/core/management/commands/runportal.py").read_text()
    assert '"manage.py", "worker"' in runportal
    procfile = Path(django_settings.BASE_DIR, "deploy/Procfile").read_text()
    assert "worker: python manage.py worker" in procfile


# -- sessions ------------------------------------------------------------------------------------------


def test_an_abandoned_session_is_purged_after_its_idle_limit(demo_tenant: None, settings: Any) -> None:
    # Before: a session row (with the refresh token) stayed until its browser came back.
    client = signed_in_client(EMPLOYEE)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    expires = Session.objects.get(session_key=key).expire_date
    now = timezone.now()
    assert now + timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60) < expires
    assert expires <= now + timedelta(seconds=settings.SESSION_IDLE_SECONDS + 5)
    assert sessions_purge(now=expires - timedelta(seconds=1)) == 0
    assert sessions_purge(now=expires) == 1
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_in_use_ends_at_its_absolute_limit(demo_tenant: None, settings: Any) -> None:
    client = signed_in_client(EMPLOYEE)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = SessionStore(session_key=key)
    signed_in_at = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 120  # 2 minutes left
    session["identity.signed_in_at"] = signed_in_at
    session["identity.last_seen"] = int(time.time()) - 61  # the next page renews the expiry
    session.save()
    assert client.get("/tokens/").status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    assert expires == datetime.fromtimestamp(signed_in_at + settings.SESSION_ABSOLUTE_SECONDS, tz=UTC)


# -- the token cache in the session is sealed ----------------------------------------------------------


def test_the_token_cache_in_the_session_is_sealed(demo_tenant: None, settings: Any) -> None:
    # Before: session data was signed, not encrypted: the refresh token was readable in the row.
    client = signed_in_client(EMPLOYEE)
    stored = Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).get_decoded()
    sealed = stored[msal_client.TOKEN_CACHE_SESSION_KEY]
    assert sealed.startswith("gAAAAA") and "RefreshToken" not in sealed and "secret" not in sealed
    assert "RefreshToken" in Fernet(settings.PORTAL_ENCRYPTION_KEYS[0]).decrypt(sealed.encode()).decode()


def test_a_new_key_first_keeps_people_signed_in_and_dropping_the_old_one_asks_them_again(
    demo_tenant: None, settings: Any
) -> None:
    client = signed_in_client(EMPLOYEE)
    old = list(settings.PORTAL_ENCRYPTION_KEYS)
    settings.PORTAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]  # rotation: new first
    assert client.get("/tokens/").status_code == 200
    settings.PORTAL_ENCRYPTION_KEYS = settings.PORTAL_ENCRYPTION_KEYS[:1]  # the old key dropped
    response = client.get("/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/auth/sign-in")


# -- imports and the audit trail -----------------------------------------------------------------------


def job(status: str, *, created: datetime, **fields: Any) -> ImportJob:
    made = ImportJob.objects.create(kind=ImportJob.Kind.SEED, status=status, created_at=created, **fields)
    ImportRow.objects.create(job=made, row_number=1, serial=f"S-{made.pk}", secret=seal(b"JBSWY3DPEHPK3PXP"))
    return made


def test_abandoned_dry_runs_and_the_secrets_of_finished_jobs_are_purged(db: None, settings: Any) -> None:
    now = timezone.now()
    settings.IMPORT_DRAFT_HOURS = 24
    abandoned = job(ImportJob.Status.DRAFT, created=now - timedelta(hours=25))
    waiting = job(ImportJob.Status.DRAFT, created=now - timedelta(hours=23))
    finished = job(ImportJob.Status.DONE, created=now - timedelta(hours=1), delegated_cache=seal(b"{}"))
    assert imports_purge(now=now) == 4  # the abandoned job and its row; the finished job's sign-in and secret
    assert not ImportJob.objects.filter(pk=abandoned.pk).exists()
    assert ImportRow.objects.get(job=waiting).secret != b""  # still needed if confirmed
    finished.refresh_from_db()
    assert bytes(finished.delegated_cache) == b"" and bytes(ImportRow.objects.get(job=finished).secret) == b""
    assert finished.rows.count() == 1  # the results stay


def test_audit_events_are_kept_unless_a_retention_is_set(db: None, settings: Any) -> None:
    now = timezone.now()
    for days in (400, 20):
        AuditEvent.objects.create(at=now - timedelta(days=days), action="self.activate", outcome="success")
    assert settings.AUDIT_RETENTION_DAYS == 0
    assert audit_events_expire(now=now) == 0 and AuditEvent.objects.count() == 2
    settings.AUDIT_RETENTION_DAYS = 365
    assert audit_events_expire(now=now) == 1
    assert list(AuditEvent.objects.values_list("at", flat=True)) == [now - timedelta(days=20)]


# -- mail records, reminders' tracking, snapshot builds ------------------------------------------------


def mail(key: str, state: str, *, updated: datetime) -> None:
    Notification.objects.create(
        kind=Kind.TOKEN_ASSIGNED, to_address=f"{key}@contoso-sandbox.example", idempotency_key=key, state=state
    )
    Notification.objects.filter(idempotency_key=key).update(updated_at=updated)  # auto_now, set by hand


def awaiting(serial: str, *, assigned: datetime, closed: datetime | None = None, reminders: int = 0) -> None:
    AwaitingActivation.objects.create(
        person_oid="oid",
        person_upn=EMPLOYEE,
        address=EMPLOYEE,
        serial=serial,
        assigned_at=assigned,
        closed_at=closed,
        reminders_sent=reminders,
    )


def test_mail_records_and_finished_reminders_are_purged_after_their_retention(db: None, settings: Any) -> None:
    # Before: every mail's row (address, serial, sign-in name) and every reminder's tracking stayed.
    settings.NOTIFICATION_RETENTION_DAYS, settings.REMINDER_MAX = 90, 2
    old, recent = T0 - timedelta(days=91), T0 - timedelta(days=89)
    mail("sent-old", Notification.State.SENT, updated=old)
    mail("failed-old", Notification.State.FAILED, updated=old)
    mail("unconfirmed-old", Notification.State.UNCONFIRMED, updated=old)
    mail("sent-recent", Notification.State.SENT, updated=recent)
    mail("pending-old", Notification.State.PENDING, updated=old)  # still to be sent: kept
    awaiting("CLOSED-OLD", assigned=old - timedelta(days=5), closed=old)
    awaiting("CLOSED-RECENT", assigned=old, closed=recent)
    awaiting("DONE-REMINDING", assigned=old, reminders=2)  # no reminder will ever come: nothing to keep
    awaiting("STILL-REMINDING", assigned=old, reminders=1)
    assert notifications_purge(now=T0) == 5
    assert set(Notification.objects.values_list("idempotency_key", flat=True)) == {"sent-recent", "pending-old"}
    assert set(AwaitingActivation.objects.values_list("serial", flat=True)) == {"CLOSED-RECENT", "STILL-REMINDING"}
    settings.NOTIFICATION_RETENTION_DAYS = 0  # keep for ever
    assert notifications_purge(now=T0 + timedelta(days=400)) == 0


def test_old_snapshot_builds_are_purged_but_the_latest_stays(db: None, settings: Any) -> None:
    settings.PROGRAM_RUN_RETENTION_DAYS = 30
    Outcome = SnapshotRun.Outcome
    for days, outcome in ((60, Outcome.SUCCESS), (45, Outcome.SUCCESS), (40, Outcome.FAILURE), (10, Outcome.SUCCESS)):
        SnapshotRun.objects.create(started_at=T0 - timedelta(days=days), outcome=outcome)
    assert snapshot_runs_purge(now=T0) == 3
    assert list(SnapshotRun.objects.values_list("outcome", flat=True)) == [Outcome.SUCCESS]
    # The builds stopped (no sign-in) long ago: the last one is still the pages' "as of".
    assert snapshot_runs_purge(now=T0 + timedelta(days=365)) == 0
    assert SnapshotRun.objects.count() == 1
    SnapshotRun.objects.create(started_at=T0 + timedelta(days=300), outcome=Outcome.FAILURE)
    assert snapshot_runs_purge(now=T0 + timedelta(days=365)) == 0  # the last success and the last attempt
    assert SnapshotRun.objects.count() == 2
