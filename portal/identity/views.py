from __future__ import annotations

import logging

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal.identity import signin
from portal.identity.errors import IdentityUnavailable, SignInError

logger = logging.getLogger("portal.identity")

PENDING_CLAIMS_KEY = "identity.pending_claims"


@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = signin.safe_next_url(request, request.GET.get("next"))
    # A claims challenge (step-up) is parked in the session by whoever received it, never in the URL.
    claims = request.session.pop(PENDING_CLAIMS_KEY, None)
    try:
        auth_uri = signin.sign_in_begin(
            request=request,
            next_url=next_url,
            admin=request.GET.get("purpose") == "admin",
            claims_challenge=claims,
        )
    except IdentityUnavailable:
        return render(request, "identity/sign_in_error.html", {"kind": "unavailable"}, status=503)
    return HttpResponseRedirect(auth_uri)


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        next_url = signin.sign_in_complete(request=request)
    except SignInError as exc:
        # Cheap to answer and logged, so repeated forged callbacks show up without costing much.
        logger.warning("sign-in callback rejected", extra={"reason": exc.kind, "detail": exc.detail})
        status = 503 if exc.kind == "unavailable" else 400
        return render(request, "identity/sign_in_error.html", {"kind": exc.kind}, status=status)
    return redirect(signin.safe_next_url(request, next_url))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    was_signed_in = request.user.is_authenticated
    logout(request)  # flushes the server-side session, MSAL cache included
    if not was_signed_in:
        return redirect("identity:signed_out")
    return HttpResponseRedirect(signin.end_session_url())


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/signed_out.html")
