"""The portal's own cost per page, and what the admin pages cost on a big tenant.

    .venv/bin/python bench/pages.py [--users 5000] [--tokens 10000] [--repeat 30] [--quick]

In-process (Django's test client; no network, no gunicorn), on a fresh sandbox tenant in a
temporary directory, with no injected latency. For every page of the employee and the administrator
journeys:

* server time per request (median), split into the sandbox's share — the time spent inside the
  sandbox's identity and Graph handlers (its emulation, its SQLite, its request log), which in
  production is Microsoft's time, not ours — and the portal's own time (the rest: middleware,
  session, MSAL's cache, the Graph client's requests stack and JSON parsing, services, templates);
* Graph round trips (the sandbox request log; a $batch counts once) and the portal's own database
  queries (Django's CaptureQueriesContext on the portal's database), counted once on the demo
  tenant and once more after the tenant has grown to --users users and --tokens tokens: the admin
  pages stay at one Graph round trip and the same number of queries however big the tenant.

Also prints what building MSAL's ConfidentialClientApplication costs, which the portal used to pay
on every request, and how many were built during the timed requests (it now builds one per thread,
portal.identity.msal_client: 0 after the warm-up).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (
    DOMAIN,
    TIMED_ADAPTERS,
    Row,
    SandboxClock,
    common_arguments,
    configure,
    grow_tenant,
    write_rows,
)

ADMIN = f"lynne.robbins@{DOMAIN}"  # Privileged Authentication Administrator: every page is hers


@dataclass
class Page:
    label: str
    method: str
    path: str
    data: dict[str, str] | None = None
    who: str = "employee"  # "employee", "admin" or "anonymous"
    totals: list[float] = field(default_factory=list)
    sandbox: list[float] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # tenant → (Graph round trips, queries)

    @property
    def portal(self) -> list[float]:
        return [total - share for total, share in zip(self.totals, self.sandbox, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30, help="Timed requests per page.")
    common_arguments(parser)
    args = parser.parse_args()
    if args.quick:
        args.repeat = min(args.repeat, 8)

    tmp = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    configure(tmp)
    import django

    django.setup()
    import msal
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.identity import msal_client
    from portal.sandbox.models import DirectoryUser, HardwareToken
    from portal.sandbox.requestlog import graph_round_trips, last_entry_id
    from portal.sandbox.totp import current_code
    from tests.support.signin import sign_in

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.HTTP_TRANSPORT_ADAPTERS = TIMED_ADAPTERS
    call_command("migrate", verbosity=0)
    call_command("sandbox_seed", verbosity=0)
    # The employee: a tenant member with one active token, and a spare token to add and remove.
    (upn, spare_serial), *_ = grow_tenant(users=1, tokens=2, assigned=1, prefix="pagebench")
    employee, admin, anonymous = Client(), Client(), Client()
    sign_in(employee, upn)
    sign_in(admin, ADMIN, next_url="/admin/", admin=True)
    clients = {"employee": employee, "admin": admin, "anonymous": anonymous}
    person = DirectoryUser.objects.get(user_principal_name=upn)
    own_token = HardwareToken.objects.get(assigned_to=person)
    spare = HardwareToken.objects.get(serial_number=spare_serial)

    pages = [
        Page("bare page (/healthz)", "GET", "/healthz", who="anonymous"),
        Page("landing", "GET", "/", who="anonymous"),
        Page("My tokens", "GET", "/tokens/"),
        Page("add page", "GET", "/tokens/add"),
        Page("add a token", "POST", "/tokens/add"),
        Page("remove a token", "POST", f"/tokens/{spare.id}/remove"),
        Page("admin overview", "GET", "/admin/", who="admin"),
        Page("admin users search", "GET", "/admin/users/?q=bench", who="admin"),
        Page("admin user page", "GET", f"/admin/users/{person.id}/", who="admin"),
        Page("admin inventory", "GET", "/admin/inventory/", who="admin"),
        Page("admin token page", "GET", f"/admin/inventory/{own_token.id}/", who="admin"),
        Page("admin replace page", "GET", f"/admin/users/{person.id}/tokens/{own_token.id}/replace", who="admin"),
        Page("admin reports", "GET", "/admin/reports/", who="admin"),
        Page("admin imports", "GET", "/admin/imports/", who="admin"),
        Page("admin undelivered mail", "GET", "/admin/mail/", who="admin"),
        Page("admin audit", "GET", "/admin/audit/", who="admin"),
    ]

    def request(page: Page) -> float:
        data = page.data
        if page.label == "add a token":
            code = current_code(spare.secret_key, spare.time_interval, spare.hash_function)
            data = {"serial_number": spare.serial_number, "display_name": "", "code": code}
        client = clients[page.who]
        SandboxClock.reset()
        started = time.perf_counter()
        response = client.post(page.path, data) if page.method == "POST" else client.get(page.path)
        elapsed = time.perf_counter() - started
        assert response.status_code in (200, 302), (page.label, response.status_code, response.content[:300])
        if page.method == "POST":
            assert response.status_code == 302, (page.label, response.content[-2000:])
        return elapsed

    def count(tenant: str) -> None:
        for page in pages:
            since = last_entry_id()
            with (
                CaptureQueriesContext(connections["default"]) as queries,
                CaptureQueriesContext(connections["sandbox"]),
            ):
                request(page)
            page.counts[tenant] = (len(graph_round_trips(since)), len(queries.captured_queries))

    for page in pages:  # warm up: templates, MSAL's discovery, connections
        request(page)
    count("demo tenant")
    started = time.perf_counter()
    grow_tenant(users=args.users, tokens=args.tokens, assigned=min(args.users, args.tokens) // 2)
    grown = f"{args.users:,} users, {HardwareToken.objects.count():,} tokens"
    print(f"Tenant grown to {grown} in {time.perf_counter() - started:.1f} s; {args.repeat} requests per page.")
    count(grown)
    # MSAL applications built while the timed requests run: each thread built its own during the
    # warm-up, so this stays 0 (it was one per request before).
    built = 0
    build = msal_client._build

    def counted_build(cache: msal.SerializableTokenCache) -> msal.ConfidentialClientApplication:
        nonlocal built
        built += 1
        return build(cache)

    msal_client._build = counted_build
    for _ in range(args.repeat):
        for page in pages:
            page.totals.append(request(page))
            page.sandbox.append(SandboxClock.seconds())
    msal_client._build = build
    timed_requests = args.repeat * len(pages)

    with msal_client.application() as app:  # warm: discovery is in the shared http cache
        assert isinstance(app, msal.ConfidentialClientApplication)
    builds = 200 if not args.quick else 50
    started = time.perf_counter()
    for _ in range(builds):
        msal_client._build(msal.SerializableTokenCache())
    build_ms = (time.perf_counter() - started) / builds * 1000

    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(
        f"\n{'page':<22}{'server ms':>10}{'sandbox':>9}{'portal':>8}   "
        f"{'Graph round trips, portal DB queries: demo tenant → ' + grown}"
    )
    rows = []
    for page in pages:
        small, big = page.counts["demo tenant"], page.counts[grown]
        print(
            f"{page.label:<22}{ms(page.totals):>10.1f}{ms(page.sandbox):>9.1f}{ms(page.portal):>8.1f}   "
            f"{small[0]} → {big[0]} round trips, {small[1]} → {big[1]} queries"
        )
        rows.append(
            Row(
                f"portal time: {page.label}",
                f"{ms(page.portal):.1f}",
                "ms",
                f"of {ms(page.totals):.1f} ms server time, sandbox {ms(page.sandbox):.1f} ms; "
                f"{big[0]} Graph round trip(s), {big[1]} portal DB queries at {grown}"
                + ("" if small == big else f" ({small[0]}, {small[1]} on the demo tenant)"),
            )
        )
    my_tokens = next(page for page in pages if page.label == "My tokens")
    share = build_ms / ms(my_tokens.totals) * 100
    print(
        f"\nBuilding MSAL's ConfidentialClientApplication: {build_ms:.2f} ms ({share:.0f} % of a My tokens "
        f"request); built {built} times during the {timed_requests} timed requests (once per thread, in the "
        "warm-up, instead of on every request)."
    )
    rows.append(
        Row(
            "MSAL application build",
            f"{build_ms:.2f}",
            "ms",
            f"{share:.0f} % of a My tokens request; built {built}x in {timed_requests} timed requests (once/thread)",
        )
    )
    write_rows(args.rows_json, rows)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
