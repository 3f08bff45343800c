"""Rendering every admin page shares (the admin area, imports, the audit trail): the chrome's
context (templates/web/_admin_base.html), htmx partials, and the status rule for pages that could
not be read or forms that failed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from portal.core.action_errors import ActionError
from portal.web.access import admin_permissions
from portal.web.http import PortalRequest


def admin_render(
    request: PortalRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render an admin page, or only its `partial` for htmx; adds what the layout needs."""
    context = {"can": admin_permissions(request), **context}
    # A history restore (back button, with htmx's history cache off) needs the whole page.
    in_place = bool(request.htmx) and not request.htmx.history_restore_request
    name = f"{template}#{partial}" if partial and in_place else template
    response = render(request, name, context, status=status)
    # The same URL answers a page or a part of it: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def read_status(request: PortalRequest, error: ActionError | None) -> int:
    """Status of a page that could not be read. htmx only swaps 2xx answers (by default), so an
    in-place answer stays 200 and shows the error where the content would have been."""
    if error is None or request.htmx:
        return 200
    return error.reason.status


def form_status(request: PortalRequest, form: forms.Form | None, error: ActionError | None) -> int:
    """Status of a form page: 200 when shown or fine, 400 when the input or the action failed
    (200 for htmx, which would not swap the answer otherwise)."""
    if request.method != "POST":
        return read_status(request, error)
    if (form is None or form.is_valid()) and error is None:
        return 200
    return 200 if request.htmx else 400
