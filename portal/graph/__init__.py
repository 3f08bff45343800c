"""The portal's Microsoft Graph client: one requests session, typed errors and results.

Import from here: `from portal.graph import GraphClient, GraphError, GraphNotFound, ...`.
"""

from __future__ import annotations

from portal.graph.batch import BatchRequest, BatchResponse
from portal.graph.client import GraphClient, GraphResponse
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
    "BatchRequest",
    "BatchResponse",
    "BulkItemResult",
    "DirectoryUser",
    "GraphBadRequest",
    "GraphBadResponse",
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
    "TokenStatus",
]
