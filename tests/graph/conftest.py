"""A fake Graph for the client's own unit tests: a requests transport adapter with scripted answers.

This fakes the far end of the wire (canned Graph envelopes), never our own code: the client, the
session and requests' whole stack run for real. Only these tests may use canned Graph answers;
everything above the client is tested against the sandbox tenant.
"""

from __future__ import annotations

import json as jsonlib
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

from portal.graph.client import GraphClient
from portal.graph.retry import RetryPolicy

BASE = "https://graph.microsoft.com/beta"
TOKEN = "canary-token-eyJhbGciOi.J9.c2VjcmV0"


@dataclass
class Sent:
    """What the client put on the wire."""

    method: str
    url: str
    headers: CaseInsensitiveDict[str]
    body: bytes
    timeout: Any

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.removeprefix("/beta")

    @property
    def query(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlsplit(self.url).query).items()}

    @property
    def json(self) -> Any:
        return jsonlib.loads(self.body) if self.body else None


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    raise_: Exception | None = None


class FakeGraph(BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.script: deque[Answer | Callable[[Sent], Answer]] = deque()
        self.sent: list[Sent] = []

    # -- scripting ------------------------------------------------------------------------------

    def reply(
        self,
        status: int = 200,
        json: Any = None,
        *,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FakeGraph:
        hdrs = {"request-id": f"rid-{len(self.script) + len(self.sent)}", **(headers or {})}
        if json is not None:
            body = jsonlib.dumps(json).encode()
            hdrs.setdefault("Content-Type", "application/json; odata.metadata=minimal")
        elif text is not None:
            body = text.encode()
        else:
            body = b""
        self.script.append(Answer(status, body, hdrs))
        return self

    def fail(self, exc: Exception) -> FakeGraph:
        self.script.append(Answer(raise_=exc))
        return self

    def respond_with(self, responder: Callable[[Sent], Answer]) -> FakeGraph:
        self.script.append(responder)
        return self

    # -- the adapter ------------------------------------------------------------------------------

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        body = request.body or b""
        sent = Sent(
            method=request.method or "",
            url=request.url or "",
            headers=CaseInsensitiveDict(dict(request.headers)),
            body=body.encode() if isinstance(body, str) else bytes(body),
            timeout=timeout,
        )
        self.sent.append(sent)
        assert self.script, f"unexpected request: {sent.method} {sent.path}"
        item = self.script.popleft()
        answer = item(sent) if callable(item) else item
        if answer.raise_ is not None:
            if isinstance(answer.raise_, requests.RequestException):
                answer.raise_.request = request
            raise answer.raise_
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(answer.headers)
        response.raw = HTTPResponse(body=BytesIO(answer.body), status=answer.status, preload_content=False)
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def graph_error(
    error_code: str, message: str = "msg", /, *, request_id: str = "inner-rid", **inner: Any
) -> dict[str, Any]:
    """A Graph error envelope; extra keywords go into innerError."""
    return {
        "error": {
            "code": error_code,
            "message": message,
            "innerError": {
                "date": "2025-06-01T08:30:12",
                "request-id": request_id,
                "client-request-id": "inner-crid",
                **inner,
            },
        }
    }


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
def session(fake: FakeGraph) -> requests.Session:
    # A plain Session, not the portal's OutgoingSession: the client itself must pass the timeout.
    session = requests.Session()
    session.mount("https://", fake)
    session.mount("http://", fake)
    return session


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(session: requests.Session, sleeps: list[float]) -> GraphClient:
    return GraphClient(
        TOKEN,
        session=session,
        base_url=BASE,
        sleep=sleeps.append,
        timeout=7.5,
        policy=RetryPolicy(max_retries=3, max_wait=8.0),
    )
