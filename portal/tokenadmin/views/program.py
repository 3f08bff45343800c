"""The token program: the snapshot's refresh, the queue's own actions, the reports and their CSV.

Every page here reads the stored snapshot (portal.program): no Graph call, a fixed number of
queries, whatever the tenant's size."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portal.core.http import client_ip, redirect_after_post
from portal.core.reasons import Attention
from portal.core.wording import ProgramNote, program_text
from portal.identity.delegation import delegated_cache_export
from portal.program import reports
from portal.program.attention import attention_csv, attention_groups, attention_rule_page
from portal.program.refresh import snapshot_refresh_request, snapshot_state_get
from portal.program.services import lockout_lift_record
from portal.program.tasks import program_snapshot_refresh
from portal.web.access import actor_of, admin_area, users_write
from portal.web.http import PortalRequest
from portal.web.pages import admin_render

NAV = "reports"


@require_POST
@users_write
def refresh(request: PortalRequest) -> HttpResponse:
    """Keep this administrator's sign-in for the refreshes and queue a build of the snapshot."""
    snapshot_refresh_request(
        actor=actor_of(request), delegation=delegated_cache_export(request), client_ip=client_ip(request)
    )
    program_snapshot_refresh.enqueue()
    messages.success(request, program_text(ProgramNote.REFRESH_QUEUED))
    return redirect_after_post(request, "tokenadmin:home")


@require_POST
@users_write
def lockout_lift(request: PortalRequest) -> HttpResponse:
    key = request.POST.get("key", "")
    lifted = lockout_lift_record(actor=actor_of(request), key=key, now=timezone.now(), client_ip=client_ip(request))
    if lifted:
        messages.success(request, program_text(ProgramNote.LOCKOUT_LIFTED))
    else:
        messages.info(request, program_text(ProgramNote.LOCKOUT_GONE))
    if request.POST.get("back") == Attention.LOCKED_OUT.value:  # lifted on the rule's own list
        return redirect_after_post(request, "tokenadmin:attention_rule", Attention.LOCKED_OUT.value)
    return redirect_after_post(request, "tokenadmin:home")


def _rule(slug: str) -> Attention:
    try:
        return Attention(slug)
    except ValueError:
        raise Http404("No such rule") from None


@require_GET
@admin_area
def attention_rule(request: PortalRequest, rule: str) -> HttpResponse:
    """Every item of one rule of the queue, a page at a time, with the same actions as the overview."""
    listed = attention_rule_page(_rule(rule), now=timezone.now(), number=request.GET.get("page"))
    context = {"nav": "home", "state": snapshot_state_get(), "group": listed.group, "page": listed.page}
    return admin_render(request, "tokenadmin/attention_rule.html", context)


@require_GET
@admin_area  # type: ignore[arg-type]  # typed for HttpResponse; a streaming answer passes through alike
def attention_export(request: PortalRequest, rule: str) -> StreamingHttpResponse:
    """One rule's items as CSV (streamed: a rule can hold thousands of tokens)."""
    kind = _rule(rule)
    response = StreamingHttpResponse(attention_csv(kind, now=timezone.now()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="needs-attention-{kind.value}.csv"'
    return response


@require_GET
@admin_area
def index(request: PortalRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "nav": NAV,
        "state": snapshot_state_get(),
        "tables": [reports.report_get(kind, now=now) for kind in reports.ReportKind],
        # The queue's rules, counted (each links to its full list and its CSV).
        "groups": attention_groups(now=now, limit=0),
        "statuses": reports.STATUSES,
    }
    return admin_render(request, "tokenadmin/reports.html", context)


@require_GET
@admin_area
def export(request: PortalRequest, kind: str) -> HttpResponse:
    try:
        report_kind = reports.ReportKind(kind)
    except ValueError:
        raise Http404("No such report") from None
    table = reports.report_get(report_kind, now=timezone.now())
    # A report has a bounded number of rows (models, departments, days): no need to stream.
    response = HttpResponse("".join(reports.report_csv(table)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report_kind.value}.csv"'
    return response
