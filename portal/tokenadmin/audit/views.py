"""The audit trail pages: filter, page through, export. Open to every admin-area role (Global
Reader included): reading the trail changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.audit.export import audit_csv_rows
from portal.audit.models import AuditEvent
from portal.core.wording import audit_label
from portal.tokenadmin.audit.forms import AuditFilterForm
from portal.web.access import admin_area
from portal.web.http import PortalRequest
from portal.web.pages import admin_render

PAGE_SIZE = 50


@require_GET
@admin_area
def events(request: PortalRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    matching = form.apply(AuditEvent.objects.all())
    page = Paginator(matching, PAGE_SIZE).get_page(request.GET.get("p"))
    context: dict[str, Any] = {"nav": "audit", "form": form, "page": page}
    status = 400 if form.is_bound and not form.is_valid() and not request.htmx else 200
    return admin_render(request, "audit/events.html", context, partial="results", status=status)


@require_GET
@admin_area  # type: ignore[arg-type]  # typed for HttpResponse; a streaming answer passes through alike
def export(request: PortalRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Never export "everything" because a filter was mistyped: show the filters and their errors.
        page = Paginator(AuditEvent.objects.none(), PAGE_SIZE).get_page(1)
        return admin_render(request, "audit/events.html", {"nav": "audit", "form": form, "page": page}, status=400)
    rows = audit_csv_rows(form.apply(AuditEvent.objects.all()).order_by("at", "id"), reason_label=audit_label)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
