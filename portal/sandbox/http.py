"""The sandbox's own tiny HTTP vocabulary: what its cores take and give back.

The in-process requests adapter (portal.sandbox.transport) and the dev-server views
(portal.sandbox.views) both translate to and from these, so the identity provider and the Graph
emulator are plain functions `handle(SandboxRequest) -> SandboxResponse` that know nothing of
Django's request cycle (which must not run nested inside a portal request).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from requests.structures import CaseInsensitiveDict


@dataclass(frozen=True)
class SandboxRequest:
    method: str
    # Where the caller thinks it is talking to, e.g. "https://graph.microsoft.com" in-process or
    # "http://127.0.0.1:8000/sandbox/graph" over the dev server. Links the sandbox emits
    # (@odata.nextLink, discovery documents) are built on it.
    base_url: str
    path: str  # below base_url, starting with "/", percent-decoded, no query string
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""

    @property
    def query(self) -> dict[str, str]:
        """Single-valued query parameters (the last value wins, as in Graph)."""
        return {key: values[-1] for key, values in parse_qs(self.query_string, keep_blank_values=True).items()}

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {key: values[-1] for key, values in parsed.items()}


@dataclass
class SandboxResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, data: Any, headers: Mapping[str, str] | None = None) -> SandboxResponse:
        return cls(
            status=status,
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
            body=json.dumps(data).encode("utf-8"),
        )

    @classmethod
    def empty(cls, status: int = 204, headers: Mapping[str, str] | None = None) -> SandboxResponse:
        return cls(status=status, headers=dict(headers or {}))
