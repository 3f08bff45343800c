"""Background tasks (django-tasks; worker: `manage.py db_worker`). Arguments are ids only."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def notification_deliver_task(notification_id: int) -> str:
    from portal.notifications.delivery import notification_deliver

    return notification_deliver(notification_id=notification_id, now=timezone.now())
