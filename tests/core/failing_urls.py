"""The portal's URLs plus one view that fails, for the server error page's tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urls


def failing(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns: list[URLPattern | URLResolver] = [path("fails", failing), *portal_urls]
__all__ = ["handler500", "urlpatterns"]
