"""Bulk import pages, under /admin/imports/. Thin: check the role, call one service, render.

Who may do what (Graph enforces the same per call; these checks shape the pages):
* every admin-area role sees the history, dry runs, progress and results (read only);
* seed files: inventory writers (Authentication Policy Administrator, Global Administrator);
* bulk assignment: user token managers (Authentication / Privileged Authentication Administrator,
  Global Administrator);
* confirm or discard a dry run: the admin who uploaded it; cancel: anyone allowed to start that kind.

One template per page; the job page's status-dependent part is the `job-state` partial, which htmx
polls every 2 s while the job is active (the trigger is simply not rendered once it has ended) and
which has a plain "Refresh" link for browsers without JavaScript.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.http import client_ip, redirect_after_post
from portal.core.wording import (
    Done,
    FollowUp,
    UploaderOnly,
    done_text,
    import_follow_up_offer,
    import_follow_up_text,
    import_follow_up_waiting,
    uploader_only_words,
)
from portal.identity.delegation import delegated_cache_export
from portal.imports import tasks
from portal.imports.export import csv_filename, rows_csv
from portal.imports.forms import AssignmentUploadForm, SeedUploadForm
from portal.imports.models import ImportJob, ImportRow
from portal.imports.parsing import SeedFileError
from portal.imports.services import followup, jobs, staging
from portal.imports.summary import plan_counts, result_counts
from portal.imports.uploads import LimitedUploadHandler, declared_too_large, install_limit, too_large_message
from portal.web.access import AccessRule, actor_of, admin_area, inventory_write, users_write
from portal.web.http import PortalRequest
from portal.web.pages import admin_render

NAV = "imports"
JOBS_PER_PAGE = 20
ROWS_PER_PAGE = 50

# Who may start, confirm or cancel each kind of job: the same rules as the single-token pages.
WRITERS: dict[str, AccessRule] = {
    ImportJob.Kind.SEED: inventory_write,
    ImportJob.Kind.ASSIGNMENT: users_write,
}


def _may_write(request: PortalRequest, kind: str) -> bool:
    return WRITERS[kind].allows(request)


def _forbidden(request: PortalRequest, kind: str, what: str | None = None) -> HttpResponse:
    rule = WRITERS[kind]
    return (replace(rule, what=what) if what else rule).refuse(request)


def _not_uploader(request: PortalRequest, job: ImportJob, action: UploaderOnly) -> HttpResponse:
    """The refusal when an admin who may import this kind of file acts on someone else's dry run."""
    message, next_step = uploader_only_words(action, uploader=job.created_by_upn)
    context = {
        "nav": NAV,
        "job": job,
        "message": message,
        "next_step": next_step,
        "upload_url": reverse("imports:seed_new" if job.kind == ImportJob.Kind.SEED else "imports:assignments_new"),
    }
    return admin_render(request, "imports/not_uploader.html", context, status=403)


# -- the list ---------------------------------------------------------------------------------------


@require_GET
@admin_area
def index(request: PortalRequest) -> HttpResponse:
    tasks.jobs_resume()
    page = Paginator(ImportJob.objects.select_related("created_by").all(), JOBS_PER_PAGE).get_page(request.GET.get("p"))
    context: dict[str, Any] = {
        "nav": NAV,
        "page": page,
        "may_import": _may_write(request, ImportJob.Kind.SEED),
        "may_assign": _may_write(request, ImportJob.Kind.ASSIGNMENT),
    }
    return admin_render(request, "imports/index.html", context, partial="history")


# -- uploads ----------------------------------------------------------------------------------------


def _too_large(request: PortalRequest, kind: str) -> HttpResponse:
    form = SeedUploadForm() if kind == ImportJob.Kind.SEED else AssignmentUploadForm()
    context = {"nav": NAV, "form": form, "kind": kind, "upload_error": too_large_message()}
    return admin_render(request, "imports/upload.html", context, status=413)


def _size_gated(
    request: PortalRequest,
    kind: str,
    form_view: Callable[[PortalRequest, LimitedUploadHandler | None], HttpResponse],
) -> HttpResponse:
    """Refuse an upload announced as too large, and cap the rest while it streams in; then the
    (CSRF-protected) `form_view` reads the body."""
    handler = None
    if request.method == "POST":
        if declared_too_large(request):
            return _too_large(request, kind)
        handler = install_limit(request)
    return form_view(request, handler)


@csrf_exempt  # see portal.imports.uploads: the size limit must be in place before CSRF reads the body
@require_http_methods(["GET", "POST"])
@inventory_write
def seed_new(request: PortalRequest) -> HttpResponse:
    return _size_gated(request, ImportJob.Kind.SEED, _seed_new)


@csrf_protect
def _seed_new(request: PortalRequest, handler: LimitedUploadHandler | None) -> HttpResponse:
    def stage(data: dict[str, Any]) -> ImportJob:
        return staging.seed_file_stage(
            actor=actor_of(request),
            stream=data["file"].file,
            file_name=data["file"].name or "",
            delegation=delegated_cache_export(request),
            assign_allowed=users_write.allows(request),
            pskc_key_hex=data["pskc_key"] or None,
            pskc_password=data["pskc_password"] or None,
            default_manufacturer=data["default_manufacturer"],
            default_model=data["default_model"],
        )

    form = SeedUploadForm(request.POST or None, request.FILES or None)
    return _upload_page(request, handler, ImportJob.Kind.SEED, form, stage)


@csrf_exempt  # see seed_new
@require_http_methods(["GET", "POST"])
@users_write
def assignments_new(request: PortalRequest) -> HttpResponse:
    return _size_gated(request, ImportJob.Kind.ASSIGNMENT, _assignments_new)


@csrf_protect
def _assignments_new(request: PortalRequest, handler: LimitedUploadHandler | None) -> HttpResponse:
    def stage(data: dict[str, Any]) -> ImportJob:
        upload = data["file"]
        return staging.assignment_file_stage(
            actor=actor_of(request),
            stream=upload.file,
            file_name=upload.name or "",
            delegation=delegated_cache_export(request),
        )

    form = AssignmentUploadForm(request.POST or None, request.FILES or None)
    return _upload_page(request, handler, ImportJob.Kind.ASSIGNMENT, form, stage)


def _upload_page(
    request: PortalRequest,
    handler: LimitedUploadHandler | None,
    kind: str,
    form: SeedUploadForm | AssignmentUploadForm,
    stage: Callable[[dict[str, Any]], ImportJob],
) -> HttpResponse:
    """The upload form of either kind: a valid file is staged by `stage` and its dry run queued; a
    file the parser refuses is shown again on the form with why."""
    if handler is not None and handler.exceeded:
        return _too_large(request, kind)
    if request.method == "POST" and form.is_valid():
        try:
            job = stage(form.cleaned_data)
        except SeedFileError as exc:
            form.add_error("file", exc.message)
        else:
            tasks.job_analyse_later(job.pk)
            return redirect_after_post(request, "imports:job", job.public_id)
    context = {"nav": NAV, "form": form, "kind": kind}
    return admin_render(request, "imports/upload.html", context, status=400 if request.method == "POST" else 200)


# -- one job ----------------------------------------------------------------------------------------


def _job_context(request: PortalRequest, job: ImportJob) -> dict[str, Any]:
    show = "problems" if request.GET.get("show") == "problems" else "all"
    rows = job.rows.defer("secret").order_by("row_number")
    if show == "problems":
        rows = rows.filter(
            Q(verdict__in=[ImportRow.Verdict.REJECT, ImportRow.Verdict.CREATE_UNASSIGNED])
            | Q(outcome__in=[ImportRow.Outcome.FAILED, ImportRow.Outcome.REJECTED])
        )
    rows_page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    confirmed = job.confirmed_at is not None
    summary = result_counts(job, jobs.outcome_counts(job), always_failed=True) if confirmed else plan_counts(job.plan)
    user = request.user
    may_write = _may_write(request, job.kind)
    return {
        "nav": NAV,
        "job": job,
        "show": show,
        "rows_page": rows_page,
        "confirmed": confirmed,
        "summary": summary,
        **_follow_up_context(request, job),
        "query": request.GET.urlencode(),
        "may_confirm": may_write and job.status == ImportJob.Status.DRAFT and job.created_by_id == user.pk,
        "may_discard": may_write
        and job.created_by_id == user.pk
        and not confirmed
        and job.status in (ImportJob.Status.DRAFT, ImportJob.Status.FAILED),
        "may_cancel": may_write
        and job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
        and not job.cancel_requested,
    }


def _follow_up_context(request: PortalRequest, job: ImportJob) -> dict[str, Any]:
    """The finished seed job's offer to assign the tokens it created without their assignment."""
    if job.kind != ImportJob.Kind.SEED or not job.finished:
        return {}
    left = followup.followup_left(job)
    may_assign = users_write.allows(request)
    follow_ups = list(job.follow_ups.order_by("created_at"))
    settled = follow_ups and not left and all(follow_up.finished for follow_up in follow_ups)
    return {
        "follow_ups": follow_ups,
        "follow_up_settled": import_follow_up_text(FollowUp.NOTHING_LEFT) if settled else "",
        "follow_up_left": left,
        "follow_up_waiting": import_follow_up_waiting(left) if left else "",
        "follow_up_offer": import_follow_up_offer(left) if left and may_assign else "",
        "follow_up_ask": import_follow_up_text(FollowUp.ASK) if left and not may_assign else "",
    }


@require_GET
@admin_area
def job_detail(request: PortalRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), public_id=job_id)
    if job.polling and job.lease_expires is not None and job.lease_expires < timezone.now():
        # Someone is watching a job whose worker died: hand it to a new worker now.
        tasks.jobs_resume()
        job.refresh_from_db()
    return admin_render(request, "imports/job.html", _job_context(request, job), partial="job-state")


@require_POST
@admin_area
def job_confirm(request: PortalRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_object_or_404(ImportJob, public_id=job_id)
    if not _may_write(request, job.kind):
        return _forbidden(request, job.kind)
    if job.created_by_id != request.user.pk:
        return _not_uploader(request, job, UploaderOnly.CONFIRM)
    delegation = delegated_cache_export(request)
    try:
        jobs.job_confirm(job=job, actor=actor_of(request), delegation=delegation, client_ip=client_ip(request))
    except jobs.JobStateError as exc:
        messages.error(request, str(exc))
    else:
        tasks.job_start(job.pk)
        messages.success(request, done_text(Done.IMPORT_CONFIRMED))
    return redirect_after_post(request, "imports:job", job.public_id)


@require_POST
@admin_area
def job_discard(request: PortalRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_object_or_404(ImportJob, public_id=job_id)
    if not _may_write(request, job.kind):
        return _forbidden(request, job.kind)
    if job.created_by_id != request.user.pk:
        return _not_uploader(request, job, UploaderOnly.DISCARD)
    try:
        jobs.job_discard(job=job)
    except jobs.JobStateError as exc:
        messages.error(request, str(exc))
        return redirect_after_post(request, "imports:job", job.public_id)
    messages.success(
        request,
        gettext("The dry run of %(file)s was discarded. Nothing was sent to Microsoft Entra ID.")
        % {"file": job.file_name},
    )
    return redirect_after_post(request, "imports:index")


@require_POST
@admin_area
def job_cancel(request: PortalRequest, job_id: uuid.UUID) -> HttpResponse:
    job = get_object_or_404(ImportJob, public_id=job_id)
    if not _may_write(request, job.kind):
        return _forbidden(request, job.kind, what=gettext("cancel an import"))
    try:
        job = jobs.job_cancel(job=job, actor=actor_of(request), client_ip=client_ip(request))
    except jobs.JobStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("The import was cancelled.")
            if job.finished
            else gettext(
                "Cancelling: the import stops after the rows being sent now. Rows not sent are marked as cancelled."
            ),
        )
    return redirect_after_post(request, "imports:job", job.public_id)


@require_POST
@admin_area
def job_follow_up(request: PortalRequest, job_id: uuid.UUID) -> HttpResponse:
    """Assign the tokens a finished seed import created without their assignment, in one step."""
    job = get_object_or_404(ImportJob, public_id=job_id, kind=ImportJob.Kind.SEED)
    if not users_write.allows(request):
        return replace(users_write, what=import_follow_up_text(FollowUp.FORBIDDEN)).refuse(request)
    try:
        follow_up = followup.followup_start(
            job=job, actor=actor_of(request), delegation=delegated_cache_export(request)
        )
    except jobs.JobStateError as exc:
        messages.info(request, str(exc))
        return redirect_after_post(request, "imports:job", job.public_id)
    tasks.job_analyse_later(follow_up.pk)
    messages.success(request, import_follow_up_text(FollowUp.STARTED))
    return redirect_after_post(request, "imports:job", follow_up.public_id)


@require_GET
@admin_area  # type: ignore[arg-type]  # typed for HttpResponse; a streaming answer passes through alike
def job_csv(request: PortalRequest, job_id: uuid.UUID) -> HttpResponseBase:
    job = get_object_or_404(ImportJob, public_id=job_id)
    response = StreamingHttpResponse(rows_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(job)}"'
    response["Cache-Control"] = "no-store"
    return response
