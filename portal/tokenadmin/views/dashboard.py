"""The admin area's home: what needs attention, the inventory at a glance, where to go next."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.identity.graph_access import graph_client
from portal.program.attention import attention_groups
from portal.program.refresh import snapshot_state_get
from portal.tokenadmin.forms import UserSearchForm
from portal.tokenadmin.services.inventory import inventory_counts_get
from portal.web.access import admin_area
from portal.web.http import PortalRequest
from portal.web.pages import admin_render


@require_GET
@admin_area
def home(request: PortalRequest) -> HttpResponse:
    # The first admin page an administrator opens: asking for the admin-scoped token here is what
    # triggers the incremental consent (ReauthenticationRequired → sign-in with the admin scopes).
    # That one round trip (the live counts) is the page's only Graph call; the queue is the snapshot's.
    counts = inventory_counts_get(client=graph_client(request, admin=True))
    context = {
        "nav": "home",
        "counts": counts,
        "search_form": UserSearchForm(),
        "state": snapshot_state_get(),
        "groups": attention_groups(now=timezone.now()),
    }
    return admin_render(request, "tokenadmin/home.html", context)
