"""The authorize request: validation, code issuance and the answer sent back to the app.

Kept apart from the Django views (portal.sandbox.views) so that the rules read like Entra's:
whatever makes the redirect URI untrustworthy (unknown tenant or client, unregistered redirect URI)
is shown on the sandbox's own page and never redirected; every other problem goes back to the app
as `error=&error_description=&state=` on its registered redirect URI.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from urllib.parse import urlencode

from django.utils import timezone

from portal.sandbox import clock
from portal.sandbox.identity import errors, scopes
from portal.sandbox.identity.clients import AppRegistration, known_tenant, registered_app
from portal.sandbox.identity.errors import OAuthError, entra_timestamp
from portal.sandbox.identity.hashing import new_secret, sha256_hex
from portal.sandbox.identity.token_endpoint import client_info
from portal.sandbox.models import AuthorizationCode, DirectoryUser

RESPONSE_MODES = {"", "query", "form_post"}
_MAX_LENGTHS = {"nonce": 512, "redirect_uri": 2000, "state": 2000, "code_challenge": 128, "claims": 4000}


@dataclass(frozen=True)
class AuthorizeRequest:
    """The parameters of /authorize the sandbox acts on; anything else the app sends is ignored."""

    tenant: str
    client_id: str = ""
    redirect_uri: str = ""
    response_type: str = ""
    response_mode: str = ""
    scope: str = ""
    state: str = ""
    nonce: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""
    login_hint: str = ""
    prompt: str = ""
    claims: str = ""

    @classmethod
    def from_params(cls, tenant: str, params: Mapping[str, str]) -> AuthorizeRequest:
        names = {f.name for f in fields(cls)} - {"tenant"}
        return cls(tenant=tenant, **{name: str(params.get(name, "")) for name in names})

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def form_post(self) -> bool:
        return self.response_mode == "form_post"


class AuthorizeFailure(Exception):
    def __init__(self, err: OAuthError, *, can_redirect: bool) -> None:
        super().__init__(err.description)
        self.err = err
        self.can_redirect = can_redirect


@dataclass(frozen=True)
class ValidAuthorize:
    request: AuthorizeRequest
    app: AppRegistration
    grant: scopes.ScopeGrant


def validate(request: AuthorizeRequest) -> ValidAuthorize:
    """A request the sign-in page may act on, or AuthorizeFailure saying where to report the problem."""
    if not known_tenant(request.tenant):
        raise AuthorizeFailure(errors.unknown_tenant(request.tenant), can_redirect=False)
    if not request.client_id:
        raise AuthorizeFailure(errors.missing_parameter("client_id"), can_redirect=False)
    app = registered_app(request.client_id)
    if app is None:
        raise AuthorizeFailure(errors.unknown_client(request.client_id, request.tenant), can_redirect=False)
    if not request.redirect_uri:
        raise AuthorizeFailure(errors.missing_parameter("redirect_uri"), can_redirect=False)
    if not app.redirect_uri_registered(request.redirect_uri):
        err = errors.redirect_uri_not_registered(request.redirect_uri, app.client_id)
        raise AuthorizeFailure(err, can_redirect=False)
    try:
        grant = _check_redirectable(request, app)
    except OAuthError as err:
        raise AuthorizeFailure(err, can_redirect=True) from None
    return ValidAuthorize(request=request, app=app, grant=grant)


def _check_redirectable(request: AuthorizeRequest, app: AppRegistration) -> scopes.ScopeGrant:
    if request.response_type != "code":
        raise errors.unsupported_response_type(request.response_type or "(none)")
    if request.response_mode not in RESPONSE_MODES:
        raise errors.invalid_parameter("response_mode", "the sandbox tenant answers in query or form_post mode")
    for name, limit in _MAX_LENGTHS.items():
        if len(getattr(request, name)) > limit:
            raise errors.invalid_parameter(name, f"longer than {limit} characters")
    if not request.code_challenge:
        raise errors.pkce_required()
    if request.code_challenge_method != "S256":
        raise errors.invalid_parameter("code_challenge_method", "the sandbox tenant accepts only S256")
    if not request.scope.strip():
        raise errors.missing_parameter("scope")
    grant = scopes.resolve(request.scope, app)
    if request.prompt == "none":
        raise errors.login_required()
    return grant


def issue_code(valid: ValidAuthorize, user: DirectoryUser) -> str:
    """A fresh single-use code for `user`; the person just authenticated, so auth_time is now on the
    tenant's clock, the one the step-up checks read (which is also what satisfies a claims challenge
    sent with this request)."""
    now = timezone.now()
    code = new_secret(48)
    request = valid.request
    AuthorizationCode.objects.create(
        code_hash=sha256_hex(code),
        client_id=valid.app.client_id,
        redirect_uri=request.redirect_uri,
        scopes=scopes.split(request.scope),
        nonce=request.nonce,  # MSAL sends the sha256 of its nonce; the ID token echoes it verbatim
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        user=user,
        auth_time=clock.now(),
        created_at=now,
    )
    # Housekeeping: codes are dead after minutes; keep a day for the "already redeemed" answer.
    AuthorizationCode.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    return code


def success_params(valid: ValidAuthorize, user: DirectoryUser, code: str) -> dict[str, str]:
    params = {"code": code}
    if valid.request.state:
        params["state"] = valid.request.state
    params["client_info"] = client_info(user)
    params["session_state"] = str(uuid.uuid4())
    return params


def error_params(request: AuthorizeRequest, err: OAuthError) -> dict[str, str]:
    trace_id = str(uuid.uuid4())
    params = {
        # At the authorize endpoint Entra names a consent problem consent_required, not invalid_grant.
        "error": err.suberror or err.error,
        "error_description": (
            f"{err.description} Trace ID: {trace_id} Correlation ID: {uuid.uuid4()} Timestamp: {entra_timestamp()}"
        ),
        "error_uri": f"https://login.microsoftonline.com/error?code={err.code}",
    }
    if request.state:
        params["state"] = request.state
    return params


def redirect_url(redirect_uri: str, params: Mapping[str, str]) -> str:
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(params)}"
