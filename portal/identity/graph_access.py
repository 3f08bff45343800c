from __future__ import annotations

from django.http import HttpRequest

from portal.graph.client import GraphClient
from portal.identity.signin import graph_access_token


def graph_client(request: HttpRequest, *, admin: bool = False) -> GraphClient:
    """A Graph client acting as the signed-in person, with the employee or the admin scopes."""
    return GraphClient(graph_access_token(request=request, admin=admin))
