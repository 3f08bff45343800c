"""Security headers on every kind of answer, and markup that works under a strict CSP.

The CSP has no 'unsafe-inline' and no 'unsafe-eval', so nothing may rely on inline code: no
<script> without src, no <style> element, no style="…" attribute, no on…= handler, no hx-on
(htmx evaluates those), no javascript: URL. htmx is served from 'self' and configured
(meta htmx-config) not to inject its indicator <style> and not to eval anything.
HSTS needs HTTPS: see test_production_settings::test_production_headers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client

from tests.security.conftest import AA, ANON, APA, EMP, FREE, GR, PERSONAS, Personas
from tests.security.urlmap import EXPECTED, all_patterns, url_of
from tests.support.tokens import wrong_code_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def template_files() -> Iterator[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [path for path in (ROOT / "portal").glob("*/templates") if path.is_dir()]
    for directory in dirs:
        yield from sorted(directory.rglob("*.html"))


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block (or what needs 'unsafe-eval' in htmx)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_inline_script = False
        self.htmx_config: dict[str, object] | None = None
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"{name} on <{tag}> (htmx evaluates it)")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL in {name} of <{tag}>")
            if name in {"hx-vals", "hx-vars"} and (value or "").strip().startswith(("js:", "javascript:")):
                self.problems.append(f"{name} evaluates code on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            src = names.get("src")
            if not src:
                self.in_inline_script = True
                self.problems.append("inline <script>")
            else:
                self.scripts.append(src)
                if not src.startswith("/static/"):
                    self.problems.append(f"script from elsewhere than /static/: {src}")
        if tag == "link" and names.get("rel") == "stylesheet" and not (names.get("href") or "").startswith("/static/"):
            self.problems.append(f"stylesheet from elsewhere: {names.get('href')}")
        if tag == "meta" and names.get("name") == "htmx-config":
            self.htmx_config = json.loads(names.get("content") or "{}")


def inline_code_in(html: str) -> InlineCodeFinder:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder


# Source patterns in templates (before rendering): the same rules, applied to every template.
TEMPLATE_RULES = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    'style="…" attribute': re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on…= handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on": re.compile(r"\s(data-)?hx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_contains_inline_code() -> None:
    files = list(template_files())
    assert len(files) > 20, files  # the scan did find the project's templates
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in files
        for what, pattern in TEMPLATE_RULES.items()
        if pattern.search(path.read_text())
    ]
    assert not found, found


def test_the_scanners_see_what_they_look_for() -> None:
    """Control: the checks above do catch inline code (a scanner that finds nothing proves nothing)."""
    bad = (
        '<div style="color:red" onclick="x()" hx-on:click="y()"><script>alert(1)</script>'
        '<style>p{}</style><a href="javascript:alert(1)">x</a><script src="https://cdn.example/htmx.js"></script>'
    )
    assert len(inline_code_in(bad).problems) == 7
    assert all(pattern.search(bad) for pattern in TEMPLATE_RULES.values())


def test_csp_setting_allows_no_inline_or_eval() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    sources = [source for values in directives.values() for source in values]
    assert not [s for s in sources if "unsafe" in s], sources
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]


# Answered by portal.core.middleware.ProbeMiddleware before the page middleware (CSP, framing):
# JSON status words only, never rendered, so nosniff is what matters for them.
PROBES = frozenset({"core:healthz", "core:readyz"})


def assert_probe_headers(response: HttpResponse, what: str) -> None:
    assert response["Content-Type"] == "application/json", what
    assert response.get("X-Content-Type-Options") == "nosniff", what
    assert response.get("Cache-Control") == "no-store", what


def assert_security_headers(response: HttpResponse, what: str) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"{what}: no Content-Security-Policy"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (what, csp)
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, (what, csp)
    assert response.get("X-Frame-Options") == "DENY", what
    assert response.get("X-Content-Type-Options") == "nosniff", what
    assert response.get("Referrer-Policy") == "same-origin", what
    assert "camera=()" in response.get("Permissions-Policy", ""), what


def check_page(response: HttpResponse, what: str) -> None:
    assert_security_headers(response, what)
    if "text/html" not in response.get("Content-Type", "") or not response.content:
        return
    finder = inline_code_in(response.content.decode())
    assert not finder.problems, (what, finder.problems)
    if any("htmx" in src for src in finder.scripts):
        assert finder.htmx_config is not None, f"{what}: htmx without its CSP-safe config"
        assert finder.htmx_config.get("includeIndicatorStyles") is False, what
        assert finder.htmx_config.get("allowEval") is False, what


def test_every_page_for_every_persona_has_the_headers_and_no_inline_code(personas: Personas) -> None:
    """Every URL of the project as each persona opens it (pages, 403s, sign-in redirects, the
    sandbox's pages and JSON endpoints, the CSV export)."""
    checked = 0
    for persona in (ANON, EMP, AA, APA, GR):
        client = personas(persona)
        for name, pattern in all_patterns().items():
            if "GET" not in EXPECTED[name].methods and "*" not in EXPECTED[name].methods:
                continue
            response = client.get(url_of(name, pattern))
            if name in PROBES:
                assert_probe_headers(response, f"{persona} GET {name}")
            else:
                check_page(response, f"{persona} GET {name}")
            checked += 1
    assert checked >= 5 * 30
    assert set(PERSONAS) - {ANON, EMP, AA, APA, GR} == {"priv-auth-admin"}  # same pages as AA


def test_other_kinds_of_answer(personas: Personas) -> None:
    """Error pages, htmx partials, form errors, the sandbox sign-in picker, the CSRF failure page."""
    anonymous = Client()
    check_page(anonymous.get("/no/such/page"), "404 page")
    check_page(anonymous.get("/auth/callback?state=forged&code=x"), "sign-in error page")
    start = anonymous.get("/auth/sign-in?next=/tokens/")
    check_page(start, "sign-in redirect")
    check_page(anonymous.get(start["Location"].replace(settings.PORTAL_BASE_URL, "")), "sandbox sign-in picker")
    strict = Client(enforce_csrf_checks=True)
    check_page(strict.post("/auth/sign-out"), "CSRF failure page")

    employee = personas(EMP)
    htmx = {"HX-Request": "true"}
    check_page(employee.get("/tokens/", headers=htmx), "htmx partial (list)")
    form = {"serial_number": FREE, "code": wrong_code_for(FREE)}
    check_page(employee.post("/tokens/add", form), "form with an error")
    check_page(employee.post("/tokens/add", form, headers=htmx), "htmx partial (form with an error)")
    check_page(employee.get("/admin/", headers=htmx), "403 to htmx")


def test_django_s_own_bad_host_page_has_the_headers() -> None:
    # Before: the 400 for a Host outside ALLOWED_HOSTS came from a middleware below CSP and
    # X-Frame-Options (issue 11), so it had neither.
    response = Client().get("/tokens/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_security_headers(response, "bad Host 400")
    static = Client().get("/static/css/portal.css")
    assert static.status_code in {200, 404}
    assert "frame-ancestors 'none'" in static.get("Content-Security-Policy", ""), "static file"


def test_forms_may_post_only_here_and_to_the_sign_in_page() -> None:
    # Before: form-action 'self' http: https: let an injected form post anywhere.
    csp = Client().get("/").get("Content-Security-Policy", "")
    form_action = next(part.split()[1:] for part in csp.split(";") if part.split()[:1] == ["form-action"])
    assert form_action == ["'self'", settings.SIGN_IN_ORIGIN]
    assert (
        settings.PORTAL_BASE_URL if settings.SANDBOX_ENABLED else "https://login.microsoftonline.com"
    ) == settings.SIGN_IN_ORIGIN


def test_signed_in_pages_are_never_stored(personas: Personas) -> None:
    employee, admin = personas(EMP), personas(AA)
    for client, url in (
        (employee, "/tokens/"),
        (employee, "/tokens/add"),
        (admin, "/admin/"),
        (admin, "/admin/audit/"),
    ):
        cache_control = {part.strip() for part in client.get(url).get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= cache_control, (url, cache_control)
    assert "no-store" not in Client().get("/").get("Cache-Control", "")  # the public start page may be cached
