"""Every page a person can reach, as each kind of person meets it (issues 12 and 16).

At 390 px no page may scroll sideways (the document is measured, and no element reaches past the
screen outside a scrollable table), and axe reports no violation of any impact.

The walks run in English at 390 and 1280 px; in the pseudo-German (tests/support/pseudo.py: every
string ~40 % longer, so a new string is walked before the translators see it) and in the shipped
German, French and Spanish at 390 px only, where length shows. Each test walks one language in one
browser context (an administrator's comes signed in), so xdist spreads them over the CI machine's
cores. Screenshots land in test-artifacts/screenshots/every-page/.

A walk finds its way by addresses and form fields, never by the words on a button, so the same walk
runs in every language. Each walk declares the URL patterns it shows and fails if it shows another
set; `test_every_page_is_walked` fails when a named URL pattern is in no walk and not excused in
`NOT_PAGES`, so a new page cannot go unwalked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.utils import translation
from playwright.sync_api import Browser, Page, ViewportSize, expect

from portal.core.attempts import attempt_begin, attempt_finish
from portal.identity.models import User
from portal.imports.models import ImportJob
from portal.notifications.models import Kind, Notification
from portal.sandbox import seed
from tests.browser.conftest import SHOTS, screenshot
from tests.imports.filemakers import entra_csv
from tests.support import pseudo
from tests.support.imports import ISAIAH, MIRIAM, admin_client, analysed, b32, run_worker, secret_for

pytestmark = pytest.mark.django_db(transaction=True)

PHONE: ViewportSize = {"width": 390, "height": 844}
DESK: ViewportSize = {"width": 1280, "height": 900}

#: English (both widths) and the pseudo-German (the test's own catalogue under the code "de"; 390 px).
PSEUDO = "pseudo-de"
LANGUAGES = ["en-GB", PSEUDO]
#: The shipped translations (tests/i18n checks the catalogues are complete): 390 px.
REAL_LANGUAGES = ["de-DE", "fr-FR", "es-ES"]

#: The error pages every walk of the employee's pages shows: templates/<code>.html, and the page
#: a form sent with a stale CSRF token gets (settings.CSRF_FAILURE_VIEW).
ERROR_PAGES = {"error:400", "error:403", "error:404", "error:500", "error:csrf"}

#: The pages each walk shows, by URL pattern name (and error page).
EMPLOYEE_PAGES = {
    "selfservice:home",
    "sandbox:authorize",  # the identity provider's sign-in page (the sandbox tenant's)
    "selfservice:tokens",
    "selfservice:add",
    "selfservice:activate",
    "selfservice:remove",
    "selfservice:report",
    "selfservice:reported",
    "identity:signed_out",
}
ERROR_AND_SANDBOX_PAGES = {
    *ERROR_PAGES,
    "sandbox:index",
    "sandbox:tokens",
    "sandbox:users",
    "sandbox:outbox",
    "sandbox:logout",  # the sandbox's own "signed out" page, for a sign-out that names no way back
}
ADMIN_PEOPLE_PAGES = {
    "tokenadmin:home",  # with the needs-attention queue
    "tokenadmin:reports",
    "tokenadmin:attention_rule",  # one needs-attention rule's full list
    "tokenadmin:users",
    "tokenadmin:user",  # empty, with tokens, with code entry paused
    "tokenadmin:user_assign",
    "tokenadmin:user_activate",
    "tokenadmin:user_deactivate",
    "tokenadmin:user_unassign",
    "tokenadmin:user_replace",  # the form, and its result with a Temporary Access Pass
    "tokenadmin:user_replace_gone",  # for a person with no token left: the form, and the pass
}
ADMIN_INVENTORY_PAGES = {
    "tokenadmin:inventory",
    "tokenadmin:inventory_create",
    "tokenadmin:device",
    "tokenadmin:device_edit",
    "tokenadmin:device_delete",
    "tokenadmin:device_assign",
    "tokenadmin:device_lifecycle",
    "tokenadmin:device_retire",
    "imports:index",
    "imports:seed_new",
    "imports:assignments_new",
    "imports:job",
    "audit:events",
    "notifications:undelivered",  # Admin → Mail
}
READER_PAGES = {"tokenadmin:home", "tokenadmin:inventory_create"}  # the latter refused: 403 in the admin layout

#: Named URL patterns that are not pages a person looks at, and why. A new page goes into a walk.
NOT_PAGES = {
    # Redirects and form targets: each answers with a redirect to a page that is walked.
    "identity:sign_in": "redirects to the identity provider's sign-in page (sandbox:authorize)",
    "identity:callback": "the identity provider's way back: redirects to the page asked for",
    "identity:sign_out": "POST only: redirects to identity:signed_out",
    "set_language": "POST only: the language switch under every page redirects back",
    "tokenadmin:program_refresh": "POST only: redirects to tokenadmin:home",
    "tokenadmin:lockout_lift": "POST only: redirects to tokenadmin:home",
    "tokenadmin:user_lockout_lift": "POST only: redirects to tokenadmin:user",
    "imports:confirm": "POST only: redirects to imports:job",
    "imports:discard": "POST only: redirects to imports:index",
    "imports:cancel": "POST only: redirects to imports:job",
    "imports:follow_up": "POST only: redirects to the follow-up's imports:job",
    "sandbox:token_sign_in": "POST only: answers on sandbox:tokens",
    "sandbox:user_change": "POST only: redirects to sandbox:users",
    "core:favicon": "redirects to the icon",
    # Fragments: htmx swaps them into a walked page.
    "tokenadmin:stock": "the type-ahead's options inside the Replace form (tokenadmin:user_replace)",
    # Downloads and machine endpoints: no HTML.
    "tokenadmin:report_csv": "a CSV download",
    "tokenadmin:attention_csv": "a CSV download",
    "imports:csv": "a CSV download",
    "audit:export": "a CSV download",
    "core:healthz": "a probe for the load balancer (plain text)",
    "core:readyz": "a probe for the load balancer (plain text)",
    "sandbox:login_endpoint": "the sandbox identity provider's machine endpoints (JSON)",
    "sandbox:graph_root": "the sandbox's Microsoft Graph (JSON)",
    "sandbox:graph_endpoint": "the sandbox's Microsoft Graph (JSON)",
}

#: A crash, a refusal and a request Django will not read, for the 500 and 400 pages.
CRASH_URLCONF = "tests.browser.error_urls"

_OVERFLOWING = """() => {
  // Elements that reach past the screen's right edge, unless inside a region that scrolls itself
  // (a wide table's keyboard-scrollable wrapper) or hidden from view. The document's width alone
  // misses content an ancestor clips.
  const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
  const out = [];
  for (const e of document.body.querySelectorAll("*")) {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.right <= window.innerWidth + 1) continue;
    let inside = false;
    for (let up = e.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up)) { inside = true; break; }
    }
    // Text only screen readers read (clipped to a pixel on purpose) is no overflow.
    // Not shown (a closed menu's contents) is no overflow either.
    if (inside || e.closest(".visually-hidden") || !e.checkVisibility({ visibilityProperty: true })) continue;
    const classes = typeof e.className === "string" ? e.className.trim().replace(/\\s+/g, ".") : "";
    out.push(`${e.tagName.toLowerCase()}${classes ? "." + classes : ""} (${Math.round(box.right)} px)`);
  }
  return out.slice(0, 5);
}"""


def view_name(url: str) -> str:
    path = urlsplit(url).path
    try:
        return str(get_resolver().resolve(path).view_name)
    except Resolver404:
        return f"unresolved {path}"


class Walker:
    """Opens a page at each width, measures it at 390 px and runs axe (every impact) on it."""

    def __init__(self, page: Page, language: str = "en", *, widths: tuple[ViewportSize, ...] = (PHONE, DESK)) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.language = language
        self.widths = widths
        self.axe = Axe()
        self.seen: list[str] = []
        self.routes: set[str] = set()
        self.problems: list[str] = []
        (SHOTS / "every-page").mkdir(parents=True, exist_ok=True)

    def check(self, name: str, *, route: str | None = None) -> None:
        page = self.page
        self.routes.add(route or view_name(page.url))
        name = f"{self.language}-{name}"
        page.wait_for_load_state()
        for size in self.widths:
            page.set_viewport_size(size)
            where = f"{name} at {size['width']} px"
            if size["width"] <= PHONE["width"]:
                width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
                if width > size["width"]:
                    self.problems.append(f"{where}: the page is {width} px wide")
                for element in page.evaluate(_OVERFLOWING):
                    self.problems.append(f"{where}: {element} reaches past the screen")
            screenshot(page, SHOTS / "every-page" / f"{name}-{size['width']}.png")
            self._axe(where)
        self.seen.append(name)

    def _axe(self, where: str) -> None:
        for v in self.axe.run(self.page).response["violations"]:
            targets = [n["target"] for n in v["nodes"]][:3]
            self.problems.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} — {targets}")

    def visit(self, url: str, name: str) -> None:
        self.page.goto(url)
        self.check(name)

    def error(self, url: str, status: int, name: str) -> None:
        answer = self.page.goto(url)
        assert answer is not None and answer.status == status, (url, answer and answer.status)
        self.check(name, route=f"error:{status}")

    def assert_walked(self, expected: set[str]) -> None:
        """The walk showed exactly the pages it declares."""
        assert self.routes == expected, f"walked but not declared: {sorted(self.routes - expected)}; " + (
            f"declared but not walked: {sorted(expected - self.routes)}"
        )

    def done(self) -> None:
        self.page.context.close()
        assert not self.problems, "\n".join(self.problems)


def submit(page: Page, form: str) -> None:
    """Send a form as its submit button does, whatever language it is labelled in (and even where the
    button sits in the closed menu of a phone-sized page)."""
    with page.expect_navigation():
        page.locator(form).first.evaluate("form => form.requestSubmit()")


def card_link(page: Page, serial: str, ending: str) -> str:
    """The address behind a token card's link (the card found by its serial number)."""
    href = page.locator(".token").filter(has_text=serial).locator(f'a[href$="{ending}"]').first.get_attribute("href")
    assert href, (serial, ending)
    return href


# --- the walks ------------------------------------------------------------------------------------


def employee_walk(walk: Walker, portal: str) -> None:
    """Adele Vance: the landing page, the sign-in, her tokens and every page about one (a token
    reported lost among them), signing out."""
    page = walk.page
    walk.visit(portal + "/", "landing")
    page.locator('a[href^="/auth/sign-in"]').first.click()
    walk.check("sandbox-sign-in")
    page.locator(f'button[name="user"][value="{seed.ADELE}"]').click()
    page.wait_for_url(portal + "/tokens/")
    walk.check("my-tokens")
    activate = card_link(page, "60200101", "/activate")
    remove = card_link(page, "60200101", "/remove")
    report = card_link(page, "2100040001", "/report")
    walk.visit(portal + "/tokens/add", "add")
    walk.visit(portal + activate, "activate")
    walk.visit(portal + remove, "remove")
    walk.visit(portal + report, "report-lost")
    page.locator('#report-form input[name="state"]').first.check()
    submit(page, "#report-form")
    walk.check("reported")
    submit(page, 'form[action="/auth/sign-out"]')
    page.wait_for_url(portal + "/auth/signed-out*")
    walk.check("signed-out")


def error_and_sandbox_walk(walk: Walker, portal: str) -> None:
    """Adele Vance, signed in: the error pages, and the sandbox tenant's own pages."""
    page = walk.page
    walk.error(portal + "/no-such-page", 404, "error-404")
    walk.error(portal + "/admin/", 403, "error-403-employee")
    walk.error(portal + "/test-suspicious/", 400, "error-400")
    walk.error(portal + "/test-crash/", 500, "error-500")
    # A form sent with a token that no longer matches (a page left open across a sign-out elsewhere).
    page.goto(portal + "/tokens/")
    sign_out = page.locator('form[action="/auth/sign-out"]')
    sign_out.locator('input[name="csrfmiddlewaretoken"]').evaluate(
        "e => e.value = (e.value[0] === 'x' ? 'y' : 'x') + e.value.slice(1)"
    )
    with page.expect_navigation() as answer:
        sign_out.evaluate("form => form.requestSubmit()")
    assert answer.value is not None and answer.value.status == 403
    walk.check("error-csrf", route="error:csrf")
    walk.visit(portal + "/sandbox/", "sandbox-index")
    walk.visit(portal + "/sandbox/tokens/", "sandbox-tokens")
    walk.visit(portal + "/sandbox/users/", "sandbox-users")
    walk.visit(portal + "/sandbox/outbox/", "sandbox-outbox")
    walk.visit(f"{portal}/sandbox/login/{django_settings.SANDBOX_TENANT_ID}/oauth2/v2.0/logout", "sandbox-signed-out")


def admin_people_walk(walk: Walker, portal: str) -> None:
    """Miriam Graham (Global Administrator): the overview with the needs-attention queue, the
    reports, and the pages about people and their tokens, replacements with a pass among them."""
    page = walk.page
    page.goto(portal + "/admin/")
    submit(page, 'form[action="/admin/program/refresh"]')
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, interval=0)
    walk.visit(portal + "/admin/", "admin-home")
    walk.visit(portal + "/admin/reports/", "admin-reports")
    walk.visit(portal + "/admin/attention/locked_out/", "admin-attention-rule")
    walk.visit(portal + "/admin/users/?q=a", "admin-search")
    user = f"{portal}/admin/users/{seed.MEGAN}/"
    walk.visit(user, "admin-user-empty")
    walk.visit(user + "assign", "admin-give-token")
    walk.visit(f"{portal}/admin/users/{seed.ADELE}/", "admin-user-paused")
    activate, unassign = card_link(page, "60200101", "/activate"), card_link(page, "60200101", "/unassign")
    walk.visit(portal + activate, "admin-activate")
    walk.visit(portal + unassign, "admin-unassign")
    walk.visit(f"{portal}/admin/users/{seed.ALEX}/", "admin-user")
    deactivate, replace = card_link(page, "SI-01000101", "/deactivate"), card_link(page, "60200102", "/replace")
    walk.visit(portal + deactivate, "admin-deactivate")
    walk.visit(portal + replace, "admin-replace")
    page.locator('#replace-form input[name="state"]').first.check()
    page.locator('#replace-form input[name="issue_pass"]').check()
    submit(page, "#replace-form")
    expect(page.locator("#access-pass code")).to_have_count(1)
    walk.check("admin-replaced-with-pass")
    # Megan has no token left to replace: a pass on its own.
    walk.visit(f"{portal}/admin/users/{seed.MEGAN}/replace", "admin-replace-gone")
    page.locator('#replace-gone-form input[name="issue_pass"]').check()
    submit(page, "#replace-gone-form")
    expect(page.locator("#access-pass code")).to_have_count(1)
    walk.check("admin-replace-gone-pass")


def admin_inventory_walk(walk: Walker, portal: str) -> None:
    """Miriam Graham: the inventory and every page about one token, the imports, the audit trail
    and Admin → Mail."""
    page = walk.page
    walk.visit(portal + "/admin/inventory/", "admin-inventory")
    device = portal + str(page.get_by_role("link", name="60200104", exact=True).first.get_attribute("href"))
    walk.visit(device, "admin-device")
    walk.visit(device + "edit", "admin-device-edit")
    walk.visit(device + "delete", "admin-device-delete")
    walk.visit(device + "assign", "admin-device-assign")
    walk.visit(device + "lifecycle", "admin-device-lifecycle")
    walk.visit(device + "retire", "admin-device-retire")
    walk.visit(portal + "/admin/inventory/new", "admin-inventory-new")
    walk.visit(portal + "/admin/imports/", "admin-imports")
    walk.visit(portal + "/admin/imports/new", "admin-import-new")
    walk.visit(portal + "/admin/imports/assignments/new", "admin-import-assignments")
    walk.visit(f"{portal}/admin/imports/{ImportJob.objects.latest('pk').public_id}/", "admin-import-job")
    walk.visit(portal + "/admin/audit/", "admin-audit")
    walk.visit(portal + "/admin/mail/", "admin-mail")


# --- what the walks need in the tenant and the portal ---------------------------------------------


@pytest.fixture
def crash_pages(settings: Any) -> None:
    """The portal's URLs plus a crash and a bad request, for the 500 and 400 pages."""
    settings.ROOT_URLCONF = CRASH_URLCONF


@pytest.fixture
def mail(portal: str, settings: Any) -> None:
    """A mail in the sandbox's outbox: Megan was given a token, and the mail went out as in the
    demo, through Graph."""
    settings.EMAIL_BACKEND = "portal.notifications.graph_backend.GraphMailBackend"
    response = admin_client(ISAIAH).post(f"/admin/users/{seed.MEGAN}/assign", {"serial_number": "60200106"})
    assert response.status_code == 302, response.status_code
    run_worker()


@pytest.fixture
def admin_things(portal: str, settings: Any) -> None:
    """Something on every admin page: a lockout, a mail that could not be delivered, an import."""
    User.objects.get_or_create(
        username=seed.ADELE, defaults={"display_name": "Adele Vance", "upn": f"adele.vance@{seed.DOMAIN}"}
    )
    for _ in range(5):
        attempt_finish(attempt_begin(person_oid=seed.ADELE, serial="60200105"), wrong_code=True)
    Notification.objects.create(
        kind=Kind.TOKEN_REMOVED,
        to_address="someone.with.a.very.long.address.indeed@subsidiary.contoso-sandbox.example",
        idempotency_key="every-page",
        state=Notification.State.FAILED,
        attempts=6,
    )
    settings.IMPORT_CONCURRENCY = 1
    rows = [(f"EP{n:04d}", b32(secret_for(f"ep{n}")), "30", "Token2", "C202") for n in range(3)]
    rows.append(("EP-BAD", "not base32", "45", "Token2", "C202"))
    analysed(admin_client(MIRIAM), entra_csv(rows, with_upn=False))


@pytest.fixture(params=LANGUAGES, ids=["en", "pseudo-de"])
def language(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> str:
    if request.param == PSEUDO:
        settings.LOCALE_PATHS = [pseudo.build(tmp_path)]
    return str(request.param)


@pytest.fixture(params=REAL_LANGUAGES, ids=["de", "fr", "es"])
def real_language(request: pytest.FixtureRequest) -> str:
    # Without the compiled catalogue the walk would see English and prove nothing about the language.
    with translation.override(request.param[:2]):
        assert translation.gettext("Sign out") != "Sign out", "no compiled catalogue: run `make compilemessages`"
    return str(request.param)


def walker(
    browser: Browser, portal: str, language: str, *, phone_only: bool, person: str | None = None, start: str = "/admin/"
) -> Walker:
    """A browser context asking for `language`; signed in as `person` from `start` (for the admin
    area with its consent) in a context of its own, whose cookies this one starts with."""
    options: dict[str, Any] = {}
    if person is not None:
        signing_in = browser.new_context(viewport=DESK, locale="en-GB")
        page = signing_in.new_page()
        page.goto(portal + start)
        page.locator(f'button[name="user"][value="{person}"]').click()
        page.wait_for_url(portal + start)
        options["storage_state"] = signing_in.storage_state()
        signing_in.close()
    locale = "de-DE" if language == PSEUDO else language  # the browser asks for German as a German one does
    context = browser.new_context(viewport=PHONE if phone_only else DESK, locale=locale, **options)
    context.set_default_timeout(15_000)
    name = PSEUDO if language == PSEUDO else language[:2]
    return Walker(context.new_page(), name, widths=(PHONE,) if phone_only else (PHONE, DESK))


# --- the tests ------------------------------------------------------------------------------------


def all_url_names() -> set[str]:
    def names(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                yield from names(entry.url_patterns, namespace)
            elif entry.name:
                yield prefix + entry.name
            else:
                yield f"unnamed {entry.pattern}"

    return set(names(get_resolver(django_settings.ROOT_URLCONF).url_patterns, ""))


def test_every_page_is_walked() -> None:
    """A named URL pattern is shown by a walk or excused in NOT_PAGES; nothing is both, or stale."""
    walked = EMPLOYEE_PAGES | ERROR_AND_SANDBOX_PAGES | ADMIN_PEOPLE_PAGES | ADMIN_INVENTORY_PAGES | READER_PAGES
    patterns = all_url_names()
    unwalked = patterns - walked - NOT_PAGES.keys()
    assert not unwalked, (
        f"pages no walk shows (add them to a walk, or to NOT_PAGES with the reason): {sorted(unwalked)}"
    )
    assert not walked & NOT_PAGES.keys(), sorted(walked & NOT_PAGES.keys())
    stale = (walked - ERROR_PAGES) - patterns | NOT_PAGES.keys() - patterns
    assert not stale, f"no such URL pattern: {sorted(stale)}"
    error_templates = {
        f"error:{p.stem}" for p in (Path(django_settings.BASE_DIR) / "templates").glob("[0-9][0-9][0-9].html")
    }
    assert error_templates <= ERROR_PAGES, sorted(error_templates - ERROR_PAGES)


def test_employee_pages(portal: str, browser: Browser, language: str) -> None:
    walk = walker(browser, portal, language, phone_only=language == PSEUDO)
    employee_walk(walk, portal)
    walk.assert_walked(EMPLOYEE_PAGES)
    walk.done()


def test_employee_pages_in_each_language_on_a_phone(portal: str, browser: Browser, real_language: str) -> None:
    walk = walker(browser, portal, real_language, phone_only=True)
    employee_walk(walk, portal)
    walk.assert_walked(EMPLOYEE_PAGES)
    walk.done()


@pytest.mark.usefixtures("crash_pages", "mail")
def test_error_and_sandbox_pages(portal: str, browser: Browser, language: str) -> None:
    walk = walker(browser, portal, language, phone_only=language == PSEUDO, person=seed.ADELE, start="/tokens/")
    error_and_sandbox_walk(walk, portal)
    walk.assert_walked(ERROR_AND_SANDBOX_PAGES)
    walk.done()


@pytest.mark.usefixtures("crash_pages", "mail")
def test_error_and_sandbox_pages_in_each_language_on_a_phone(portal: str, browser: Browser, real_language: str) -> None:
    walk = walker(browser, portal, real_language, phone_only=True, person=seed.ADELE, start="/tokens/")
    error_and_sandbox_walk(walk, portal)
    walk.assert_walked(ERROR_AND_SANDBOX_PAGES)
    walk.done()


@pytest.mark.usefixtures("admin_things")
def test_admin_people_pages(portal: str, browser: Browser, language: str) -> None:
    walk = walker(browser, portal, language, phone_only=language == PSEUDO, person=seed.MIRIAM)
    admin_people_walk(walk, portal)
    walk.assert_walked(ADMIN_PEOPLE_PAGES)
    walk.done()


@pytest.mark.usefixtures("admin_things")
def test_admin_people_pages_in_each_language_on_a_phone(portal: str, browser: Browser, real_language: str) -> None:
    walk = walker(browser, portal, real_language, phone_only=True, person=seed.MIRIAM)
    admin_people_walk(walk, portal)
    walk.assert_walked(ADMIN_PEOPLE_PAGES)
    walk.done()


@pytest.mark.usefixtures("admin_things")
def test_admin_inventory_pages(portal: str, browser: Browser, language: str) -> None:
    walk = walker(browser, portal, language, phone_only=language == PSEUDO, person=seed.MIRIAM)
    admin_inventory_walk(walk, portal)
    walk.assert_walked(ADMIN_INVENTORY_PAGES)
    walk.done()


@pytest.mark.usefixtures("admin_things")
def test_admin_inventory_pages_in_each_language_on_a_phone(portal: str, browser: Browser, real_language: str) -> None:
    walk = walker(browser, portal, real_language, phone_only=True, person=seed.MIRIAM)
    admin_inventory_walk(walk, portal)
    walk.assert_walked(ADMIN_INVENTORY_PAGES)
    walk.done()


def test_global_reader_pages(portal: str, browser: Browser, language: str) -> None:
    walk = walker(browser, portal, language, phone_only=language == PSEUDO, person=seed.GRADY)
    page = walk.page
    walk.visit(portal + "/admin/", "reader-home")
    walk.visit(portal + "/admin/inventory/new", "reader-403")
    # Refused one page, the Global Reader keeps the admin area's navigation.
    expect(page.locator('nav a[href="/admin/audit/"]')).to_be_attached()
    walk.assert_walked(READER_PAGES)
    walk.done()
