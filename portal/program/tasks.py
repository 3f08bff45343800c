"""Background work of the token program (django-tasks; worker: `manage.py db_worker`).

No argument, small result: the sealed sign-in stays in its row, never in the task table."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from portal.program.refresh import snapshot_refresh


@task()
def program_snapshot_refresh() -> dict[str, Any]:
    run = snapshot_refresh(now=timezone.now())
    if run is None:
        return {"outcome": "no_sign_in"}
    return {"outcome": run.outcome, "round_trips": run.round_trips, "tokens": run.tokens}
