"""Administrators' page: mail that could not be delivered (open to every admin-area role)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.notifications.models import Notification
from portal.web.access import admin_area
from portal.web.http import PortalRequest
from portal.web.pages import admin_render

PAGE_SIZE = 50


@require_GET
@admin_area
def undelivered(request: PortalRequest) -> HttpResponse:
    problems = Notification.objects.filter(state__in=[Notification.State.FAILED, Notification.State.UNCONFIRMED])
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("p"))
    week_ago = timezone.now() - timedelta(days=7)
    counts = dict(
        Notification.objects.filter(created_at__gte=week_ago)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    context = {
        "nav": "mail",
        "page": page,
        "transport": settings.MAIL_TRANSPORT,
        "sent_week": counts.get(Notification.State.SENT, 0),
        "waiting": Notification.objects.filter(
            state__in=[Notification.State.PENDING, Notification.State.SENDING]
        ).count(),
    }
    return admin_render(request, "notifications/undelivered.html", context)
