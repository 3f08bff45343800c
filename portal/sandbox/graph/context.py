"""One request being answered (`Call`) and the response helpers every endpoint uses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.sandbox.graph import errors
from portal.sandbox.graph.auth import Caller
from portal.sandbox.http import SandboxRequest, SandboxResponse

API_VERSION = "/beta"
# What Graph itself sends for OData JSON answers.
ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


@dataclass
class Call:
    request: SandboxRequest
    request_id: str
    client_request_id: str
    # True for a member of a $batch: logged separately and never faulted as a whole batch.
    batch_item: bool = False
    caller_or_none: Caller | None = None

    @property
    def caller(self) -> Caller:
        # Every endpoint runs after authentication (app.py), so this only guards programming errors.
        assert self.caller_or_none is not None, "endpoint reached without authentication"
        return self.caller_or_none

    @property
    def api_base(self) -> str:
        """e.g. https://graph.microsoft.com/beta — what every emitted link is built on."""
        return self.request.base_url.rstrip("/") + API_VERSION

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    def json_body(self) -> Any:
        if not self.request.body.strip():
            return None
        try:
            return json.loads(self.request.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise errors.BAD_REQUEST(
                "Unable to read JSON request payload. Please ensure Content-Type "
                "header is set and payload is of valid JSON format."
            ) from None

    def object_body(self) -> dict[str, Any]:
        """The JSON object body of a write; 400 when it is absent or not an object."""
        body = self.json_body()
        if not isinstance(body, dict):
            raise errors.BAD_REQUEST("The request body must be a JSON object.")
        return body


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> SandboxResponse:
    return SandboxResponse(
        status=status,
        headers={"Content-Type": ODATA_JSON, "OData-Version": "4.0", **(headers or {})},
        body=json.dumps(data).encode("utf-8"),
    )


def text_response(text: str, status: int = 200) -> SandboxResponse:
    return SandboxResponse(status=status, headers={"Content-Type": "text/plain;charset=utf-8"}, body=text.encode())


def no_content() -> SandboxResponse:
    return SandboxResponse(status=204, headers={})
