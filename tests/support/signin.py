"""Signing a test client in the way a person does: through MSAL and the sandbox's sign-in page.

No shortcut into the session: the portal's /auth/sign-in starts a real auth-code flow (PKCE), the
sandbox authorize page is fetched and its form posted, and the callback redeems the code through
unmodified MSAL. What a test gets is a client holding a genuine server-side session.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from portal.sandbox.models import DirectoryUser

_CARRIED = re.compile(r'name="request" value="([^"]+)"')


def local_path(url: str) -> str:
    """The path+query of a URL on this portal (PORTAL_BASE_URL or the live server)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in(client: Client, upn: str, *, next_url: str | None = None, admin: bool = False) -> str:
    """Sign `client` in as the sandbox user `upn`; returns where the portal sent it afterwards.

    `admin` asks for the admin scopes (as after the consent round trip on first opening the admin
    area); `next_url` defaults to that person's start page, /admin/ or /tokens/.
    """
    if next_url is None:
        next_url = "/admin/" if admin else "/tokens/"
    query = f"next={next_url}" + ("&purpose=admin" if admin else "")
    start = client.get(f"/auth/sign-in?{query}")
    assert start.status_code == 302, start.status_code
    return complete_sign_in(client, start["Location"], upn)


def signed_in_client(upn: str, *, admin: bool = False) -> Client:
    """A fresh test client with a real session for `upn` (see `sign_in`)."""
    client = Client()
    sign_in(client, upn, admin=admin)
    return client


def complete_sign_in(client: Client, authorize_url: str, upn: str) -> str:
    """Given the authorize URL the portal redirected to, pick `upn` and follow back to the portal."""
    assert authorize_url.startswith(settings.SANDBOX["BROWSER_BASE_URL"]), authorize_url
    page = client.get(local_path(authorize_url))
    assert page.status_code == 200, page.content[:500]
    carried = _CARRIED.search(page.content.decode())
    assert carried, "sandbox sign-in page has no request field"
    user = DirectoryUser.objects.get(user_principal_name=upn)
    picked = client.post(local_path(authorize_url), {"request": carried.group(1), "user": str(user.id)})
    assert picked.status_code == 302, picked.status_code
    callback = client.get(local_path(picked["Location"]))
    assert callback.status_code == 302, (callback.status_code, callback.content[:800])
    return str(callback["Location"])
