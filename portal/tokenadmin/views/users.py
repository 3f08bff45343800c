"""Finding a user and managing their hardware tokens."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.action_errors import ActionError
from portal.core.attempts import lockout_of_person, person_key
from portal.core.http import client_ip, redirect_after_post
from portal.core.reasons import Reason
from portal.core.wording import Audience, Done, ProgramNote, done_text, program_text, words
from portal.graph.types import DirectoryUser
from portal.identity.graph_access import graph_client
from portal.program.services import lockout_lift_record
from portal.tokenadmin.forms import ActivateForm, GiveTokenForm, UserSearchForm
from portal.tokenadmin.paging import next_link_from, page_token_make
from portal.tokenadmin.services import users as services
from portal.web.access import actor_of, admin_permissions, users_read, users_write
from portal.web.http import PortalRequest
from portal.web.pages import admin_render, form_status, read_status

NAV = "users"


@require_GET
@users_read
def search(request: PortalRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None)
    context: dict[str, Any] = {"nav": NAV, "form": form, "results": None, "error": None, "next_page": None}
    text = form.cleaned_data["q"] if form.is_valid() else ""
    if text:
        actor = actor_of(request)
        scope = f"users:{text}"
        try:
            next_link = next_link_from(request, actor_oid=actor.oid, scope=scope)
            results = services.user_search(client=graph_client(request, admin=True), text=text, next_link=next_link)
        except ActionError as error:
            context["error"] = error
        else:
            context["results"] = results
            if results.next_link:
                context["next_page"] = page_token_make(next_link=results.next_link, actor_oid=actor.oid, scope=scope)
    return admin_render(
        request,
        "tokenadmin/users.html",
        context,
        partial="results",
        status=read_status(request, context["error"]),
    )


@require_GET
@users_read
def detail(request: PortalRequest, user_id: uuid.UUID) -> HttpResponse:
    perms = admin_permissions(request)
    context: dict[str, Any] = {
        "nav": NAV,
        "user_id": user_id,
        "overview": None,
        "error": None,
        "lockout": lockout_of_person(person_oid=str(user_id), now=timezone.now()),
    }
    try:
        context["overview"] = services.user_overview_get(
            client=graph_client(request, admin=True),
            user_id=str(user_id),
            manage_admin_targets=perms.manage_admin_targets,
        )
    except ActionError as error:
        context["error"] = error
    if context["overview"] is not None and context["overview"].user.guest:
        # Never offer a guest a token: say why, and who can give them one.
        context["guest_note"] = " ".join(words(Reason.GUEST_USER, Audience.ADMIN))
    return admin_render(
        request,
        "tokenadmin/user.html",
        context,
        partial="tokens",
        status=read_status(request, context["error"]),
    )


@require_POST
@users_write
def lockout_lift(request: PortalRequest, user_id: uuid.UUID) -> HttpResponse:
    """Lift this person's pause on code entry (the helpdesk checked with them), audited."""
    lifted = lockout_lift_record(
        actor=actor_of(request),
        key=f"p:{person_key(str(user_id))}",
        now=timezone.now(),
        client_ip=client_ip(request),
    )
    if lifted:
        messages.success(request, program_text(ProgramNote.LOCKOUT_LIFTED))
    else:
        messages.info(request, program_text(ProgramNote.LOCKOUT_GONE))
    return redirect_after_post(request, "tokenadmin:user", user_id)


@require_http_methods(["GET", "POST"])
@users_write
def give(request: PortalRequest, user_id: uuid.UUID) -> HttpResponse:
    """Give the user a token from stock: assigned (they activate it later with its code), or
    assigned and activated at once when the admin types the code the token shows."""
    perms = admin_permissions(request)
    client = graph_client(request, admin=True)
    form = GiveTokenForm(request.POST if request.method == "POST" else None)
    error: ActionError | None = None
    if request.method == "POST" and form.is_valid():
        serial, code = form.cleaned_data["serial_number"], form.cleaned_data["code"]
        try:
            if code:
                done = services.user_token_assign_activate(
                    actor=actor_of(request),
                    client=client,
                    user_id=str(user_id),
                    serial_number=serial,
                    code=code,
                    display_name=form.cleaned_data["display_name"],
                    manage_admin_targets=perms.manage_admin_targets,
                    client_ip=client_ip(request),
                )
            else:
                done = services.user_token_assign(
                    actor=actor_of(request),
                    client=client,
                    user_id=str(user_id),
                    serial_number=serial,
                    manage_admin_targets=perms.manage_admin_targets,
                    client_ip=client_ip(request),
                )
        except ActionError as exc:
            error = exc
            if exc.field in form.fields:
                form.add_error(exc.field, "")
        else:
            name = done.user.display_name or done.user.user_principal_name
            given = Done.USER_ASSIGNED_ACTIVATED if code else Done.USER_ASSIGNED
            messages.success(request, done_text(given, serial=done.serial, name=name))
            return redirect_after_post(request, "tokenadmin:user", user_id)
    person: DirectoryUser | None = None
    read_error: ActionError | None = None
    if not (request.method == "POST" and request.htmx):  # the form part alone needs no profile
        try:
            person = services.user_profile_get(
                client=client, user_id=str(user_id), manage_admin_targets=perms.manage_admin_targets
            )
        except ActionError as exc:
            read_error = exc
    context = {"nav": NAV, "user_id": user_id, "person": person, "form": form, "give_error": error, "error": read_error}
    status = form_status(request, form, error) if read_error is None else read_status(request, read_error)
    partial = "give-form" if request.method == "POST" else None
    return admin_render(request, "tokenadmin/user_add.html", context, partial=partial, status=status)


@require_http_methods(["GET", "POST"])
@users_write
def activate(request: PortalRequest, user_id: uuid.UUID, method_id: uuid.UUID) -> HttpResponse:
    perms = admin_permissions(request)
    client = graph_client(request, admin=True)
    form = ActivateForm(request.POST or None)
    error: ActionError | None = None
    held: services.UserToken | None = None
    if request.method == "POST" and form.is_valid():
        try:
            done = services.user_token_activate(
                actor=actor_of(request),
                client=client,
                user_id=str(user_id),
                method_id=str(method_id),
                code=form.cleaned_data["code"],
                manage_admin_targets=perms.manage_admin_targets,
                client_ip=client_ip(request),
            )
        except ActionError as exc:
            error = exc
        else:
            name = done.user.display_name or done.user.user_principal_name
            messages.success(request, done_text(Done.USER_ACTIVATED, serial=done.serial, name=name))
            return redirect_after_post(request, "tokenadmin:user", user_id)
    if request.method == "GET" or not request.htmx:
        try:
            held = services.user_token_get(
                client=client,
                user_id=str(user_id),
                method_id=str(method_id),
                manage_admin_targets=perms.manage_admin_targets,
            )
        except ActionError as exc:
            error = error or exc
    context = {
        "nav": NAV,
        "user_id": user_id,
        "method_id": method_id,
        "held": held,
        "form": form,
        "error": error,
    }
    return admin_render(
        request,
        "tokenadmin/user_activate.html",
        context,
        partial="activate-form" if request.method == "POST" else None,
        status=form_status(request, form, error),
    )


@require_http_methods(["GET", "POST"])
@users_write
def deactivate(request: PortalRequest, user_id: uuid.UUID, method_id: uuid.UUID) -> HttpResponse:
    return _confirm_change(request, user_id, method_id, change="deactivate")


@require_http_methods(["GET", "POST"])
@users_write
def unassign(request: PortalRequest, user_id: uuid.UUID, method_id: uuid.UUID) -> HttpResponse:
    return _confirm_change(request, user_id, method_id, change="unassign")


def _confirm_change(request: PortalRequest, user_id: uuid.UUID, method_id: uuid.UUID, *, change: str) -> HttpResponse:
    """GET: the confirmation step; POST: do it. Both changes read and act in one round trip."""
    perms = admin_permissions(request)
    client = graph_client(request, admin=True)
    error: ActionError | None = None
    held: services.UserToken | None = None
    if request.method == "POST":
        action = services.user_token_unassign if change == "unassign" else services.user_token_deactivate
        try:
            done = action(
                actor=actor_of(request),
                client=client,
                user_id=str(user_id),
                method_id=str(method_id),
                manage_admin_targets=perms.manage_admin_targets,
                client_ip=client_ip(request),
            )
        except ActionError as exc:
            error = exc
        else:
            name = done.user.display_name or done.user.user_principal_name or _("the user")
            changed = Done.USER_UNASSIGNED if change == "unassign" else Done.USER_DEACTIVATED
            messages.success(request, done_text(changed, serial=done.serial, name=name))
            return redirect_after_post(request, "tokenadmin:user", user_id)
    if not (request.method == "POST" and request.htmx):
        try:
            held = services.user_token_get(
                client=client,
                user_id=str(user_id),
                method_id=str(method_id),
                manage_admin_targets=perms.manage_admin_targets,
            )
        except ActionError as exc:
            error = error or exc
    url = reverse(f"tokenadmin:user_{change}", args=[user_id, method_id])
    context = {
        "nav": NAV,
        "user_id": user_id,
        "method_id": method_id,
        "held": held,
        "error": error,
        "change": change,
        "action_url": url,
        "inline": bool(request.htmx),
    }
    status = form_status(request, None, error)
    return admin_render(request, "tokenadmin/user_confirm.html", context, partial="confirm", status=status)
