"""The token inventory: list, counts, one token's page, create, edit, delete, assign by reference."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.action_errors import ActionError
from portal.core.http import client_ip, redirect_after_post
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
from portal.web.access import actor_of, admin_area, admin_permissions, inventory_write, lifecycle_write, users_write
from portal.web.http import PortalRequest
from portal.web.pages import admin_render, form_status, read_status

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
    error: ActionError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device = services.inventory_token_create(
                actor=actor_of(request),
                client=graph_client(request, admin=True),
                serial_number=data["serial_number"],
                manufacturer=data["manufacturer"],
                model=data["model"],
                secret_key=data["secret_key"],
                time_interval=data["time_interval"],
                hash_function=data["hash_function"],
                display_name=data["display_name"],
                assign_to=data["assign_to"],
                client_ip=client_ip(request),
            )
        except ActionError as exc:
            error = exc
            if exc.field in form.fields:
                form.add_error(exc.field, "")
        else:
            created = Done.INVENTORY_CREATED_ASSIGNED if data["assign_to"] else Done.INVENTORY_CREATED
            messages.success(request, done_text(created, serial=device.serial_number, name=data["assign_to"]))
            return redirect_after_post(request, "tokenadmin:device", device.id)
    context = {"nav": NAV, "form": form, "error": error, "device": None}
    return admin_render(
        request,
        "tokenadmin/device_form.html",
        context,
        partial="token-form" if request.method == "POST" else None,
        status=form_status(request, form, error),
    )


@require_http_methods(["GET", "POST"])
@inventory_write
def edit(request: PortalRequest, device_id: uuid.UUID) -> HttpResponse:
    client = graph_client(request, admin=True)
    form = TokenMetadataForm(request.POST or None)
    error: ActionError | None = None
    device: HardwareOathDevice | None = None
    if request.method == "POST" and form.is_valid():
        try:
            device = services.inventory_token_update(
                actor=actor_of(request),
                client=client,
                device_id=str(device_id),
                changes=form.changes(),
                client_ip=client_ip(request),
            )
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, done_text(Done.INVENTORY_UPDATED, serial=device.serial_number))
            return redirect_after_post(request, "tokenadmin:device", device_id)
    if device is None:
        try:
            device = services.inventory_token_get(client=client, device_id=str(device_id))
        except ActionError as exc:
            error = error or exc
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
    client = graph_client(request, admin=True)
    error: ActionError | None = None
    device: HardwareOathDevice | None = None
    if request.method == "POST":
        try:
            device = services.inventory_token_delete(
                actor=actor_of(request), client=client, device_id=str(device_id), client_ip=client_ip(request)
            )
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, done_text(Done.INVENTORY_DELETED, serial=device.serial_number))
            return redirect_after_post(request, "tokenadmin:inventory")
    try:
        device = services.inventory_token_get(client=client, device_id=str(device_id))
    except ActionError as exc:
        error = error or exc
    if request.method == "GET" and device is not None and device.assigned_to is not None:
        error = services.unassign_first_error(device, change=InventoryChange.DELETE)
    context = {"nav": NAV, "device": device, "error": error}
    status = form_status(request, None, error) if request.method == "POST" else read_status(request, None)
    return admin_render(request, "tokenadmin/device_delete.html", context, partial="confirm", status=status)


@require_http_methods(["GET", "POST"])
@users_write
def assign(request: PortalRequest, device_id: uuid.UUID) -> HttpResponse:
    """Assign this token to a user by reference (the UPN is resolved to the user's object id)."""
    perms = admin_permissions(request)
    client = graph_client(request, admin=True)
    form = AssignToUserForm(request.POST or None)
    error: ActionError | None = None
    device: HardwareOathDevice | None = None
    if request.method == "POST" and form.is_valid():
        try:
            device, user = services.inventory_token_assign(
                actor=actor_of(request),
                client=client,
                device_id=str(device_id),
                upn=form.cleaned_data["upn"],
                manage_admin_targets=perms.manage_admin_targets,
                client_ip=client_ip(request),
            )
        except ActionError as exc:
            error = exc
            if exc.field in form.fields:
                form.add_error(exc.field, "")
        else:
            name = user.display_name or user.user_principal_name
            messages.success(request, done_text(Done.USER_ASSIGNED, serial=device.serial_number, name=name))
            return redirect_after_post(request, "tokenadmin:device", device_id)
    if not request.htmx:
        try:
            device = services.inventory_token_get(client=client, device_id=str(device_id))
        except ActionError as exc:
            error = error or exc
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
    client = graph_client(request, admin=True)
    form = LifecycleForm(request.POST or None)
    error: ActionError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            event = services.inventory_token_lifecycle_set(
                actor=actor_of(request),
                client=client,
                device_id=str(device_id),
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                client_ip=client_ip(request),
            )
        except ActionError as exc:
            error = exc
        else:
            messages.success(
                request,
                done_text(Done.INVENTORY_RECORDED, serial=event.serial_number, state=event.get_state_display()),
            )
            return redirect_after_post(request, "tokenadmin:device", device_id)
    device: HardwareOathDevice | None = None
    try:
        device = services.inventory_token_get(client=client, device_id=str(device_id))
    except ActionError as exc:
        error = error or exc
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
    client = graph_client(request, admin=True)
    form = RetireForm(request.POST or None)
    error: ActionError | None = None
    device: HardwareOathDevice | None = None
    if request.method == "POST" and form.is_valid():
        try:
            device = services.inventory_token_retire(
                actor=actor_of(request),
                client=client,
                device_id=str(device_id),
                note=form.cleaned_data["note"],
                client_ip=client_ip(request),
            )
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, done_text(Done.INVENTORY_RETIRED, serial=device.serial_number))
            return redirect_after_post(request, "tokenadmin:inventory")
    try:
        device = services.inventory_token_get(client=client, device_id=str(device_id))
    except ActionError as exc:
        error = error or exc
    if request.method == "GET" and device is not None and device.assigned_to is not None:
        error = services.unassign_first_error(device, change=InventoryChange.RETIRE)
    context = {"nav": NAV, "device": device, "device_id": device_id, "form": form, "error": error}
    status = form_status(request, form, error) if request.method == "POST" else read_status(request, None)
    return admin_render(request, "tokenadmin/device_retire.html", context, status=status)
