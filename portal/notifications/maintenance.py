"""Periodic notification work, in the portal's one home for it (portal.core.periodic): run by the
worker process (and under `make run`), by hand with `manage.py run_periodic --only NAME`."""

from __future__ import annotations

from datetime import timedelta

from portal.core.periodic import periodic_job
from portal.notifications import schedule

# Each is `(*, now) -> int` and only does what is due: no mail is ever sent twice.
periodic_job(name="notifications.recover", every=timedelta(minutes=5))(schedule.notifications_recover)
periodic_job(name="notifications.reminders", every=timedelta(hours=1))(schedule.activation_reminders_send)
periodic_job(name="notifications.digest", every=timedelta(hours=1))(schedule.admin_digest_send)
periodic_job(name="notifications.purge", every=timedelta(hours=6))(schedule.notifications_purge)
