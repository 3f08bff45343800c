"""Run in a subprocess with a production environment (a real tenant configured, HTTPS base URL, no
sandbox); prints what test_production_settings asserts on, as one JSON object on the last line.

Nothing here talks to Microsoft: only settings, URL resolution and Django's own middleware are
exercised (`python -m tests.security.prod_probe`).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.core.management import call_command
    from django.http import HttpRequest, HttpResponse
    from django.test import Client, RequestFactory
    from django.urls import Resolver404, resolve

    for alias in settings.DATABASES:
        call_command("migrate", database=alias, verbosity=0, interactive=False)
    if settings.HASHED_STATIC:
        call_command("collectstatic", verbosity=0, interactive=False)

    def resolves(path: str) -> bool:
        try:
            resolve(path)
        except Resolver404:
            return False
        return True

    host = settings.ALLOWED_HOSTS[0]
    client = Client(HTTP_HOST=host)
    page = client.get("/auth/signed-out", secure=True)
    plain = client.get("/auth/signed-out", secure=False)
    sandbox_pages = {
        path: client.get(path, secure=True).status_code
        for path in (
            "/sandbox/",
            "/sandbox/tokens/",
            f"/sandbox/login/{settings.ENTRA_TENANT_ID}/oauth2/v2.0/authorize",
            f"/sandbox/login/{settings.ENTRA_TENANT_ID}/oauth2/v2.0/logout",
            f"/sandbox/login/{settings.ENTRA_TENANT_ID}/v2.0/.well-known/openid-configuration",
            "/sandbox/graph/beta/me",
        )
    }

    # The session cookie as Django's own middleware sets it under these settings.
    def view(request: HttpRequest) -> HttpResponse:
        request.session["probe"] = 1
        return HttpResponse("ok")

    request = RequestFactory().get("/", secure=True, HTTP_HOST=host)
    session_response = SessionMiddleware(view)(request)
    session_cookie = session_response.cookies[settings.SESSION_COOKIE_NAME]
    csrf_cookie = page.cookies.get(settings.CSRF_COOKIE_NAME)

    facts = {
        "sandbox_enabled": settings.SANDBOX_ENABLED,
        "sandbox_app_installed": "portal.sandbox" in settings.INSTALLED_APPS,
        "sandbox_database": "sandbox" in settings.DATABASES,
        "sandbox_urls_resolve": {path: resolves(path) for path in sandbox_pages},
        "sandbox_pages": sandbox_pages,
        "transport_adapters": settings.HTTP_TRANSPORT_ADAPTERS,
        "debug": settings.DEBUG,
        "session_engine": settings.SESSION_ENGINE,
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_absolute_seconds": settings.SESSION_ABSOLUTE_SECONDS,
        "session_cookie": {
            "name": settings.SESSION_COOKIE_NAME,
            "secure": bool(session_cookie["secure"]),
            "httponly": bool(session_cookie["httponly"]),
            "samesite": session_cookie["samesite"],
            "path": session_cookie["path"],
            "domain": session_cookie["domain"],
        },
        "csrf_cookie": None
        if csrf_cookie is None
        else {
            "name": settings.CSRF_COOKIE_NAME,
            "secure": bool(csrf_cookie["secure"]),
            "samesite": csrf_cookie["samesite"],
            "path": csrf_cookie["path"],
            "domain": csrf_cookie["domain"],
        },
        "page_status": page.status_code,
        "page_headers": dict(page.headers),
        "plain_http": {"status": plain.status_code, "location": plain.headers.get("Location", "")},
    }
    sys.stdout.write("\n" + json.dumps(facts) + "\n")


if __name__ == "__main__":
    main()
