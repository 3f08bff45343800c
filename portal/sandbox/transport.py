"""requests transport adapters that answer Microsoft's hosts from the sandbox, in-process.

Mounted by settings.HTTP_TRANSPORT_ADAPTERS on the portal's sessions (portal.graph.transport):
MSAL and the Graph client send real HTTP requests through the real requests stack; only the last
hop — the adapter — is ours.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

from portal.sandbox.graph import faults
from portal.sandbox.http import SandboxRequest, SandboxResponse

Handler = Callable[[SandboxRequest], SandboxResponse]


class SandboxAdapter(BaseAdapter):
    def __init__(self, handler: Handler, base_url: str) -> None:
        super().__init__()
        self._handler = handler
        self._base_url = base_url.rstrip("/")

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = urlsplit(request.url or "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):  # a file-like or generator body
            body = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in body)
        sandbox_request = SandboxRequest(
            method=(request.method or "GET").upper(),
            base_url=self._base_url,
            path=unquote(url.path) or "/",
            query_string=url.query,
            headers=CaseInsensitiveDict(dict(request.headers)),
            body=body,
        )
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        with faults.read_deadline(read_timeout) as deadline:
            answer = self._handler(sandbox_request)
        if deadline.exceeded:
            raise requests.exceptions.ReadTimeout(
                f"Sandbox: no answer within the read timeout ({read_timeout} s).", request=request
            )
        return self._to_response(request, answer)

    @staticmethod
    def _to_response(request: requests.PreparedRequest, answer: SandboxResponse) -> requests.Response:
        raw = HTTPResponse(
            body=BytesIO(answer.body),
            headers=answer.headers,
            status=answer.status,
            preload_content=False,
            decode_content=False,
        )
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(answer.headers)
        response.raw = raw
        response.url = request.url or ""
        response.request = request
        response.reason = _REASONS.get(answer.status, "")
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    424: "Failed Dependency",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def identity_adapter() -> SandboxAdapter:
    from portal.sandbox.identity.app import handle

    return SandboxAdapter(handle, "https://login.microsoftonline.com")


def graph_adapter() -> SandboxAdapter:
    from portal.sandbox.graph.app import handle

    return SandboxAdapter(handle, "https://graph.microsoft.com")
