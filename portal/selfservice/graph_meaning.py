"""What Graph failures mean on the employee's pages."""

from __future__ import annotations

from portal.core.action_errors import ActionError, token_action_error
from portal.graph.errors import GraphError


def method_error(exc: GraphError) -> ActionError:
    """A failed call about one of the person's tokens, by its method id (read, activate, remove)."""
    error = token_action_error(exc)
    if error.reason == "not_found":
        # By id rather than serial: the token is not (or no longer) on this person's account.
        return ActionError(
            reason="not_found",
            message="This token is not on your account (any more).",
            next_step="Go back to your tokens; the list shows what is on your account now.",
            request_id=error.request_id,
        )
    return error
