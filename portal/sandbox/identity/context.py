"""What one request to the identity provider carries besides the HTTP request itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass
class Call:
    # Entra's per-request ids: trace_id is the server's own (x-ms-request-id); correlation_id is the
    # client's `client-request-id` when it sent one (MSAL always does), so both sides can match logs.
    trace_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    caller_oid: str = ""  # the user a token was issued for, for the request log
