"""CSRF on every state-changing request, htmx included.

Every URL that accepts a POST (from the enumerated URL configuration and urlmap.EXPECTED) is
posted to by a persona allowed to use it, with a client that enforces CSRF checks like a browser
would: without a token → 403 with the portal's plain "form has expired" page; with the token in
the X-CSRFToken header, as htmx sends it from <body hx-headers> → accepted (whatever the form then
says). The only exempt views are the sandbox's machine endpoints, which read no cookie at all.
"""

from __future__ import annotations

import json
import re

import pytest
from django.http import HttpResponse
from django.test import Client

from tests.security.conftest import ANON, EMP, PERSONAS, Personas
from tests.security.urlmap import CSRF_CHECKED_INSIDE, CSRF_EXEMPT, EXPECTED, all_patterns, url_of

pytestmark = pytest.mark.django_db

CSRF_PAGE = "This form has expired"
_HX_HEADERS = re.compile(r"hx-headers='([^']+)'")


def post_urls() -> list[str]:
    names = [name for name, rule in EXPECTED.items() if rule.methods & {"POST", "*"} and name not in CSRF_EXEMPT]
    # Signing out ends the persona's session: last.
    return sorted(names, key=lambda name: name == "identity:sign_out")


def persona_for(name: str) -> str:
    """Someone the URL lets through (so a 403 can only be the CSRF check)."""
    if name == "identity:sign_out":
        return EMP
    rule = EXPECTED[name]
    if not rule.get:  # POST-only: someone who is not in its refused list
        allowed_post = [p for p in PERSONAS if p not in rule.refused_post]
        assert allowed_post, f"nobody may post to {name}?"
        return allowed_post[0]
    allowed = [p for p in PERSONAS if rule.get.get(p) not in (None, 302, 403, 405)]
    assert allowed, f"nobody may use {name}?"
    return EMP if EMP in allowed else allowed[0]


def strict_twin(client: Client) -> tuple[Client, str]:
    """A CSRF-enforcing client with `client`'s cookies, and the token htmx would send."""
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    page = strict.get("/auth/signed-out")
    match = _HX_HEADERS.search(page.content.decode())
    assert match, "no hx-headers on <body>"
    token = json.loads(match.group(1))["X-CSRFToken"]
    assert token
    return strict, token


def is_csrf_refusal(response: HttpResponse) -> bool:
    return response.status_code == 403 and CSRF_PAGE in response.content.decode()


def test_only_the_machine_endpoints_are_csrf_exempt() -> None:
    """Views marked exempt: the machine endpoints, and the uploads that check inside (which the
    test below posts to without a token like every other URL)."""
    exempt = {name for name, pattern in all_patterns().items() if getattr(pattern.callback, "csrf_exempt", False)}
    assert exempt == set(CSRF_EXEMPT) | set(CSRF_CHECKED_INSIDE)


def test_machine_endpoints_ignore_the_session_cookie(personas: Personas) -> None:
    """Why their exemption is safe: a signed-in browser's cookie gets nothing from them."""
    client = personas(EMP)
    for path in ("/sandbox/graph/beta/me", "/sandbox/graph/beta/me/authentication/hardwareOathMethods"):
        assert client.get(path).status_code == 401
        assert client.post(path, {}, content_type="application/json").status_code == 401


def test_every_post_needs_the_token_and_htmx_sends_it(personas: Personas) -> None:
    names = post_urls()
    assert len(names) >= 12, names
    clients: dict[str, tuple[Client, str]] = {}
    patterns = all_patterns()
    urls = {name: url_of(name, patterns[name]) for name in names}  # before any POST changes the tenant
    for name in names:
        persona = persona_for(name)
        if persona not in clients:
            clients[persona] = strict_twin(personas(persona)) if persona != ANON else strict_twin(Client())
        client, token = clients[persona]
        url = urls[name]

        refused = client.post(url, {"code": "123456"})
        assert is_csrf_refusal(refused), (name, refused.status_code)
        refused_htmx = client.post(url, {"code": "123456"}, headers={"HX-Request": "true"})
        assert is_csrf_refusal(refused_htmx) and refused_htmx["HX-Refresh"] == "true", name
        wrong = client.post(url, {"code": "123456"}, headers={"X-CSRFToken": "x" * 64})
        assert is_csrf_refusal(wrong), name
        foreign = client.post(url, {"code": "123456"}, headers={"X-CSRFToken": token, "Origin": "https://evil.example"})
        assert is_csrf_refusal(foreign), name

        accepted = client.post(url, {"code": "123456"}, headers={"X-CSRFToken": token, "HX-Request": "true"})
        assert not is_csrf_refusal(accepted), name
        assert accepted.status_code != 403, (name, accepted.status_code)


def test_the_token_also_works_as_a_form_field_without_javascript(personas: Personas) -> None:
    client, token = strict_twin(personas(EMP))
    response = client.post("/tokens/add", {"csrfmiddlewaretoken": token, "serial_number": "", "code": ""})
    assert response.status_code == 400 and "Enter the serial number" in response.content.decode()


def test_csrf_failure_page_is_plain_and_says_what_to_do() -> None:
    response = Client(enforce_csrf_checks=True).post("/auth/sign-out")
    text = response.content.decode()
    assert response.status_code == 403
    assert "Go back, reload the page, and submit the form again" in text
    assert "Nothing was changed" in text
    visible = _HX_HEADERS.sub("", text)  # the fresh token htmx will send next time is expected
    assert "CSRF" not in visible and "Referer" not in visible and "reason" not in visible
