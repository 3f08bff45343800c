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
from portal.core.actions import Acting
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
from portal.web.access import actor_of, admin_acting, users_read, users_write
from portal.web.http import PortalRequest
from portal.web.pages import admin_post, admin_render, form_status, page_read, read_status

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
    context: dict[str, Any] = {
        "nav": NAV,
        "user_id": user_id,
        "overview": None,
        "error": None,
        "lockout": lockout_of_person(person_oid=str(user_id), now=timezone.now()),
    }
    try:
        context["overview"] = services.user_overview_get(acting=admin_acting(request), user_id=str(user_id))
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
    """Lift this person's pause on code entry (the helpdesk checked with them), or the pause of the
    token their code form names (`key`, from its pause: ActionError.lift_key), audited."""
    lifted = lockout_lift_record(
        actor=actor_of(request),
        key=request.POST.get("key") or f"p:{person_key(str(user_id))}",
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
    acting = admin_acting(request)
    form = GiveTokenForm(request.POST if request.method == "POST" else None)
    posted = admin_post(
        request,
        form,
        lambda data: services.user_token_give(
            acting=acting,
            user_id=str(user_id),
            serial_number=data["serial_number"],
            code=data["code"],
            display_name=data["display_name"],
        ),
        done=lambda done: done_text(
            Done.USER_ASSIGNED_ACTIVATED if form.cleaned_data["code"] else Done.USER_ASSIGNED,
            serial=done.serial,
            name=done.user.display_name or done.user.user_principal_name,
        ),
        to=reverse("tokenadmin:user", args=[user_id]),
        mark_field=True,
    )
    if posted.response:
        return posted.response
    person: DirectoryUser | None = None
    read_error: ActionError | None = None
    if not (request.method == "POST" and request.htmx):  # the form part alone needs no profile
        person, read_error = page_read(lambda: services.user_profile_get(acting=acting, user_id=str(user_id)))
    status = form_status(request, form, posted.error) if read_error is None else read_status(request, read_error)
    give_error = posted.error
    if request.method == "GET":
        # The administrator's own pause, before anything is typed (a token's shows once one is picked).
        give_error = services.admin_code_pause_get(acting=acting)
    context = {
        "nav": NAV,
        "user_id": user_id,
        "person": person,
        "form": form,
        "give_error": give_error,
        "error": read_error,
    }
    partial = "give-form" if request.method == "POST" else None
    return admin_render(request, "tokenadmin/user_add.html", context, partial=partial, status=status)


@require_http_methods(["GET", "POST"])
@users_write
def activate(request: PortalRequest, user_id: uuid.UUID, method_id: uuid.UUID) -> HttpResponse:
    acting = admin_acting(request)
    form = ActivateForm(request.POST or None)
    posted = admin_post(
        request,
        form,
        lambda data: services.user_token_activate(
            acting=acting, user_id=str(user_id), method_id=str(method_id), code=data["code"]
        ),
        done=lambda done: done_text(
            Done.USER_ACTIVATED, serial=done.serial, name=done.user.display_name or done.user.user_principal_name
        ),
        to=reverse("tokenadmin:user", args=[user_id]),
    )
    if posted.response:
        return posted.response
    held, error = None, posted.error
    if request.method == "GET" or not request.htmx:
        held, error = _held_read(acting, user_id, method_id, error)
    status = form_status(request, form, error)
    if request.method == "GET" and held is not None:
        error = services.admin_code_pause_get(acting=acting, held=held, method_id=str(method_id))
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
        status=status,
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
    acting = admin_acting(request)
    action = services.user_token_unassign if change == "unassign" else services.user_token_deactivate
    changed = Done.USER_UNASSIGNED if change == "unassign" else Done.USER_DEACTIVATED
    posted = admin_post(
        request,
        None,
        lambda _: action(acting=acting, user_id=str(user_id), method_id=str(method_id)),
        done=lambda done: done_text(
            changed, serial=done.serial, name=done.user.display_name or done.user.user_principal_name or _("the user")
        ),
        to=reverse("tokenadmin:user", args=[user_id]),
    )
    if posted.response:
        return posted.response
    held, error = None, posted.error
    if not (request.method == "POST" and request.htmx):
        held, error = _held_read(acting, user_id, method_id, error)
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


def _held_read(
    acting: Acting, user_id: uuid.UUID, method_id: uuid.UUID, error: ActionError | None
) -> tuple[services.UserToken | None, ActionError | None]:
    """The token the page is about, with its holder, and the error to show: the action's, else the read's."""
    return page_read(
        lambda: services.user_token_get(acting=acting, user_id=str(user_id), method_id=str(method_id)), error
    )
