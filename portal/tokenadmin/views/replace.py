"""The helpdesk's "Replace token" flow (portal.tokenadmin.services.replace) and its stock type-ahead."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.audit.models import AuditEvent
from portal.core.action_errors import ActionError
from portal.program.stock import stock_search
from portal.tokenadmin.forms import ReplaceTokenForm
from portal.tokenadmin.services import replace as services
from portal.web.access import admin_acting, users_write
from portal.web.http import PortalRequest
from portal.web.pages import admin_render, form_status

NAV = "users"
#: The serial fields that use the type-ahead (the name htmx sends the typed text under).
STOCK_FIELDS = ("serial_number", "replacement_serial", "q")


@never_cache  # the answer to the POST shows a Temporary Access Pass: no copy anywhere, ever
@require_http_methods(["GET", "POST"])
@users_write
def replace(request: PortalRequest, user_id: uuid.UUID, method_id: uuid.UUID) -> HttpResponse:
    acting = admin_acting(request)
    # All the page shows, in one round trip, read before the form is checked (the policy bounds the
    # pass's lifetime); a step 1 that fails changes nothing, so what was read still holds after it.
    page = services.replace_page_get(acting=acting, user_id=str(user_id), method_id=str(method_id))
    data = request.POST if request.method == "POST" else None
    form = ReplaceTokenForm(data, policy=page.policy, initial={"flow_id": services.flow_id_new()})
    error: ActionError | None = None
    if request.method == "POST" and form.is_valid():
        flow_id = str(form.cleaned_data["flow_id"])
        if AuditEvent.objects.filter(extra__flow_id=flow_id).exists():
            # Sent twice (a reload of the result page): never remove, issue or assign again.
            return admin_render(request, "tokenadmin/user_replace_done.html", {"nav": NAV, "user_id": user_id})
        plan = services.ReplacePlan(
            flow_id=flow_id,
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
            **form.get_working(),
        )
        try:
            result = services.user_token_replace(
                acting=acting, user_id=str(user_id), method_id=str(method_id), plan=plan
            )
        except ActionError as exc:
            error = exc
        else:
            # Rendered, not redirected: the pass exists only in this answer.
            done = {"nav": NAV, "user_id": user_id, "result": result}
            return admin_render(request, "tokenadmin/user_replace_done.html", done)
    error = error or page.held_error
    context: dict[str, Any] = {
        "nav": NAV,
        "user_id": user_id,
        "method_id": method_id,
        "held": page.held,
        "form": form,
        "error": error,
        "policy": page.policy,
    }
    return admin_render(request, "tokenadmin/user_replace.html", context, status=form_status(request, form, error))


@require_GET
@users_write
def stock(request: PortalRequest) -> HttpResponse:
    """Type-ahead: tokens in stock whose serial starts with what was typed (the options of the
    serial field's list box on "Give a token" and "Replace token"). Reads the inventory snapshot:
    one indexed query, no Graph call; the token is checked with Graph when it is given."""
    text = next((request.GET[name] for name in STOCK_FIELDS if name in request.GET), "")[:64]
    context = {"stock": stock_search(text=text)}
    # Always the fragment (with or without htmx): it is only ever fetched by the type-ahead.
    return render(request, "tokenadmin/_stock_field.html#stock-options", context)
