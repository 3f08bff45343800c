"""The sandbox tenant's browser pages and its dev-server HTTP endpoints.

Pages: the sign-in (authorize) and sign-out pages of the sandbox tenant, the "virtual tokens" page
(the stand-in for holding a physical token) and an index. Endpoints: /sandbox/login/… and
/sandbox/graph/… hand any HTTP request to the sandbox cores, so curl, SDKs and load tools can
drive the tenant over plain HTTP. The rules of sign-in live in portal.sandbox.identity.authorize;
these views only translate between it and the browser.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core import signing
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails
from requests.structures import CaseInsensitiveDict

from portal.sandbox import directory, passes, roles
from portal.sandbox.config import sandbox_float, sandbox_int, sandbox_list, sandbox_optional_str
from portal.sandbox.http import SandboxRequest, SandboxResponse
from portal.sandbox.identity import authorize as authz
from portal.sandbox.identity import errors
from portal.sandbox.identity.clients import consented_scopes, portal_app, tenant_id
from portal.sandbox.models import DirectoryUser, HardwareToken, OutboxMessage
from portal.sandbox.totp import current_code, seconds_left


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


_AUTHORIZE_SALT = "portal.sandbox.authorize"
_AUTHORIZE_MAX_AGE = 3600  # an authorize page left open longer must be started again from the app
_POLL_SECONDS = 5


# --- Index -----------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    users = [
        _DemoUserRow.of(user)
        for user in DirectoryUser.objects.annotate(token_count=Count("tokens")).order_by("sort_order", "display_name")
    ]
    counts = dict(HardwareToken.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    base = request.build_absolute_uri(reverse("sandbox:index")).rstrip("/")
    context = {
        "tenant_id": tenant_id(),
        "client_id": portal_app().client_id,
        "users": users,
        "status_counts": [(status.label, counts.get(status.value, 0)) for status in HardwareToken.Status],
        "token_total": sum(counts.values()),
        "discovery_url": f"{base}/login/{tenant_id()}/v2.0/.well-known/openid-configuration",
        "graph_base": f"{base}/graph/beta",
        "consented_scopes": consented_scopes(),
        "emulation": _emulation_settings(),
        "sandbox_nav": "index",
    }
    return render(request, "sandbox/index.html", context)


@dataclass(frozen=True)
class _DemoUserRow:
    user: DirectoryUser
    role_names: list[str]
    token_count: int

    @classmethod
    def of(cls, user: DirectoryUser) -> _DemoUserRow:
        return cls(user=user, role_names=roles.role_names(user.roles), token_count=getattr(user, "token_count", 0))


def _emulation_settings() -> list[tuple[str, str]]:
    def rate(name: str) -> str:
        return f"{sandbox_float(name) * 100:g} %"

    def steps(name: str) -> str:
        count = sandbox_int(name)
        return ngettext("±%(count)s time step", "±%(count)s time steps", count) % {"count": count}

    step_up = sandbox_int("STEP_UP_AFTER_SECONDS")
    return [
        (gettext("Added latency"), f"{sandbox_int('LATENCY_MS')} ms"),
        (gettext("Share of Graph requests answered 429 (throttled)"), rate("THROTTLE_RATE")),
        (gettext("Share of Graph requests answered 503 (unavailable)"), rate("UNAVAILABLE_RATE")),
        (gettext("Retry-After on those answers"), f"{sandbox_float('RETRY_AFTER_SECONDS'):g} s"),
        (gettext("Fault seed"), sandbox_optional_str("FAULT_SEED") or gettext("none (faults are random)")),
        (
            gettext("Fresh sign-in required for token changes after"),
            f"{step_up // 60} min" if step_up else gettext("never"),
        ),
        (gettext("Accepted clock drift of a code at sign-in"), steps("TOTP_WINDOW_STEPS")),
        (gettext("Accepted clock drift of a code at activation"), steps("ACTIVATION_WINDOW_STEPS")),
        (gettext("Access token lifetime"), f"{sandbox_int('ACCESS_TOKEN_LIFETIME_SECONDS')} s"),
        (gettext("Authorization code lifetime"), f"{sandbox_int('AUTH_CODE_LIFETIME_SECONDS')} s"),
        (gettext("Graph page size"), str(sandbox_int("PAGE_SIZE"))),
        (
            gettext("Application permissions of the portal's app"),
            ", ".join(sandbox_list("APP_ROLES")) or gettext("none"),
        ),
        (gettext("Temporary Access Pass"), _pass_policy_summary()),
    ]


def _pass_policy_summary() -> str:
    policy = passes.Policy.current()
    if not policy.enabled:
        return gettext("disabled by the tenant's policy")
    text = (
        gettext(
            "enabled; lifetime %(minimum)s-%(maximum)s min (default %(default)s); %(length)s characters; one-time only"
        )
        if policy.is_usable_once
        else gettext(
            "enabled; lifetime %(minimum)s-%(maximum)s min (default %(default)s); %(length)s characters; "
            "one-time or reusable"
        )
    )
    return text % {
        "minimum": policy.minimum_lifetime,
        "maximum": policy.maximum_lifetime,
        "default": policy.default_lifetime,
        "length": policy.default_length,
    }


# --- Virtual tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TokenRow:
    token: HardwareToken
    code: str
    seconds_left: int

    @property
    def code_groups(self) -> tuple[str, str]:
        return self.code[:3], self.code[3:]


@never_cache  # the page shows live codes: never keep a copy anywhere
@require_GET
def tokens(request: HtmxHttpRequest) -> HttpResponse:
    serial = request.GET.get("serial", "").strip()
    queryset = HardwareToken.objects.select_related("assigned_to")
    if serial:
        queryset = queryset.filter(serial_number__icontains=serial)
    now = time.time()  # one instant for every token on the page
    rows = [
        _TokenRow(
            token=token,
            code=current_code(token.secret_key, token.time_interval, token.hash_function, at=now),
            seconds_left=seconds_left(token.time_interval, at=now),
        )
        for token in queryset
    ]
    template = "sandbox/tokens.html#token-list" if request.htmx else "sandbox/tokens.html"
    signable = HardwareToken.objects.filter(status=HardwareToken.Status.ACTIVATED, assigned_to__isnull=False)
    return render(
        request,
        template,
        {
            "rows": rows,
            "serial": serial,
            "poll_seconds": _POLL_SECONDS,
            "sandbox_nav": "tokens",
            "signable": signable.select_related("assigned_to").order_by("serial_number"),
        },
    )


@require_POST
def token_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in to "Microsoft" with a token's current code: sets the method's lastUsedDateTime."""
    token_id = _uuid_or_none(request.POST.get("token"))
    token = HardwareToken.objects.select_related("assigned_to").filter(pk=token_id).first() if token_id else None
    if token is None:
        messages.error(request, _("Pick one of the activated tokens."))
        return redirect("sandbox:tokens")
    try:
        directory.token_sign_in(token=token)
    except directory.SignInRefused as exc:
        messages.error(
            request,
            gettext("Sign-in with token %(serial)s refused: %(why)s") % {"serial": token.serial_number, "why": exc},
        )
    else:
        holder = token.assigned_to
        messages.success(
            request,
            gettext("%(name)s signed in with token %(serial)s: its lastUsedDateTime is now.")
            % {"name": holder.display_name if holder else gettext("The holder"), "serial": token.serial_number},
        )
    return redirect("sandbox:tokens")


# --- The directory (what Microsoft's admin center does to accounts) ------------------------------------


@never_cache
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    people = [
        _DemoUserRow.of(user)
        for user in DirectoryUser.everyone.annotate(token_count=Count("tokens")).order_by("sort_order", "display_name")
    ]
    return render(request, "sandbox/users.html", {"users": people, "sandbox_nav": "users"})


_USER_ACTION_DONE = {
    "disable": _("%(name)s: account disabled."),
    "enable": _("%(name)s: account enabled."),
    "delete": _("%(name)s: account deleted."),
    "restore": _("%(name)s: account restored."),
}
_USER_ACTIONS = set(_USER_ACTION_DONE)


@require_POST
def user_change(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    user = get_object_or_404(DirectoryUser.everyone, pk=user_id)
    action = request.POST.get("action", "")
    if action not in _USER_ACTIONS:
        messages.error(request, _("Choose disable, enable, delete or restore."))
        return redirect("sandbox:users")
    if action in ("disable", "enable"):
        directory.user_enabled_set(user=user, enabled=action == "enable")
    elif action == "delete":
        directory.user_delete(user=user)
    else:
        directory.user_restore(user=user)
    messages.success(request, _USER_ACTION_DONE[action] % {"name": user.display_name})
    return redirect("sandbox:users")


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


# --- Outbox --------------------------------------------------------------------------------------

_OUTBOX_PAGE = 50


@never_cache
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Every message sent through Graph's sendMail, as its recipients would see it (newest first)."""
    address = request.GET.get("to", "").strip()
    queryset = OutboxMessage.objects.all()
    if address:
        queryset = queryset.filter(to__icontains=address)
    mails = list(queryset[:_OUTBOX_PAGE])
    return render(
        request,
        "sandbox/outbox.html",
        {
            "mails": mails,
            "address": address,
            "shown_limit": _OUTBOX_PAGE,
            "total": queryset.count(),
            "sandbox_nav": "outbox",
        },
    )


# --- Sign-in (authorize) -----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest, tenant: str) -> HttpResponse:
    if request.method == "POST":
        return _authorize_post(request, tenant)
    return _authorize_step(request, authz.AuthorizeRequest.from_params(tenant, request.GET))


def _authorize_step(request: HttpRequest, params: authz.AuthorizeRequest) -> HttpResponse:
    try:
        valid = authz.validate(params)
    except authz.AuthorizeFailure as failure:
        return _authorize_failed(request, params, failure)
    return _picker(request, valid)


def _authorize_post(request: HttpRequest, tenant: str) -> HttpResponse:
    try:
        carried = signing.loads(request.POST.get("request", ""), salt=_AUTHORIZE_SALT, max_age=_AUTHORIZE_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return _error_page(request, title=gettext("This sign-in page has expired"), status=400, detail=None)
    params = authz.AuthorizeRequest.from_params(tenant, carried)
    if carried.get("tenant") != tenant:
        return _error_page(request, title=gettext("This sign-in page has expired"), status=400, detail=None)
    try:
        # Validated again: the app registration may have changed since the page was shown.
        valid = authz.validate(params)
    except authz.AuthorizeFailure as failure:
        return _authorize_failed(request, params, failure)
    if "cancel" in request.POST:
        return _send_back(request, params, authz.error_params(params, errors.user_cancelled()))
    if "pass_sign_in" in request.POST:
        user, problem = _pass_sign_in(request.POST.get("account", ""), request.POST.get("access_pass", ""))
        if user is None:
            return _picker(request, valid, pass_problem=problem, account=request.POST.get("account", ""), status=400)
    else:
        user = _picked_user(request.POST.get("user", ""))
        if user is None:
            return _picker(request, valid, problem=gettext("Pick one of the users below."), status=400)
    code = authz.issue_code(valid, user)
    return _send_back(request, params, authz.success_params(valid, user, code))


def _picked_user(value: str) -> DirectoryUser | None:
    try:
        user_id = uuid.UUID(value)
    except ValueError:
        return None
    return DirectoryUser.objects.filter(pk=user_id, account_enabled=True).first()


_PASS_REFUSALS = {
    passes.SignIn.WRONG_PASS: _(
        "That Temporary Access Pass doesn't match this account. Check the account and "
        "the pass with the helpdesk person who gave it to you."
    ),
    passes.SignIn.NOT_YET_VALID: _(
        "This Temporary Access Pass isn't valid yet. Try again from the start time the helpdesk gave you."
    ),
    passes.SignIn.EXPIRED: _("This Temporary Access Pass has expired. Ask the helpdesk for a new one."),
    passes.SignIn.USED: _(
        "This Temporary Access Pass was for one sign-in and has been used. Ask the helpdesk for a new one."
    ),
    passes.SignIn.DISABLED_BY_POLICY: _(
        "Temporary Access Passes are switched off in this tenant. Sign in with another method, or ask the helpdesk."
    ),
}


def _pass_sign_in(account: str, value: str) -> tuple[DirectoryUser | None, str]:
    """The user a Temporary Access Pass signs in, or why not (the pass is never echoed)."""
    if not account.strip() or not value.strip():
        return None, gettext("Enter your account (e.g. name@contoso-sandbox.example) and the Temporary Access Pass.")
    user = DirectoryUser.objects.filter(user_principal_name__iexact=account.strip(), account_enabled=True).first()
    if user is None:
        return None, str(_PASS_REFUSALS[passes.SignIn.WRONG_PASS])
    outcome = passes.sign_in(user, value)
    if outcome is not passes.SignIn.SIGNED_IN:
        return None, str(_PASS_REFUSALS[outcome])
    return user, ""


def _picker(
    request: HttpRequest,
    valid: authz.ValidAuthorize,
    *,
    problem: str = "",
    pass_problem: str = "",
    account: str = "",
    status: int = 200,
) -> HttpResponse:
    params = valid.request
    hint = params.login_hint.strip().lower()
    users = [
        {"row": _DemoUserRow.of(user), "hinted": bool(hint) and user.user_principal_name.lower() == hint}
        for user in DirectoryUser.objects.filter(account_enabled=True)
    ]
    context = {
        "users": users,
        "hint_matched": any(entry["hinted"] for entry in users),
        "carried": signing.dumps(params.as_dict(), salt=_AUTHORIZE_SALT),
        "permissions": valid.grant.graph,
        "fresh_authentication": bool(params.claims.strip()),
        "prompt": params.prompt,
        "redirect_uri": params.redirect_uri,
        "problem": problem,
        "pass_problem": pass_problem,
        "account": account or params.login_hint,
        "tenant": params.tenant,
    }
    return render(request, "sandbox/authorize.html", context, status=status)


def _authorize_failed(
    request: HttpRequest, params: authz.AuthorizeRequest, failure: authz.AuthorizeFailure
) -> HttpResponse:
    if failure.can_redirect:
        return _send_back(request, params, authz.error_params(params, failure.err))
    # Never redirect to an address the app registration doesn't vouch for (open redirect).
    return _error_page(
        request, title=gettext("The app's sign-in request can't be accepted"), status=400, detail=failure.err
    )


def _send_back(request: HttpRequest, params: authz.AuthorizeRequest, answer: dict[str, str]) -> HttpResponse:
    if params.form_post:
        return render(
            request,
            "sandbox/form_post.html",
            {"action": params.redirect_uri, "fields": sorted(answer.items())},
        )
    return HttpResponseRedirect(authz.redirect_url(params.redirect_uri, answer))


def _error_page(request: HttpRequest, *, title: str, status: int, detail: errors.OAuthError | None) -> HttpResponse:
    return render(request, "sandbox/error.html", {"title": title, "detail": detail}, status=status)


# --- Sign-out ------------------------------------------------------------------------------------


@never_cache
@require_GET
def logout(request: HttpRequest, tenant: str) -> HttpResponse:
    target = request.GET.get("post_logout_redirect_uri", "")
    registered = bool(target) and portal_app().post_logout_uri_registered(target)
    if registered:
        state = request.GET.get("state", "")
        return HttpResponseRedirect(authz.redirect_url(target, {"state": state}) if state else target)
    # The sandbox keeps no sign-in session, so there is nothing else to end.
    return render(request, "sandbox/signed_out.html", {"unregistered_target": bool(target)})


# --- Dev-server HTTP endpoints --------------------------------------------------------------------


@csrf_exempt  # machine-to-machine endpoints: no cookies are read, nothing is authorised by them
def login_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    from portal.sandbox.identity.app import handle

    return _relay(request, handle, "login", rest)


@csrf_exempt
def graph_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    from portal.sandbox.graph.app import handle

    return _relay(request, handle, "graph", rest)


def _relay(request: HttpRequest, handle: Any, mount: str, rest: str) -> HttpResponse:
    base_url = request.build_absolute_uri(reverse("sandbox:index") + mount)
    answer: SandboxResponse = handle(
        SandboxRequest(
            method=request.method or "GET",
            base_url=base_url,
            path="/" + rest,
            query_string=request.META.get("QUERY_STRING", ""),
            headers=CaseInsensitiveDict(dict(request.headers)),
            body=request.body,
        )
    )
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response
