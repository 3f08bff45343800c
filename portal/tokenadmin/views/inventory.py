"""The token inventory: list, counts, one token's page, create, edit, delete, assign by reference."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.action_errors import ActionError
from portal.core.actions import Acting
from portal.core.wording import Done, InventoryChange, done_text
from portal.graph.types import HardwareOathDevice
from portal.identity.graph_access import graph_client
from portal.lifecycle.services import lifecycle_history, lifecycle_in_state
from portal.tokenadmin.forms import (
    AssignToUserForm,
    InventoryFilterForm,
    LifecycleForm,
    RetireForm,
    TokenCreateForm,
    TokenMetadataForm,
)
from portal.tokenadmin.paging import next_link_from, page_token_make
from portal.tokenadmin.services import inventory as services
from portal.web.access import actor_of, admin_acting, admin_area, inventory_write, lifecycle_write, users_write
from portal.web.http import PortalRequest
from portal.web.pages import admin_post, admin_render, form_status, page_read, read_status

NAV = "inventory"


@require_GET
@admin_area
def index(request: PortalRequest) -> HttpResponse:
    filter_form = InventoryFilterForm(request.GET or None)
    filters = filter_form.graph_filters()
    actor = actor_of(request)
    # The page token is only valid for the filters it was made with.
    scope = "inventory:" + json.dumps(filters, sort_keys=True)
    context: dict[str, Any] = {
        "nav": NAV,
        "filter_form": filter_form,
        "page": None,
        "error": None,
        "next_page": None,
        "paged": bool(request.GET.get("page")),
        "recorded": None,
    }
    if filter_form.is_bound and not filter_form.is_valid():
        return admin_render(request, "tokenadmin/inventory.html", context, partial="results", status=400)
    if filter_form.is_bound and filter_form.cleaned_data.get("lifecycle"):
        # Graph has no such state: the list comes from the portal's own records.
        context["recorded"] = lifecycle_in_state(filter_form.cleaned_data["lifecycle"])
        return admin_render(request, "tokenadmin/inventory.html", context, partial="results")
    try:
        next_link = next_link_from(request, actor_oid=actor.oid, scope=scope)
        page = services.inventory_page_get(
            client=graph_client(request, admin=True), filters=filters, next_link=next_link
        )
    except ActionError as error:
        context["error"] = error
    else:
        context["page"] = page
        if page.next_link:
            context["next_page"] = page_token_make(next_link=page.next_link, actor_oid=actor.oid, scope=scope)
    return admin_render(
        request,
        "tokenadmin/inventory.html",
        context,
        partial="results",
        status=read_status(request, context["error"]),
    )


@require_GET
@admin_area
def detail(request: PortalRequest, device_id: uuid.UUID) -> HttpResponse:
    context: dict[str, Any] = {
        "nav": NAV,
        "device": None,
        "device_id": device_id,
        "error": None,
        "assign_form": AssignToUserForm(),
        "lifecycle_form": LifecycleForm(),
        "history": lifecycle_history(str(device_id)),
    }
    try:
        context["device"] = services.inventory_token_get(
            client=graph_client(request, admin=True), device_id=str(device_id)
        )
    except ActionError as error:
        context["error"] = error
    return admin_render(request, "tokenadmin/device.html", context, status=read_status(request, context["error"]))


@require_http_methods(["GET", "POST"])
@inventory_write
def create(request: PortalRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None, initial={"time_interval": 30, "hash_function": "hmacsha1"})
    posted = admin_post(
        request,
        form,
        lambda data: services.inventory_token_create(
            acting=admin_acting(request),  # a Graph token is asked for only when there is something to send
            serial_number=data["serial_number"],
            manufacturer=data["manufacturer"],
            model=data["model"],
            secret_key=data["secret_key"],
            time_interval=data["time_interval"],
            hash_function=data["hash_function"],
            display_name=data["display_name"],
            assign_to=data["assign_to"],
        ),
        done=lambda device: done_text(
            Done.INVENTORY_CREATED_ASSIGNED if form.cleaned_data["assign_to"] else Done.INVENTORY_CREATED,
            serial=device.serial_number,
            name=form.cleaned_data["assign_to"],
        ),
        to=lambda device: reverse("tokenadmin:device", args=[device.id]),
        mark_field=True,
    )
    if posted.response:
        return posted.response
    context = {"nav": NAV, "form": form, "error": posted.error, "device": None}
    return admin_render(
        request,
        "tokenadmin/device_form.html",
        context,
        partial="token-form" if request.method == "POST" else None,
        status=form_status(request, form, posted.error),
    )


@require_http_methods(["GET", "POST"])
@inventory_write
def edit(request: PortalRequest, device_id: uuid.UUID) -> HttpResponse:
    acting = admin_acting(request)
    form = TokenMetadataForm(request.POST or None)
    posted = admin_post(
        request,
        form,
        lambda _: services.inventory_token_update(acting=acting, device_id=str(device_id), changes=form.changes()),
        done=lambda device: done_text(Done.INVENTORY_UPDATED, serial=device.serial_number),
        to=reverse("tokenadmin:device", args=[device_id]),
    )
    if posted.response:
        return posted.response
    device, error = _device_read(acting, device_id, posted.error)
    if device is not None and request.method == "GET":
        form = TokenMetadataForm(initial=TokenMetadataForm.initial_from(device))
    if device is not None and device.assigned_to is not None and error is None:
        # Say why before the admin types anything: Graph only edits unassigned tokens.
        error = services.unassign_first_error(device, change=InventoryChange.EDIT)
    context = {"nav": NAV, "form": form, "error": error, "device": device}
    return admin_render(
        request,
        "tokenadmin/device_form.html",
        context,
        partial="token-form" if request.method == "POST" else None,
        status=form_status(request, form, error) if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@inventory_write
def delete(request: PortalRequest, device_id: uuid.UUID) -> HttpResponse:
    acting = admin_acting(request)
    posted = admin_post(
        request,
        None,
        lambda _: services.inventory_token_delete(acting=acting, device_id=str(device_id)),
        done=lambda device: done_text(Done.INVENTORY_DELETED, serial=device.serial_number),
        to="tokenadmin:inventory",
    )
    if posted.response:
        return posted.response
    device, error = _device_read(acting, device_id, posted.error)
    if request.method == "GET" and device is not None and device.assigned_to is not None:
        error = services.unassign_first_error(device, change=InventoryChange.DELETE)
    context = {"nav": NAV, "device": device, "error": error}
    status = form_status(request, None, error) if request.method == "POST" else read_status(request, None)
    return admin_render(request, "tokenadmin/device_delete.html", context, partial="confirm", status=status)


@require_http_methods(["GET", "POST"])
@users_write
def assign(request: PortalRequest, device_id: uuid.UUID) -> HttpResponse:
    """Assign this token to a user by reference (the UPN is resolved to the user's object id)."""
    acting = admin_acting(request)
    form = AssignToUserForm(request.POST or None)
    posted = admin_post(
        request,
        form,
        lambda data: services.inventory_token_assign(acting=acting, device_id=str(device_id), upn=data["upn"]),
        done=lambda done: done_text(
            Done.USER_ASSIGNED, serial=done[0].serial_number, name=done[1].display_name or done[1].user_principal_name
        ),
        to=reverse("tokenadmin:device", args=[device_id]),
        mark_field=True,
    )
    if posted.response:
        return posted.response
    device, error = None, posted.error
    if not request.htmx:
        device, error = _device_read(acting, device_id, error)
    context = {
        "nav": NAV,
        "device": device,
        "device_id": device_id,
        "assign_form": form,
        "assign_error": error,
        "error": None,
    }
    return admin_render(
        request,
        "tokenadmin/device.html",
        context,
        partial="assign-form",
        status=form_status(request, form, error),
    )


@require_http_methods(["GET", "POST"])
@lifecycle_write
def lifecycle(request: PortalRequest, device_id: uuid.UUID) -> HttpResponse:
    """Record what happened to a token in stock (returned, sent back to the vendor, lost…). The form
    is on the token's page; a GET shows that page."""
    acting = admin_acting(request)
    form = LifecycleForm(request.POST or None)
    posted = admin_post(
        request,
        form,
        lambda data: services.inventory_token_lifecycle_set(
            acting=acting, device_id=str(device_id), state=data["state"], note=data["note"]
        ),
        done=lambda event: done_text(
            Done.INVENTORY_RECORDED, serial=event.serial_number, state=event.get_state_display()
        ),
        to=reverse("tokenadmin:device", args=[device_id]),
    )
    if posted.response:
        return posted.response
    device, error = _device_read(acting, device_id, posted.error)
    context = {
        "nav": NAV,
        "device": device,
        "device_id": device_id,
        "error": None,
        "assign_form": AssignToUserForm(),
        "lifecycle_form": form,
        "lifecycle_error": error,
        "history": lifecycle_history(str(device_id)),
    }
    status = form_status(request, form, error) if request.method == "POST" else read_status(request, error)
    return admin_render(request, "tokenadmin/device.html", context, status=status)


@require_http_methods(["GET", "POST"])
@inventory_write
def retire(request: PortalRequest, device_id: uuid.UUID) -> HttpResponse:
    """Confirm, then delete the token from Entra's inventory and record it as retired."""
    acting = admin_acting(request)
    form = RetireForm(request.POST or None)
    posted = admin_post(
        request,
        form,
        lambda data: services.inventory_token_retire(acting=acting, device_id=str(device_id), note=data["note"]),
        done=lambda device: done_text(Done.INVENTORY_RETIRED, serial=device.serial_number),
        to="tokenadmin:inventory",
    )
    if posted.response:
        return posted.response
    device, error = _device_read(acting, device_id, posted.error)
    if request.method == "GET" and device is not None and device.assigned_to is not None:
        error = services.unassign_first_error(device, change=InventoryChange.RETIRE)
    context = {"nav": NAV, "device": device, "device_id": device_id, "form": form, "error": error}
    status = form_status(request, form, error) if request.method == "POST" else read_status(request, None)
    return admin_render(request, "tokenadmin/device_retire.html", context, status=status)


def _device_read(
    acting: Acting, device_id: uuid.UUID, error: ActionError | None
) -> tuple[HardwareOathDevice | None, ActionError | None]:
    """The token the page shows, and the error it shows: the action's `error`, else the read's."""
    return page_read(lambda: services.inventory_token_get(client=acting.client, device_id=str(device_id)), error)
