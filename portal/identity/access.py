"""Access decorators for views: signed in, and holding one of the roles an area needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from portal.identity.roles import Role
from portal.identity.signin import session_roles

View = Callable[..., HttpResponse]


def signed_in(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            back = request.get_full_path() if request.method == "GET" else request.path
            return HttpResponseRedirect(f"{reverse('identity:sign_in')}?{urlencode({'next': back})}")
        return view(request, *args, **kwargs)

    return wrapper


def roles_required(allowed: frozenset[Role], *, what: str) -> Callable[[View], View]:
    """Signed in and holding one of `allowed`; otherwise a 403 page naming the roles that would do.

    `what` completes "You need one of these roles to …" on that page.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        @signed_in
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not session_roles(request) & allowed:
                return forbidden(request, allowed, what=what)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def forbidden(request: HttpRequest, allowed: frozenset[Role], *, what: str) -> HttpResponse:
    """The 403 page: "You need one of these roles to `what`", naming the roles in `allowed`."""
    needed = sorted(role.label for role in allowed)
    return render(request, "identity/forbidden.html", {"needed": needed, "what": what}, status=403)
