from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from portal.identity.models import User


class PortalRequest(HttpRequest):
    """The one request type views declare (django-htmx's typing pattern): `request.htmx` is always
    there, and behind an access decorator `request.user` is a real portal user."""

    htmx: HtmxDetails
    user: User
