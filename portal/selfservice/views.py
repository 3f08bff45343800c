"""The employee's pages. Thin: parse the form, call one service, render or redirect.

Every page and form works without JavaScript; with htmx, forms answer in place (the `#part`
templates) and successful writes redirect with HX-Redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.action_errors import ActionError
from portal.core.http import client_ip, redirect_after_post
from portal.core.reasons import Reason
from portal.core.wording import Audience, Done, done_text, words
from portal.graph.client import GraphClient
from portal.graph.types import HardwareOathMethod
from portal.identity.errors import ReauthenticationRequired
from portal.identity.graph_access import graph_client
from portal.selfservice import services
from portal.selfservice.forms import ActivateTokenForm, AddTokenForm, ReportTokenForm
from portal.web.access import actor_of, signed_in
from portal.web.http import PortalRequest

RESUME_KEY = "selfservice.resume_add"


@require_GET
def home(request: PortalRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("selfservice:tokens")
    return render(request, "selfservice/landing.html")


@require_GET
@signed_in
def tokens(request: PortalRequest) -> HttpResponse:
    context: dict[str, Any] = {"nav": "tokens", "tokens": [], "error": None}
    if actor_of(request).guest:
        # Told why before they try, never asked to add or assign a token.
        context["guest_note"] = words(Reason.GUEST_USER, Audience.EMPLOYEE)
    try:
        context["tokens"] = services.my_tokens_list(client=graph_client(request))
    except ActionError as error:
        context["error"] = error
    template = "selfservice/tokens.html#token-list" if request.htmx else "selfservice/tokens.html"
    return render(request, template, context, status=503 if context["error"] else 200)


@require_http_methods(["GET", "POST"])
@signed_in
def add(request: PortalRequest) -> HttpResponse:
    resume = request.session.pop(RESUME_KEY, None)
    form = AddTokenForm(request.POST or None, initial=resume or {})
    error: ActionError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.my_token_add(
                actor=request.user,
                client=graph_client(request),
                client_ip=client_ip(request),
                **form.cleaned_data,
            )
        except ReauthenticationRequired:
            # Step-up: come back to this form with what was typed (never the code, which will be stale).
            request.session[RESUME_KEY] = {k: form.cleaned_data[k] for k in ("serial_number", "display_name")}
            raise
        except ActionError as exc:
            error = exc
            if exc.field in form.fields:
                form.add_error(exc.field, "")
        else:
            messages.success(request, done_text(Done.SELF_ADDED, serial=form.cleaned_data["serial_number"]))
            return redirect_after_post(request, "selfservice:tokens")
    status = _status(request, form, error)
    if request.method == "GET":
        # Paused already: say so before anything is typed, as a refused code would.
        error = services.my_new_token_pause_get(actor=request.user)
    context = {"form": form, "error": error, "nav": "tokens"}
    template = "selfservice/add.html#add-form" if request.htmx else "selfservice/add.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@signed_in
def activate(request: PortalRequest, token_uuid: UUID) -> HttpResponse:
    form = ActivateTokenForm(request.POST or None)

    def act(client: GraphClient, method_id: str) -> HttpResponse:
        token = services.my_token_activate(
            actor=request.user,
            client=client,
            method_id=method_id,
            code=form.cleaned_data["code"],
            client_ip=client_ip(request),
        )
        serial = token.device.serial_number if token and token.device else ""
        messages.success(request, done_text(Done.SELF_ACTIVATED, serial=serial))
        return redirect_after_post(request, "selfservice:tokens")

    return _my_token_form(request, token_uuid, form, act=act, page="selfservice/activate.html#activate-form")


@require_http_methods(["GET", "POST"])
@signed_in
def remove(request: PortalRequest, token_uuid: UUID) -> HttpResponse:
    method_id = str(token_uuid)
    client = graph_client(request)
    context: dict[str, Any] = {
        "method_id": method_id,
        "error": None,
        "token": None,
        "nav": "tokens",
        "inline": bool(request.htmx),
    }
    if request.method == "POST":
        try:
            fresh = services.my_token_remove(
                actor=request.user,
                client=client,
                method_id=method_id,
                client_ip=client_ip(request),
            )
        except ActionError as exc:
            context["error"] = exc
            if request.htmx:
                # Show the problem in the confirmation box, not in place of the list.
                response = render(request, "selfservice/remove.html#confirm", context)
                response["HX-Retarget"] = f"#confirm-{method_id}"
                response["HX-Reswap"] = "outerHTML"
                return response
        else:
            messages.success(request, done_text(Done.SELF_REMOVED))
            if request.htmx:
                # The list in place, and the messages above it replaced (out of band) by this one.
                list_context = {"tokens": fresh, "oob_messages": True}
                return render(request, "selfservice/tokens.html#token-list", list_context)
            return redirect("selfservice:tokens")
    else:
        try:
            context["token"] = services.my_token_get(client=client, method_id=method_id)
        except ActionError as exc:
            context["error"] = exc
    template = "selfservice/remove.html#confirm" if request.htmx else "selfservice/remove.html"
    return render(request, template, context, status=400 if context["error"] else 200)


@require_http_methods(["GET", "POST"])
@signed_in
def report(request: PortalRequest, token_uuid: UUID) -> HttpResponse:
    """ "I lost my token / it's broken": confirm what happened, then the token leaves the account."""
    form = ReportTokenForm(request.POST or None)

    def act(client: GraphClient, method_id: str) -> HttpResponse:
        event = services.my_token_report(
            actor=request.user,
            client=client,
            method_id=method_id,
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
            client_ip=client_ip(request),
        )
        return redirect_after_post(request, "selfservice:reported", event.pk)

    return _my_token_form(request, token_uuid, form, act=act, page="selfservice/report.html#report-form")


@require_GET
@signed_in
def reported(request: PortalRequest, event_id: int) -> HttpResponse:
    """What happens next, after a report (only the person who made it sees it)."""
    event = services.my_report_get(actor=request.user, event_id=event_id)
    if event is None:
        return redirect("selfservice:tokens")
    context = {"event": event, "helpdesk_contact": settings.HELPDESK_CONTACT, "nav": "tokens"}
    return render(request, "selfservice/reported.html", context)


def _my_token_form(
    request: PortalRequest,
    token_uuid: UUID,
    form: forms.Form,
    *,
    act: Callable[[GraphClient, str], HttpResponse],
    page: str,
) -> HttpResponse:
    """A form about one of my tokens (`page`: "template.html#form-part"). A valid POST runs `act`
    (its answer, or the ActionError it raises shown in the form, what was typed kept); otherwise
    the token is read for the page. A form that takes a code shows, before anything is typed, the
    pause on code entry as a refused code would (a database read)."""
    method_id = str(token_uuid)
    client = graph_client(request)
    error: ActionError | None = None
    token: HardwareOathMethod | None = None
    if request.method == "POST" and form.is_valid():
        try:
            return act(client, method_id)
        except ActionError as exc:
            error = exc
            if exc.field in form.fields:
                form.add_error(exc.field, "")
    else:
        try:
            token = services.my_token_get(client=client, method_id=method_id)
        except ActionError as exc:
            error = exc
    status = _status(request, form, error)
    if request.method == "GET" and token is not None and "code" in form.fields:
        error = services.my_token_pause_get(actor=request.user, token=token, method_id=method_id)
    context = {"form": form, "error": error, "token": token, "method_id": method_id, "nav": "tokens"}
    template = page if request.htmx else page.partition("#")[0]
    return render(request, template, context, status=status)


def _status(request: PortalRequest, form: Any, error: ActionError | None) -> int:
    # htmx swaps 2xx answers only (by default), so in-place errors are 200 for htmx and 400 otherwise.
    if request.method != "POST" or (form.is_valid() and error is None):
        return 200 if error is None else 400
    return 200 if request.htmx else 400
