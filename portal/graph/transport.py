"""The one way the portal makes outgoing HTTP requests (to Entra through MSAL, and to Graph).

Every session has a mandatory timeout, and the adapters that carry its traffic come from settings:
production talks to Microsoft over HTTPS; the sandbox mounts in-process adapters for Microsoft's
hosts and refuses every other URL, so nothing can leak to a real host from a sandbox install.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from requests.adapters import BaseAdapter


class RefusedURL(requests.exceptions.ConnectionError):
    """A URL this installation has no transport for (only raised in sandbox mode)."""


class RefusingAdapter(BaseAdapter):
    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        # The message names the host only: a full URL could carry a code or a token.
        host = urlsplit(request.url or "").hostname
        raise RefusedURL(f"Outgoing request to {host!r} refused: no transport is configured for it.")

    def close(self) -> None:
        pass


class OutgoingSession(requests.Session):
    """A session whose requests always have a timeout (requests' default is to wait forever)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout
        if settings.HTTP_REFUSE_UNMOUNTED:
            self.mount("http://", RefusingAdapter())
            self.mount("https://", RefusingAdapter())
        for prefix, factory in settings.HTTP_TRANSPORT_ADAPTERS.items():
            self.mount(prefix, import_string(factory)())

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


def build_session(*, timeout: float | None = None, headers: Mapping[str, str] | None = None) -> OutgoingSession:
    session = OutgoingSession(timeout if timeout is not None else settings.GRAPH_TIMEOUT_SECONDS)
    session.headers.update({"User-Agent": "oath-portal/0.1"})
    if headers:
        session.headers.update(headers)
    return session
