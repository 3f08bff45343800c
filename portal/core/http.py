"""HTTP basics with no knowledge of who is signed in: the caller's address, post/redirect/get."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: REMOTE_ADDR, or the right-most untrusted X-Forwarded-For hop when the
    portal runs behind TRUSTED_PROXY_COUNT load balancers (left-most entries are caller-forged)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def redirect_after_post(request: HttpRequest, to: str, *args: object) -> HttpResponse:
    """Post/redirect/get, also for htmx (which would otherwise swap the next page into the form); also
    how the middleware sends a person back through sign-in."""
    url = resolve_url(to, *args)
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
