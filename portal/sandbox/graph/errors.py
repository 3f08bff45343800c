"""Every error the Graph emulator answers, in one table.

Graph documents its error envelope (reference §6.1) but no error code specific to hardware OATH
tokens (§6.2, §9.1). Codes Graph uses elsewhere are copied as they are; where the docs are silent
the emulator picks a specific camelCase code so that a client (and its tests) can tell the cases
apart. Messages are developer text and never echo a verification code or a secret.

| case | HTTP | code |
|---|---|---|
| missing, malformed, expired or foreign bearer token | 401 | `InvalidAuthenticationToken` |
| self-service write with a sign-in older than STEP_UP_AFTER_SECONDS (claims challenge) | 401 | `InvalidAuthenticationToken` |
| `/me` with an app-only token | 400 | `BadRequest` |
| malformed JSON / OData query option / unknown path segment / malformed `$batch` | 400 | `BadRequest` |
| `$search` or `$count` on users without `ConsistencyLevel: eventual`, bad users `$filter` | 400 | `Request_UnsupportedQuery` |
| HTTP method not allowed on an existing path | 405 | `Request_BadRequest` |
| scope or directory role missing (authentication-method endpoints) | 403 | `accessDenied` |
| scope missing (users / directory endpoints) | 403 | `Authorization_RequestDenied` |
| unknown device, method or serial number | 404 | `itemNotFound` |
| unknown user (id or UPN) | 404 | `Request_ResourceNotFound` |
| schema violation (missing field, bad Base32, interval not 30/60, bad hash, read-only or not updatable property, code not 6 digits) | 400 | `invalidRequest` |
| wrong verification code (token → `failedActivation` when WRONG_CODE_SETS_FAILED_ACTIVATION) | 400 | `invalidVerificationCode` |
| update/delete of a token that is assigned | 400 | `deviceMustBeUnassigned` |
| assign a token already assigned (to anyone; the owner is never named) | 409 | `deviceAlreadyAssigned` |
| activate / assign-and-activate a token already activated for that user | 400 | `deviceAlreadyActivated` |
| deactivate a token that is not activated | 400 | `deviceNotActivated` |
| create with a serial number already in the inventory (UNIQUE_SERIALS) | 409 | `serialNumberAlreadyExists` |
| assign to a guest user | 400 | `guestUserNotSupported` |
| user already has MAX_METHODS_PER_USER tokens | 400 | `methodLimitReached` |
| sendMail without `Mail.Send` (app role, or delegated scope; `Mail.Send.Shared` for another's mailbox) | 403 | `ErrorAccessDenied` |
| sendMail from a mailbox whose user doesn't exist | 404 | `ErrorInvalidUser` |
| sendMail from a user without a usable mailbox (guest, no `mail`, MAILBOXES_NOT_ENABLED) | 404 | `MailboxNotEnabledForRESTAPI` |
| sendMail without a message (or a malformed one) | 400 | `ErrorInvalidRequest` |
| sendMail with no recipient, or a malformed address | 400 | `ErrorInvalidRecipients` |
| sendMail in MIME format whose body is not base64 | 400 | `ErrorMimeContentInvalidBase64String` |
| Temporary Access Pass: create while the tenant's policy disables it | 400 | `temporaryAccessPassDisabledByPolicy` |
| Temporary Access Pass: `lifetimeInMinutes` outside the policy's minimum/maximum | 400 | `temporaryAccessPassLifetimeOutOfRange` |
| Temporary Access Pass: create while a usable one exists (TAP_REPLACE_EXISTING off) | 409 | `temporaryAccessPassAlreadyExists` |
| Temporary Access Pass: create for oneself (documented for other users only) | 403 | `accessDenied` |
| unknown authentication method configuration | 404 | `itemNotFound` |
| `$batch` member whose dependency failed | 424 | `FailedDependency` |
| fault injection: throttled | 429 | `TooManyRequests` (+ `Retry-After`) |
| fault injection: unavailable | 503 | `serviceNotAvailable` (+ `Retry-After`) |
| unexpected emulator failure | 500 | `generalException` |
"""  # noqa: E501 - a Markdown table

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class GraphError(Exception):
    """An error answer; the app turns it into the Graph envelope with the request's ids."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        inner: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        # Extra innerError members (the 429 body carries code/message/status there, §6.3).
        self.inner = dict(inner or {})


@dataclass(frozen=True)
class ErrorKind:
    status: int
    code: str
    message: str
    inner: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, message: str | None = None, *, headers: Mapping[str, str] | None = None) -> GraphError:
        return GraphError(self.status, self.code, message or self.message, headers=headers, inner=self.inner)


# --- authentication and authorization ---------------------------------------------------------

INVALID_TOKEN = ErrorKind(401, "InvalidAuthenticationToken", "Access token is empty.")
CLAIMS_CHALLENGE = ErrorKind(
    401,
    "InvalidAuthenticationToken",
    "Continuous access evaluation resulted in claims challenge: the authentication is too old for "
    "this operation; sign in again with the claims in the WWW-Authenticate header.",
)
ME_NEEDS_DELEGATED = ErrorKind(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
ACCESS_DENIED = ErrorKind(403, "accessDenied", "Request Authorization failed")
DIRECTORY_DENIED = ErrorKind(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

# --- request shape --------------------------------------------------------------------------------

BAD_REQUEST = ErrorKind(400, "BadRequest", "The request is malformed.")
UNSUPPORTED_QUERY = ErrorKind(400, "Request_UnsupportedQuery", "Unsupported query.")
METHOD_NOT_ALLOWED = ErrorKind(
    405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target."
)
INVALID_REQUEST = ErrorKind(400, "invalidRequest", "The request body is invalid.")

# --- resources ------------------------------------------------------------------------------------

ITEM_NOT_FOUND = ErrorKind(404, "itemNotFound", "The requested resource does not exist.")
USER_NOT_FOUND = ErrorKind(
    404,
    "Request_ResourceNotFound",
    "Resource does not exist or one of its queried reference-property objects are not present.",
)

# --- hardware OATH state machine (docs silent: emulator's own codes) ------------------------------

INVALID_VERIFICATION_CODE = ErrorKind(
    400, "invalidVerificationCode", "The verification code is not valid for this hardware OATH token."
)
DEVICE_MUST_BE_UNASSIGNED = ErrorKind(
    400, "deviceMustBeUnassigned", "The hardware OATH token is assigned to a user; unassign it first."
)
DEVICE_ALREADY_ASSIGNED = ErrorKind(409, "deviceAlreadyAssigned", "The hardware OATH token is already assigned.")
DEVICE_ALREADY_ACTIVATED = ErrorKind(
    400, "deviceAlreadyActivated", "The hardware OATH token is already activated for this user."
)
DEVICE_NOT_ACTIVATED = ErrorKind(400, "deviceNotActivated", "The hardware OATH token is not activated.")
SERIAL_ALREADY_EXISTS = ErrorKind(
    409, "serialNumberAlreadyExists", "A hardware OATH token with this serial number already exists."
)
GUEST_NOT_SUPPORTED = ErrorKind(400, "guestUserNotSupported", "Hardware OATH tokens can't be assigned to guest users.")
METHOD_LIMIT_REACHED = ErrorKind(
    400, "methodLimitReached", "The user already has the maximum number of hardware OATH tokens."
)

# --- mail (Exchange's codes, as Graph passes them on) ------------------------------------------

MAIL_ACCESS_DENIED = ErrorKind(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
MAILBOX_INVALID_USER = ErrorKind(404, "ErrorInvalidUser", "The requested user is invalid.")
MAILBOX_NOT_ENABLED = ErrorKind(
    404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."
)
MAIL_INVALID_REQUEST = ErrorKind(400, "ErrorInvalidRequest", "The request is invalid: a message is required.")
MAIL_INVALID_RECIPIENTS = ErrorKind(
    400, "ErrorInvalidRecipients", "At least one recipient is required, but none were found."
)
MIME_INVALID_BASE64 = ErrorKind(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
# --- Temporary Access Pass (docs silent on every code: emulator's own) ----------------------------

TAP_DISABLED_BY_POLICY = ErrorKind(
    400,
    "temporaryAccessPassDisabledByPolicy",
    "The Temporary Access Pass authentication method is disabled by the tenant's policy.",
)
TAP_LIFETIME_OUT_OF_RANGE = ErrorKind(
    400, "temporaryAccessPassLifetimeOutOfRange", "lifetimeInMinutes is outside the tenant's policy."
)
TAP_ALREADY_EXISTS = ErrorKind(
    409, "temporaryAccessPassAlreadyExists", "The user already has a usable Temporary Access Pass."
)

# --- batching, faults, failures ----------------------------------------------------------------

FAILED_DEPENDENCY = ErrorKind(424, "FailedDependency", "A request this request depends on failed.")
TOO_MANY_REQUESTS = ErrorKind(
    429,
    "TooManyRequests",
    "Please retry again later.",
    inner={"code": "429", "message": "Please retry after", "status": "429"},
)
SERVICE_UNAVAILABLE = ErrorKind(503, "serviceNotAvailable", "The service is temporarily unavailable.")
GENERAL_EXCEPTION = ErrorKind(500, "generalException", "An unexpected error occurred in the sandbox tenant.")

ALL_KINDS: tuple[ErrorKind, ...] = tuple(value for value in globals().values() if isinstance(value, ErrorKind))
