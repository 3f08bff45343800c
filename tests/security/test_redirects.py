"""Open redirects: `next` after sign-in, the way back after a lost session, and post-logout targets.

tests/identity/test_sign_in.py::test_next_never_leaves_the_portal covers //evil, https://evil,
https:evil, /\\evil, %2F%2Fevil, a look-alike host and javascript:. Here: the remaining variants
(more slashes and backslashes, control characters browsers strip, userinfo, schemes), the htmx
way back after a session expires, and the sandbox tenant's end-session endpoint, which must only
send the browser to a registered post_logout_redirect_uri.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from portal.identity.signin import safe_next_url
from tests.security.conftest import EMP, UPNS, Personas
from tests.support.sandbox import sandbox_with
from tests.support.signin import complete_sign_in, local_path

pytestmark = pytest.mark.django_db

HOSTILE_NEXT = [
    "///evil.example",
    "////evil.example/",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",  # browsers drop tabs and newlines: "//evil.example"
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "\x00//evil.example",
    "%2f%2fevil.example",
    "%252F%252Fevil.example",
    "http:/evil.example",
    "http:\\\\evil.example",
    "HTTPS://evil.example",
    "https:evil.example",
    "//evil.example@testserver/",
    "http://testserver@evil.example/",
    "https://testserver.evil.example/",
    "data:text/html,<script>alert(1)</script>",
    "JaVaScRiPt:alert(1)",
    "",
]
KEPT_NEXT = ["/tokens/", "/tokens/add?serial=60200104", "/admin/users/?q=a%20b", "/%2F%2Fevil.example"]


@pytest.mark.parametrize("candidate", HOSTILE_NEXT)
def test_hostile_next_falls_back_to_the_start_page(candidate: str) -> None:
    request = RequestFactory().get("/auth/sign-in")
    assert safe_next_url(request, candidate) == "/"


@pytest.mark.parametrize("candidate", KEPT_NEXT)
def test_paths_on_this_site_are_kept(candidate: str) -> None:
    # "/%2F%2Fevil.example" is a path on this host: a browser does not decode %2F into a host.
    request = RequestFactory().get("/auth/sign-in")
    assert safe_next_url(request, candidate) == candidate


@pytest.mark.parametrize("candidate", ["/\t/evil.example", "/\\/evil.example", "///evil.example"])
def test_hostile_next_through_a_real_sign_in(demo_tenant: None, candidate: str) -> None:
    client = Client()
    start = client.get("/auth/sign-in", {"next": candidate})
    assert complete_sign_in(client, start["Location"], UPNS[EMP]) == "/"


def test_way_back_after_a_lost_session_stays_on_the_site(personas: Personas) -> None:
    """An htmx request from an expired session is sent to sign-in with the page it came from;
    a forged HX-Current-URL on another host is not used."""
    client = personas(EMP)
    session = client.session
    session["identity.last_seen"] -= settings.SESSION_IDLE_SECONDS + 1
    session.save()
    response = client.get("/tokens/", headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"})
    target = response["HX-Redirect"]
    assert target.startswith("/auth/sign-in?")
    assert parse_qs(urlsplit(target).query)["next"] == ["/tokens/"]


def test_sign_out_ignores_any_target_it_is_given(personas: Personas) -> None:
    client = personas(EMP)
    response = client.post("/auth/sign-out?next=//evil.example&post_logout_redirect_uri=https://evil.example/")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["post_logout_redirect_uri"] == [settings.PORTAL_BASE_URL + "/auth/signed-out"]
    assert "evil" not in response["Location"]


def logout_url(target: str, **extra: str) -> tuple[str, dict[str, str]]:
    tenant = settings.SANDBOX["TENANT_ID"]
    return f"/sandbox/login/{tenant}/oauth2/v2.0/logout", {"post_logout_redirect_uri": target, **extra}


REGISTERED = "http://127.0.0.1:8000/auth/signed-out"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/auth/signed-out",
        "http://127.0.0.1:8000.evil.example/auth/signed-out",
        "http://127.0.0.1:8000/auth/signed-out.evil.example",
        "http://127.0.0.1:8000/auth/signed-out@evil.example",
        "http://127.0.0.1:8000@evil.example/auth/signed-out",
        "http://evil.example/?http://127.0.0.1:8000/auth/signed-out",
        "http://127.0.0.1:8000/auth/signed-out/../../evil",
        "http://127.0.0.1:8000/auth/signed-out?next=//evil.example",
        "http://127.0.0.1:8000/auth/signed-out%2F%2Fevil.example",
        "http://127.0.0.1:8000/auth/signed-out\t",
        "HTTP://127.0.0.1:8000/auth/signed-out",
        "javascript:alert(1)//http://127.0.0.1:8000/auth/signed-out",
    ],
)
def test_sandbox_logout_only_returns_to_a_registered_uri(db: None, target: str) -> None:
    path, params = logout_url(target)
    response = Client().get(path, params)
    assert response.status_code == 200, response.get("Location")
    assert "Location" not in response
    assert "evil.example" not in response.content.decode()


def test_sandbox_logout_returns_to_the_registered_uri_with_state_encoded(db: None) -> None:
    path, params = logout_url(REGISTERED, state="abc&next=//evil.example")
    response = Client().get(path, params)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == ("http", "127.0.0.1:8000", "/auth/signed-out")
    assert parse_qs(location.query) == {"state": ["abc&next=//evil.example"]}


@override_settings(SANDBOX=sandbox_with(POST_LOGOUT_REDIRECT_URIS=[]))
def test_nothing_registered_means_no_redirect_at_all(db: None) -> None:
    path, params = logout_url(REGISTERED)
    assert Client().get(path, params).status_code == 200


def test_sandbox_authorize_never_redirects_to_an_unregistered_redirect_uri(db: None) -> None:
    start = Client().get("/auth/sign-in?next=/")
    authorize = urlsplit(start["Location"])
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    query["redirect_uri"] = "https://evil.example/auth/callback"
    response = Client().get(local_path(start["Location"]).split("?")[0], query)
    assert response.status_code == 400
    assert "Location" not in response
