"""Every URL pattern of the project, and what each persona may do with it.

`EXPECTED` is the access-control specification: one line per URL name, with the methods the URL
accepts and the status a GET answers for each persona. test_access_control enumerates the URL
configuration (all namespaces, recursively) and fails on a URL without a line here, so a new page
cannot ship without someone deciding who may open it. test_csrf uses the same table to find every
URL that accepts a POST.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.sandbox import seed
from tests.security.conftest import (
    AA,
    ADELE_ASSIGNED,
    ALEX,
    ALEX_FAILED,
    ANON,
    APA,
    EMP,
    FREE,
    GR,
    PAA,
    UPNS,
)
from tests.support.tokens import token_id


@dataclass(frozen=True)
class Rule:
    methods: frozenset[str]  # what the URL accepts; "*" = any method (machine endpoints)
    get: dict[str, int]  # expected GET status per persona ({} when GET is refused: 405 for all)
    # POST-only URLs: the personas whose POST must be refused, and how (sent: a refusal is harmless).
    refused_post: dict[str, int] = field(default_factory=dict)


def row(anon: int, emp: int, aa: int, paa: int, apa: int, gr: int) -> dict[str, int]:
    return {ANON: anon, EMP: emp, AA: aa, PAA: paa, APA: apa, GR: gr}


def everyone(status: int) -> dict[str, int]:
    return row(status, status, status, status, status, status)


GET, GET_POST, POST, ANY = (
    frozenset({"GET"}),
    frozenset({"GET", "POST"}),
    frozenset({"POST"}),
    frozenset({"*"}),
)
SIGN_IN = 302  # anonymous visitors of a signed-in page are sent to sign-in
# The admin area (rows as in tests/tokenadmin/test_access_matrix.py, which also covers Global Admin).
ALL_ADMINS = row(SIGN_IN, 403, 200, 200, 200, 200)
USER_READERS = row(SIGN_IN, 403, 200, 200, 403, 200)
USER_MANAGERS = row(SIGN_IN, 403, 200, 200, 403, 403)
INVENTORY_WRITERS = row(SIGN_IN, 403, 403, 403, 200, 403)
LIFECYCLE_WRITERS = row(SIGN_IN, 403, 200, 200, 200, 403)
SEED_JOB_REFUSED = {ANON: SIGN_IN, EMP: 403, AA: 403, PAA: 403, GR: 403}

EXPECTED: dict[str, Rule] = {
    # Self-service. The sample token is the employee's (Adele's): to everyone else it is "not on
    # your account" (400) because Graph is asked for it under /me, i.e. for the caller's own tokens.
    "selfservice:home": Rule(GET, row(200, 302, 302, 302, 302, 302)),
    "selfservice:tokens": Rule(GET, row(SIGN_IN, 200, 200, 200, 200, 200)),
    "selfservice:add": Rule(GET_POST, row(SIGN_IN, 200, 200, 200, 200, 200)),
    "selfservice:activate": Rule(GET_POST, row(SIGN_IN, 200, 400, 400, 400, 400)),
    "selfservice:remove": Rule(GET_POST, row(SIGN_IN, 200, 400, 400, 400, 400)),
    "selfservice:report": Rule(GET_POST, row(SIGN_IN, 200, 400, 400, 400, 400)),
    # Only the person who made a report sees its next steps; anyone else goes back to their tokens.
    "selfservice:reported": Rule(GET, row(SIGN_IN, 302, 302, 302, 302, 302)),
    # Sign-in: open to everyone by nature. A callback without a pending flow is refused (400).
    "identity:sign_in": Rule(GET, everyone(302)),
    "identity:callback": Rule(GET, everyone(400)),
    "identity:sign_out": Rule(POST, {}),  # anyone may sign out
    "identity:signed_out": Rule(GET, everyone(200)),
    # The admin area.
    "tokenadmin:home": Rule(GET, ALL_ADMINS),
    "tokenadmin:users": Rule(GET, USER_READERS),
    "tokenadmin:user": Rule(GET, USER_READERS),
    "tokenadmin:user_assign": Rule(GET_POST, USER_MANAGERS),
    "tokenadmin:user_activate": Rule(GET_POST, USER_MANAGERS),
    "tokenadmin:user_deactivate": Rule(GET_POST, USER_MANAGERS),
    "tokenadmin:user_unassign": Rule(GET_POST, USER_MANAGERS),
    # The token program: the reports read the stored snapshot; refresh and lift act (managers only).
    "tokenadmin:reports": Rule(GET, ALL_ADMINS),
    "tokenadmin:report_csv": Rule(GET, ALL_ADMINS),
    "tokenadmin:attention_rule": Rule(GET, ALL_ADMINS),
    "tokenadmin:attention_csv": Rule(GET, ALL_ADMINS),
    "tokenadmin:program_refresh": Rule(POST, {}, refused_post={ANON: SIGN_IN, EMP: 403, APA: 403, GR: 403}),
    "tokenadmin:lockout_lift": Rule(POST, {}, refused_post={ANON: SIGN_IN, EMP: 403, APA: 403, GR: 403}),
    "tokenadmin:user_lockout_lift": Rule(POST, {}, refused_post={ANON: SIGN_IN, EMP: 403, APA: 403, GR: 403}),
    "tokenadmin:user_replace": Rule(GET_POST, USER_MANAGERS),
    "tokenadmin:user_replace_gone": Rule(GET_POST, USER_MANAGERS),
    "tokenadmin:stock": Rule(GET, USER_MANAGERS),
    "tokenadmin:inventory": Rule(GET, ALL_ADMINS),
    "tokenadmin:inventory_create": Rule(GET_POST, INVENTORY_WRITERS),
    "tokenadmin:device": Rule(GET, ALL_ADMINS),
    "tokenadmin:device_edit": Rule(GET_POST, INVENTORY_WRITERS),
    "tokenadmin:device_delete": Rule(GET_POST, INVENTORY_WRITERS),
    "tokenadmin:device_assign": Rule(GET_POST, USER_MANAGERS),
    "tokenadmin:device_lifecycle": Rule(GET_POST, LIFECYCLE_WRITERS),
    "tokenadmin:device_retire": Rule(GET_POST, INVENTORY_WRITERS),
    "audit:events": Rule(GET, ALL_ADMINS),
    "audit:export": Rule(GET, ALL_ADMINS),
    "notifications:undelivered": Rule(GET, ALL_ADMINS),
    # Bulk imports. Seed files: the inventory writers; bulk assignment: the user token managers.
    # Everyone in the admin area reads the jobs and their results; the sample job is a seed-file
    # dry run, so only the inventory writers may confirm, discard or cancel it.
    "imports:index": Rule(GET, ALL_ADMINS),
    "imports:seed_new": Rule(GET_POST, INVENTORY_WRITERS),
    "imports:assignments_new": Rule(GET_POST, USER_MANAGERS),
    "imports:job": Rule(GET, ALL_ADMINS),
    "imports:csv": Rule(GET, ALL_ADMINS),
    "imports:confirm": Rule(POST, {}, refused_post=SEED_JOB_REFUSED),
    "imports:discard": Rule(POST, {}, refused_post=SEED_JOB_REFUSED),
    "imports:cancel": Rule(POST, {}, refused_post=SEED_JOB_REFUSED),
    # Assigning the tokens a finished seed import created without their assignment: user token
    # managers only (on the sample draft there is nothing to assign: the page says so).
    "imports:follow_up": Rule(POST, {}, refused_post={ANON: SIGN_IN, EMP: 403, APA: 403, GR: 403}),
    # Liveness and readiness probes for the load balancer (portal.core.health): no data, no session.
    "core:healthz": Rule(GET, everyone(200)),
    "core:readyz": Rule(GET, everyone(200)),
    # The icon browsers ask for on every page: a redirect to the static file, for anyone.
    "core:favicon": Rule(GET, everyone(301)),
    # Django's set_language (the language switch under every page): anyone may post to it; it sets a
    # cookie and goes back to the page (a GET goes back without changing anything).
    ":set_language": Rule(POST, {}),
    # The sandbox tenant (mounted only when the sandbox is on; test_production_settings proves it is
    # absent otherwise). It plays Microsoft: its pages don't know the portal's session at all.
    "sandbox:index": Rule(GET, everyone(200)),
    "sandbox:tokens": Rule(GET, everyone(200)),
    "sandbox:token_sign_in": Rule(POST, {}),
    "sandbox:users": Rule(GET, everyone(200)),
    "sandbox:user_change": Rule(POST, {}),
    "sandbox:outbox": Rule(GET, everyone(200)),
    "sandbox:authorize": Rule(GET_POST, everyone(400)),  # without an app's request: refused
    "sandbox:logout": Rule(GET, everyone(200)),
    "sandbox:login_endpoint": Rule(ANY, everyone(200)),  # the sample is the discovery document
    "sandbox:graph_root": Rule(ANY, everyone(401)),  # Graph wants a bearer token, never a cookie
    "sandbox:graph_endpoint": Rule(ANY, everyone(401)),
}

# Views that skip the CSRF check, and why. test_csrf fails on any other exempt view.
# Uploads: csrf_exempt on the outside so the size limit is installed before anything reads the
# body, csrf_protect inside (portal.imports.uploads). test_csrf posts to them like to any other URL.
CSRF_CHECKED_INSIDE = {
    "imports:seed_new": "checked after the upload size limit is in place",
    "imports:assignments_new": "checked after the upload size limit is in place",
}
CSRF_EXEMPT = {
    "sandbox:login_endpoint": "Entra's machine endpoints (token, discovery): client secret / PKCE, no cookie",
    "sandbox:graph_endpoint": "Graph: bearer token only, cookies are never read",
    "sandbox:graph_root": "Graph: bearer token only, cookies are never read",
}


def import_job_id() -> str:
    """A seed-file import job's id (a dry run made by Nestor, the policy administrator)."""
    from portal.identity.models import User
    from portal.imports.models import ImportJob

    nestor, _ = User.objects.get_or_create(username=seed.NESTOR, defaults={"upn": UPNS[APA]})
    job, _ = ImportJob.objects.get_or_create(
        file_name="security-sample.csv",
        defaults={
            "kind": ImportJob.Kind.SEED,
            "status": ImportJob.Status.DRAFT,
            "created_by": nestor,
            "created_by_upn": UPNS[APA],
        },
    )
    return str(job.public_id)


def sample_kwargs(name: str, pattern: URLPattern) -> dict[str, str]:
    """Plausible values for a pattern's path converters: real ids from the seeded demo tenant."""
    tenant = settings.SANDBOX["TENANT_ID"]
    samples = {
        "token_uuid": lambda: token_id(ADELE_ASSIGNED),
        "user_id": lambda: ALEX,
        "method_id": lambda: token_id(ALEX_FAILED),
        "device_id": lambda: token_id(FREE),
        "tenant": lambda: tenant,
        "job_id": import_job_id,
        "kind": lambda: "stock",
        "rule": lambda: "failed_activation",
        "event_id": lambda: "1",
    }
    rest = {
        "sandbox:login_endpoint": f"{tenant}/v2.0/.well-known/openid-configuration",
        "sandbox:graph_endpoint": "beta/me",
    }
    kwargs: dict[str, str] = {}
    for key in pattern.pattern.converters:
        if key == "rest" and name in rest:
            kwargs[key] = rest[name]
        elif key in samples:
            kwargs[key] = samples[key]()
        else:
            raise AssertionError(f"{name}: no sample value for the path parameter {key!r}; add one to urlmap.py")
    return kwargs


def all_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the project, keyed "namespace:name", walking every include()."""
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any], namespace: str, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
                walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            else:
                assert isinstance(entry, URLPattern)
                key = f"{namespace}:{entry.name}" if entry.name else f"<unnamed {prefix}{entry.pattern}>"
                assert key not in found, f"two URL patterns are named {key}"
                found[key] = entry

    walk(get_resolver().url_patterns, "", "/")
    return found


def url_of(name: str, pattern: URLPattern) -> str:
    # A pattern outside any namespace (Django's set_language) is keyed ":name" and reversed as "name".
    return reverse(name.removeprefix(":"), kwargs=sample_kwargs(name, pattern))
