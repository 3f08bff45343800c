"""What every admin page shares (the admin area, imports, the audit trail): the chrome's context
(templates/web/_admin_base.html), htmx partials, the status rule for pages that could not be read or
forms that failed, and the shape of a form that acts: POST, the service, then the confirmation on
the next page or the error on this one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from portal.core.action_errors import ActionError
from portal.core.http import redirect_after_post
from portal.web.access import admin_permissions
from portal.web.http import PortalRequest

T = TypeVar("T")


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


@dataclass(frozen=True)
class Posted:
    """What became of an admin form's POST: `response`, the way to the next page once the action
    is done; `error`, why it failed (this page shows it); neither for a GET or a form with mistakes."""

    response: HttpResponse | None = None
    error: ActionError | None = None


def admin_post(
    request: PortalRequest,
    form: forms.Form | None,
    act: Callable[[Mapping[str, Any]], T],
    *,
    done: Callable[[T], str],
    to: str | Callable[[T], str],
    mark_field: bool = False,
) -> Posted:
    """The action behind an admin page's form (`form` None: a confirmation button). On a POST whose
    form is valid, `act(cleaned_data)` calls the service; when it succeeds, the next page (`to`: a
    URL or URL name, or one made from the result) says `done(result)` (post/redirect/get); when it
    raises an ActionError, the page shows that, and with `mark_field` the field it is about says so
    too (core/field.html)."""
    if request.method != "POST" or (form is not None and not form.is_valid()):
        return Posted()
    try:
        result = act(form.cleaned_data if form is not None else {})
    except ActionError as error:
        if mark_field and form is not None and error.field in form.fields:
            form.add_error(error.field, "")
        return Posted(error=error)
    messages.success(request, done(result))
    return Posted(response=redirect_after_post(request, to(result) if callable(to) else to))


def page_read(read: Callable[[], T], error: ActionError | None = None) -> tuple[T | None, ActionError | None]:
    """What a page shows, read after its action: the thing read (None when the read failed) and the
    error to show, the action's `error` before the read's."""
    try:
        return read(), error
    except ActionError as exc:
        return None, error or exc
