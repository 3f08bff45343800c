"""The portal's Microsoft Graph client: one requests session, one retry policy, typed calls and errors.

Import from here: `from portal.graph import GraphClient, GraphError, GraphNotFound, calls, ...`;
the layers are described in `portal.graph.client`.
"""

from __future__ import annotations

from portal.graph import calls
from portal.graph.calls import GraphCall, Result
from portal.graph.client import GraphClient
from portal.graph.connection import GraphResponse
from portal.graph.errors import (
    GraphBadRequest,
    GraphBadResponse,
    GraphConflict,
    GraphError,
    GraphFailedDependency,
    GraphForbidden,
    GraphForeignURL,
    GraphNotFound,
    GraphServerError,
    GraphThrottled,
    GraphUnauthorized,
    GraphUnavailable,
)
from portal.graph.retry import RetryPolicy
from portal.graph.types import (
    BulkItemResult,
    DirectoryUser,
    HardwareOathDevice,
    HardwareOathMethod,
    HashFunction,
    Identity,
    Page,
    TokenStatus,
)

__all__ = [
    "BulkItemResult",
    "DirectoryUser",
    "GraphBadRequest",
    "GraphBadResponse",
    "GraphCall",
    "GraphClient",
    "GraphConflict",
    "GraphError",
    "GraphFailedDependency",
    "GraphForbidden",
    "GraphForeignURL",
    "GraphNotFound",
    "GraphResponse",
    "GraphServerError",
    "GraphThrottled",
    "GraphUnauthorized",
    "GraphUnavailable",
    "HardwareOathDevice",
    "HardwareOathMethod",
    "HashFunction",
    "Identity",
    "Page",
    "Result",
    "RetryPolicy",
    "TokenStatus",
    "calls",
]
