"""The one vocabulary for what went wrong (or how a job ended).

A `Reason` is what the audit trail records, what tests assert and what the wording tables
(portal.core.wording) are keyed on. Each member carries its behaviour, so no code anywhere compares
reason strings: the HTTP status of a page that failed with it, whether it counts towards the
wrong-code limit, whether trying later can help, and the form field it is usually about.

Graph's answers become reasons in one place only: portal.core.classify.
To add a reason: add the member here (and its traits below if they differ from the defaults), then
its sentences in portal.core.wording; tests/core/test_wording.py fails until every audience that can
meet it has words for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum, auto


class Reason(StrEnum):
    # -- a token or a user is not in the state the action needs ----------------------------------
    WRONG_CODE = "wrong_code"
    UNKNOWN_SERIAL = "unknown_serial"  # no token with this serial in the inventory
    TOKEN_NOT_FOUND = "token_not_found"  # the token (by id) is not, or no longer, there
    USER_NOT_FOUND = "user_not_found"
    ALREADY_ASSIGNED = "already_assigned"  # held by someone else
    ALREADY_THEIRS = "already_theirs"  # held by the very person it was to be assigned to
    ASSIGNED = "assigned"  # an assigned token cannot be edited or deleted
    ALREADY_ACTIVE = "already_active"
    NOT_ACTIVE = "not_active"
    DUPLICATE_SERIAL = "duplicate_serial"
    GUEST_USER = "guest_user"
    METHOD_LIMIT = "method_limit"
    INVALID_REQUEST = "invalid_request"
    OUT_OF_SERVICE = "out_of_service"  # the portal recorded it lost, broken, stolen, retired or sent back
    # -- Temporary Access Pass -------------------------------------------------------------------
    PASS_DISABLED = "pass_disabled"  # the tenant's policy switches passes off
    PASS_LIFETIME = "pass_lifetime"  # the lifetime asked for is outside the tenant's policy
    # -- not allowed -----------------------------------------------------------------------------
    FORBIDDEN = "forbidden"
    ADMIN_TARGET = "admin_target"  # the target holds an admin role the actor may not manage
    FORBIDDEN_ASSIGN = "forbidden_assign"  # may create tokens, but not assign them
    TOO_MANY_ATTEMPTS = "too_many_attempts"  # the portal's own wrong-code limit (the short window's)
    TOO_MANY_ATTEMPTS_TODAY = "too_many_attempts_today"  # the portal's daily wrong-code cap
    # -- the service -----------------------------------------------------------------------------
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    UNCONFIRMED = "unconfirmed"  # a write was sent and its answer lost: it may or may not have happened
    UNEXPECTED = "unexpected"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    PAGE_EXPIRED = "page_expired"
    # -- how an import job ended (the audit trail's "import finished" events) --------------------
    DONE = "done"
    DONE_WITH_FAILURES = "done_with_failures"
    CANCELLED = "cancelled"
    FAILED = "failed"
    SIGNIN_EXPIRED = "signin_expired"
    SIGNIN_REJECTED = "signin_rejected"
    IDENTITY_UNAVAILABLE = "identity_unavailable"
    LOOKUP_FAILED = "lookup_failed"
    WORKER_LOST = "worker_lost"

    @property
    def status(self) -> int:
        """HTTP status of a full page that could not be shown because of this."""
        return _traits(self).status

    @property
    def counts_as_wrong_code(self) -> bool:
        """Whether this failure counts towards the brute-force limit on verification codes."""
        return _traits(self).wrong_code

    @property
    def retry_later(self) -> bool:
        """Whether sending the same thing again later can succeed (imports keep such rows)."""
        return _traits(self).retry_later

    @property
    def field(self) -> str | None:
        """The form field this is usually about (a form may name its own field instead)."""
        return _traits(self).field

    @property
    def job_ending(self) -> bool:
        """A way an import job ended, not a failed action: it appears in the audit trail only."""
        return self in _JOB_ENDINGS


class Attention(StrEnum):
    """Why an item is in the administrators' needs-attention queue (portal.program.attention), in
    the order the queue shows them. Its words are in portal.core.wording.ATTENTION."""

    HOLDER_DELETED = "holder_deleted"
    HOLDER_DISABLED = "holder_disabled"
    FAILED_ACTIVATION = "failed_activation"
    NOT_ACTIVATED = "not_activated"
    NOT_USED = "not_used"
    NEVER_USED = "never_used"
    LOCKED_OUT = "locked_out"


class About(Enum):
    """What a Graph call was about: the context that changes what the same answer means (a 404 for
    a serial is "not in the inventory", for a method id "not on this account")."""

    MY_TOKENS = auto()  # the employee's own tokens (list, read)
    MY_NEW_TOKEN = auto()  # the employee adds a token by its serial number
    MY_TOKEN = auto()  # one of the employee's tokens, by its method id
    USER = auto()  # an admin reads a user's profile or tokens
    USER_TOKEN = auto()  # an admin changes a user's token
    INVENTORY_READ = auto()
    INVENTORY_WRITE = auto()  # create, edit, delete an inventory token
    INVENTORY_CREATE_ASSIGNED = auto()  # create a token that is assigned at once
    DIRECTORY = auto()  # an admin looks people up (search, by UPN)
    IMPORT_SEED = auto()  # a seed-file row: create (and maybe assign) a token
    IMPORT_ASSIGN = auto()  # an assignment-file row
    USER_PASS = auto()  # an admin issues a user a Temporary Access Pass


@dataclass(frozen=True)
class _Traits:
    status: int = 503
    wrong_code: bool = False
    retry_later: bool = False
    field: str | None = None


_TRAITS: dict[Reason, _Traits] = {
    Reason.WRONG_CODE: _Traits(field="code", wrong_code=True),
    Reason.TOO_MANY_ATTEMPTS: _Traits(field="code"),
    Reason.TOO_MANY_ATTEMPTS_TODAY: _Traits(field="code"),
    Reason.UNKNOWN_SERIAL: _Traits(field="serial_number"),
    Reason.DUPLICATE_SERIAL: _Traits(field="serial_number"),
    Reason.ALREADY_ACTIVE: _Traits(field="serial_number"),
    Reason.ALREADY_ASSIGNED: _Traits(field="serial_number"),
    Reason.OUT_OF_SERVICE: _Traits(status=400, field="serial_number"),
    Reason.PASS_DISABLED: _Traits(status=400),
    Reason.PASS_LIFETIME: _Traits(status=400, field="pass_lifetime"),
    Reason.FORBIDDEN: _Traits(status=403),
    Reason.ADMIN_TARGET: _Traits(status=403),
    Reason.FORBIDDEN_ASSIGN: _Traits(status=403),
    Reason.USER_NOT_FOUND: _Traits(status=404),
    Reason.TOKEN_NOT_FOUND: _Traits(status=404),
    Reason.PAGE_EXPIRED: _Traits(status=400),
    Reason.INVALID_REQUEST: _Traits(status=400),
    Reason.THROTTLED: _Traits(retry_later=True),
    Reason.UNAVAILABLE: _Traits(retry_later=True),
}
_DEFAULT = _Traits()
_JOB_ENDINGS = frozenset(
    {
        Reason.DONE,
        Reason.DONE_WITH_FAILURES,
        Reason.CANCELLED,
        Reason.FAILED,
        Reason.SIGNIN_EXPIRED,
        Reason.SIGNIN_REJECTED,
        Reason.IDENTITY_UNAVAILABLE,
        Reason.LOOKUP_FAILED,
        Reason.WORKER_LOST,
    }
)


def _traits(reason: Reason) -> _Traits:
    return _TRAITS.get(reason, _DEFAULT)
