"""OAuth errors in Entra's shape, and the AADSTS codes the sandbox uses.

Entra answers every failed token request with the same envelope
`{error, error_description: "AADSTSnnnnn: ... Trace ID: ... Correlation ID: ... Timestamp: ...",
error_codes: [n], timestamp, trace_id, correlation_id}`; clients (MSAL, the portal) branch on
`error` and sometimes on the AADSTS number, so both follow Entra's documented meaning.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portal.sandbox.http import SandboxResponse


class OAuthError(Exception):
    """A request the identity provider refuses; becomes Entra's error envelope or an error redirect."""

    def __init__(self, *, status: int, error: str, code: int, message: str, suberror: str = "") -> None:
        super().__init__(f"AADSTS{code}: {message}")
        self.status = status
        self.error = error
        self.code = code
        self.message = message
        self.suberror = suberror

    @property
    def description(self) -> str:
        return f"AADSTS{self.code}: {self.message}"


def entra_timestamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%SZ")


def error_response(err: OAuthError, *, trace_id: str, correlation_id: str) -> SandboxResponse:
    timestamp = entra_timestamp()
    body: dict[str, object] = {
        "error": err.error,
        "error_description": (
            f"{err.description} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"
        ),
        "error_codes": [err.code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={err.code}",
    }
    if err.suberror:
        body["suberror"] = err.suberror
    return SandboxResponse.json(err.status, body)


# --- The errors, one function each, named for what went wrong ------------------------------------


def missing_parameter(name: str) -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_request",
        code=900144,
        message=f"The request body must contain the following parameter: '{name}'.",
    )


def invalid_parameter(name: str, detail: str) -> OAuthError:
    return OAuthError(status=400, error="invalid_request", code=900144, message=f"Invalid value for '{name}': {detail}")


def post_only() -> OAuthError:
    return OAuthError(
        status=400, error="invalid_request", code=900561, message="The endpoint only accepts POST requests."
    )


def unknown_tenant(tenant: str) -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_tenant",
        code=90002,
        message=f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.",
    )


def unknown_client(client_id: str, tenant: str) -> OAuthError:
    return OAuthError(
        status=400,
        error="unauthorized_client",
        code=700016,
        message=(
            f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. "
            "This can happen if the application has not been installed by the administrator of the tenant."
        ),
    )


def missing_secret() -> OAuthError:
    return OAuthError(
        status=401,
        error="invalid_client",
        code=7000218,
        message=("The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
    )


def wrong_secret(client_id: str) -> OAuthError:
    return OAuthError(
        status=401,
        error="invalid_client",
        code=7000215,
        message=(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client "
            f"secret value, not the client secret ID, for a secret added to app '{client_id}'."
        ),
    )


def unsupported_grant(grant_type: str) -> OAuthError:
    return OAuthError(
        status=400,
        error="unsupported_grant_type",
        code=70003,
        message=f"The app requested an unsupported grant type '{grant_type}'.",
    )


def unknown_code() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=70000,
        message="The provided value for the 'code' parameter is not valid.",
    )


def code_for_other_client() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=70000,
        message="The provided authorization code was issued to a different client.",
    )


def code_redeemed() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=54005,
        message="OAuth2 Authorization code was already redeemed, please retry with a new valid code or use "
        "an existing refresh token.",
    )


def code_expired() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=70008,
        message="The provided authorization code or refresh token has expired due to inactivity. Send a new "
        "interactive authorization request for this user and resource.",
    )


def redirect_uri_mismatch() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=500112,
        message="The reply address does not match the reply address provided when requesting the authorization code.",
    )


def pkce_mismatch() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=501481,
        message="The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    )


def unknown_refresh_token() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=9002313,
        message="Invalid request. Request is malformed or invalid.",
    )


def refresh_token_revoked() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=50173,
        message="The provided grant has expired due to it being revoked, a fresh auth token is needed.",
    )


def user_disabled() -> OAuthError:
    return OAuthError(status=400, error="invalid_grant", code=50057, message="The user account is disabled.")


def user_not_found() -> OAuthError:
    # AADSTS50034: the account was deleted after the code or refresh token was issued.
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=50034,
        message="The user account does not exist in the directory. To sign into this application, the account "
        "must be added to the directory.",
    )


def consent_required(client_id: str, scopes: list[str]) -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_grant",
        code=65001,
        suberror="consent_required",
        message=(
            f"The user or administrator has not consented to use the application with ID '{client_id}' "
            f"for the scopes '{' '.join(scopes)}'. Send an interactive authorization request for this user "
            "and resource."
        ),
    )


def invalid_scope(scope: str) -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_scope",
        code=70011,
        message=f"The provided request must include a 'scope' input parameter. The provided value for the "
        f"input parameter 'scope' is not valid: '{scope}'.",
    )


def client_credentials_scope(scope: str) -> OAuthError:
    # What Entra answers a client-credentials request whose scope is not one resource's /.default.
    return OAuthError(
        status=400,
        error="invalid_scope",
        code=1002012,
        message=f"The provided value for scope {scope} is not valid. Client credential flows must have a "
        "scope value with /.default suffixed to the resource identifier (application ID URI).",
    )


def mfa_required() -> OAuthError:
    # What Entra says when a claims challenge asks for a fresher authentication than the refresh
    # token can prove: the client must send the person through the authorize page again.
    return OAuthError(
        status=400,
        error="interaction_required",
        code=50076,
        suberror="basic_action",
        message="Due to a configuration change made by your administrator, or because you moved to a new "
        "location, you must use multi-factor authentication to access the resource.",
    )


# --- Authorize-page errors (sent back to the app's redirect URI, or shown when that can't be trusted)


def redirect_uri_not_registered(redirect_uri: str, client_id: str) -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_request",
        code=50011,
        message=(
            f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect "
            f"URIs configured for the application '{client_id}'."
        ),
    )


def unsupported_response_type(response_type: str) -> OAuthError:
    return OAuthError(
        status=400,
        error="unsupported_response_type",
        code=700054,
        message=f"response_type '{response_type}' is not enabled for the application.",
    )


def pkce_required() -> OAuthError:
    return OAuthError(
        status=400,
        error="invalid_request",
        code=9002325,
        message=("Proof Key for Code Exchange is required: send code_challenge with code_challenge_method=S256."),
    )


def login_required() -> OAuthError:
    # prompt=none: the sandbox keeps no sign-in session of its own, so it can never answer silently.
    return OAuthError(
        status=400,
        error="login_required",
        code=50058,
        message="A silent sign-in request was sent but no user is signed in.",
    )


def user_cancelled() -> OAuthError:
    return OAuthError(
        status=400, error="access_denied", code=65004, message="User declined to consent to access the app."
    )
