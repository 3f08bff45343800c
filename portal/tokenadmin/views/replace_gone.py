"""The helpdesk's "Replace token" for a person with no token left to replace
(portal.tokenadmin.services.replace_gone): a Temporary Access Pass and/or a replacement from stock."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.tokenadmin.forms import ReplaceGoneForm
from portal.tokenadmin.services import replace_gone as services
from portal.web.access import admin_acting, users_write
from portal.web.http import PortalRequest
from portal.web.pages import admin_render, form_status

NAV = "users"


@never_cache  # the answer to the POST shows a Temporary Access Pass: no copy anywhere, ever
@require_http_methods(["GET", "POST"])
@users_write
def replace_gone(request: PortalRequest, user_id: uuid.UUID) -> HttpResponse:
    acting = admin_acting(request)
    # Read before the form is checked: the policy bounds the pass's lifetime, the page names the person.
    page = services.replace_gone_page_get(acting=acting, user_id=str(user_id))
    data = request.POST if request.method == "POST" else None
    form = ReplaceGoneForm(data, policy=page.policy, initial={"flow_id": page.flow_id, "mark": page.mark})
    context: dict[str, Any] = {"nav": NAV, "user_id": user_id, "person": page.user, "reported": page.reported}
    if request.method == "POST" and form.is_valid():
        flow_id, mark = str(form.cleaned_data["flow_id"]), form.cleaned_data["mark"]
        if services.replace_gone_sent_before(user_id=str(user_id), flow_id=flow_id, mark=mark):
            # A reload of the page that showed the pass: never issue or assign again.
            return admin_render(request, "tokenadmin/user_replace_gone_done.html", context)
        plan = services.ReplaceGonePlan(
            flow_id=flow_id,
            **form.get_working(),
        )
        result = services.user_token_replace_gone(
            acting=acting, user_id=str(user_id), plan=plan, reported=page.reported
        )
        # Rendered, not redirected: the pass exists only in this answer.
        return admin_render(request, "tokenadmin/user_replace_gone_done.html", {**context, "result": result})
    context.update({"form": form, "error": page.user_error, "policy": page.policy, "current_pass": page.current_pass})
    status = form_status(request, form, page.user_error)
    return admin_render(request, "tokenadmin/user_replace_gone.html", context, status=status)
