"""Discovery, keys, the request log, and the two ways in: the in-process transport and the dev server."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from django.test import Client

from portal.graph.transport import RefusedURL, build_session
from portal.sandbox import keys
from portal.sandbox.models import RequestLogEntry
from tests.sandbox.fixtures_identity import LOGIN_HOST, assert_entra_error, client_id, tenant

pytestmark = pytest.mark.django_db


def test_v2_discovery_in_process() -> None:
    answer = build_session().get(f"{LOGIN_HOST}/{tenant()}/v2.0/.well-known/openid-configuration")

    assert answer.status_code == 200
    document = answer.json()
    browser = settings.SANDBOX["BROWSER_BASE_URL"]
    assert document["issuer"] == f"{LOGIN_HOST}/{tenant()}/v2.0"
    assert document["token_endpoint"] == f"{LOGIN_HOST}/{tenant()}/oauth2/v2.0/token"
    assert document["jwks_uri"] == f"{LOGIN_HOST}/{tenant()}/discovery/v2.0/keys"
    assert document["authorization_endpoint"] == f"{browser}/login/{tenant()}/oauth2/v2.0/authorize"
    assert document["end_session_endpoint"] == f"{browser}/login/{tenant()}/oauth2/v2.0/logout"
    assert "code" in document["response_types_supported"]
    assert {"openid", "profile", "email", "offline_access"} <= set(document["scopes_supported"])
    assert "wids" in document["claims_supported"]


def test_v1_discovery_names_the_end_session_endpoint() -> None:
    document = build_session().get(f"{LOGIN_HOST}/{tenant()}/.well-known/openid-configuration").json()

    assert document["end_session_endpoint"].endswith(f"/login/{tenant()}/oauth2/v2.0/logout")
    assert document["issuer"] == f"https://sts.windows.net/{tenant()}/"


def test_keys_are_the_signing_keys() -> None:
    answer = build_session().get(f"{LOGIN_HOST}/{tenant()}/discovery/v2.0/keys")

    assert answer.json() == keys.jwks()
    assert answer.json()["keys"][0]["alg"] == "RS256"


def test_unknown_tenant() -> None:
    answer = build_session().get(f"{LOGIN_HOST}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")

    assert_entra_error(answer, status=400, error="invalid_tenant", code=90002)


def test_unknown_path_is_404() -> None:
    assert build_session().get(f"{LOGIN_HOST}/{tenant()}/oauth2/v2.0/devicecode").status_code == 404


def test_authorize_on_the_microsoft_host_redirects_to_the_browser_page() -> None:
    answer = build_session().get(
        f"{LOGIN_HOST}/{tenant()}/oauth2/v2.0/authorize?client_id={client_id()}", allow_redirects=False
    )

    assert answer.status_code == 302
    assert answer.headers["Location"] == (
        f"{settings.SANDBOX['BROWSER_BASE_URL']}/login/{tenant()}/oauth2/v2.0/authorize?client_id={client_id()}"
    )


def test_each_request_is_logged_by_path_only() -> None:
    build_session().post(
        f"{LOGIN_HOST}/{tenant()}/oauth2/v2.0/token?x=secret-in-query",
        data={"client_id": client_id(), "client_secret": "secret-in-body", "grant_type": "refresh_token"},
    )

    (entry,) = RequestLogEntry.objects.all()
    assert entry.service == "login"
    assert entry.method == "POST"
    assert entry.path == f"/{tenant()}/oauth2/v2.0/token"
    assert entry.status == 401
    assert entry.request_id


def test_dev_server_discovery(client: Client) -> None:
    answer = client.get(f"/sandbox/login/{tenant()}/v2.0/.well-known/openid-configuration")

    assert answer.status_code == 200
    document = answer.json()
    # Machine endpoints follow the caller's base URL; the browser pages stay where browsers reach them.
    assert document["token_endpoint"] == f"http://testserver/sandbox/login/{tenant()}/oauth2/v2.0/token"
    assert document["jwks_uri"] == f"http://testserver/sandbox/login/{tenant()}/discovery/v2.0/keys"
    assert document["issuer"] == f"{LOGIN_HOST}/{tenant()}/v2.0"


def test_dev_server_token_endpoint_needs_no_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)
    answer = strict.post(
        f"/sandbox/login/{tenant()}/oauth2/v2.0/token",
        urlencode(
            {
                "client_id": client_id(),
                "client_secret": "wrong",
                "grant_type": "authorization_code",
                "code": "x",
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 401
    assert answer.json()["error_codes"] == [7000215]


@pytest.mark.parametrize("url", ["https://example.org/", "http://127.0.0.1:9/", "https://login.live.com/x"])
def test_the_portal_session_refuses_every_other_url(url: str) -> None:
    with pytest.raises(RefusedURL):
        build_session().get(url)
    # A RefusedURL is a requests ConnectionError, so MSAL and the Graph client treat it as a network failure.
    assert issubclass(RefusedURL, requests.exceptions.ConnectionError)
