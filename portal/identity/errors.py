from __future__ import annotations


class SignInError(Exception):
    """A sign-in callback that cannot complete. `kind` picks the plain-language page shown."""

    KINDS = (
        "cancelled",
        "consent_required",
        "state_mismatch",
        "nonce_mismatch",
        "invalid_token",
        "identity_provider_error",
        "unavailable",
    )

    def __init__(self, kind: str, detail: str = "") -> None:
        assert kind in self.KINDS, kind
        super().__init__(kind)
        self.kind = kind
        # `detail` is for the log only (an AADSTS code, an exception class); never a code or token.
        self.detail = detail


class ReauthenticationRequired(Exception):
    """No usable access token for these scopes: the person must go through sign-in (again).

    Raised from anywhere inside a request; portal.web.middleware turns it into a redirect to
    sign-in that brings the person back (htmx requests get an HX-Redirect).
    """

    def __init__(self, *, admin: bool = False, claims_challenge: str | None = None) -> None:
        super().__init__("reauthentication required")
        self.admin = admin
        self.claims_challenge = claims_challenge


class IdentityUnavailable(Exception):
    """Entra (or the sandbox) could not be reached to get a token."""
