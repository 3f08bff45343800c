"""locust user classes for bench/load.py (which starts gunicorn and runs locust headless).

* EmployeeJourney — one simulated person each (BENCH_PEOPLE: people seeded by load.py, one token
  set aside for each): signs in once through the portal's sign-in and the sandbox tenant's sign-in
  page (the real auth-code flow), then over and over: My tokens, the add page, add the token with
  the code it shows now, remove it again.
* AdminJourney — signs in once as an administrator (admin scopes), then: overview, find a user,
  that user's page, the inventory.
* OnePage — hammers the single page named by BENCH_PAGE (signed in as needed): capacity per page.

Measuring starts once every simulated person has signed in (the statistics are reset then), so
sign-ins, seconds each on a busy machine, don't dilute the pages' figures.

Codes come from the token's secret, as the sandbox's virtual tokens page computes them
(portal.sandbox.totp.current_code; `manage.py sandbox_codes` prints the same).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import gevent
import gevent.event
from locust import FastHttpUser, constant, task

from portal.sandbox.totp import current_code

PEOPLE: list[dict[str, Any]] = json.loads(Path(os.environ["BENCH_PEOPLE"]).read_text(encoding="utf-8"))
ADMIN: dict[str, str] = json.loads(os.environ["BENCH_ADMIN"])
_next_person = itertools.count()
_ready = itertools.count(1)
_everyone_ready = gevent.event.Event()

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CARRIED = re.compile(r'name="request" value="([^"]+)"')

# What each capacity phase hammers: page name → (path, who signs in: "employee", "admin" or None).
PAGES: dict[str, tuple[str, str | None]] = {
    "bare page (/healthz)": ("/healthz", None),
    "landing": ("/", None),
    "My tokens": ("/tokens/", "employee"),
    "admin overview": ("/admin/", "admin"),
    "admin inventory": ("/admin/inventory/", "admin"),
}


def _local(url: str) -> str:
    """The path+query of an absolute URL on the portal (the sandbox pages live there too)."""
    return re.sub(r"^https?://[^/]+", "", url)


class PortalUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def wait_for_the_others(self) -> None:
        """Start measuring when every simulated person has signed in: the last one to get there
        resets the statistics, so the figures are the journeys' and pages' alone."""
        runner = self.environment.runner
        if next(_ready) == runner.target_user_count:  # type: ignore[union-attr]
            self.environment.stats.reset_all()
            _everyone_ready.set()
            # The measured window: BENCH_SECONDS from now (locust's --run-time is only a safety cap).
            gevent.spawn_later(float(os.environ["BENCH_SECONDS"]), runner.quit)  # type: ignore[union-attr]
        _everyone_ready.wait()

    def sign_in(self, upn: str, user_id: str, *, admin: bool = False) -> None:
        next_url = "/admin/" if admin else "/tokens/"
        query = f"next={next_url}" + ("&purpose=admin" if admin else "")
        start = self.client.get(f"/auth/sign-in?{query}", name="sign-in: start", allow_redirects=False)
        authorize = _local(start.headers["Location"])
        page = self.client.get(authorize, name="sign-in: sandbox page")
        form = {
            "request": CARRIED.search(page.text or "").group(1),  # type: ignore[union-attr]
            "user": user_id,
            "csrfmiddlewaretoken": CSRF.search(page.text or "").group(1),  # type: ignore[union-attr]
        }
        picked = self.client.post(authorize, data=form, name="sign-in: pick user", allow_redirects=False)
        with self.client.get(
            _local(picked.headers["Location"]), name="sign-in: callback", allow_redirects=False, catch_response=True
        ) as callback:
            if callback.status_code != 302 or "/auth/" in callback.headers.get("Location", ""):
                callback.failure(f"sign-in did not complete: {callback.status_code}")

    def expect(self, method: str, path: str, name: str, status: int, *, to: str = "", **kwargs: Any) -> Any:
        """A request that counts as failed unless it answers `status` (and redirects to `to`)."""
        with self.client.request(
            method, path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != status:
                response.failure(f"{response.status_code} {_local(location)}, expected {status}")
            elif to and _local(location) != to:
                response.failure(f"redirected to {_local(location)}, expected {to}")
            return response


class EmployeeJourney(PortalUser):
    weight = 3

    def on_start(self) -> None:
        self.person = PEOPLE[next(_next_person) % len(PEOPLE)]
        self.sign_in(self.person["upn"], self.person["user_id"])
        self.wait_for_the_others()

    @task
    def journey(self) -> None:
        token = self.person["token"]
        self.expect("GET", "/tokens/", "My tokens", 200)
        page = self.expect("GET", "/tokens/add", "add page", 200)
        csrf = CSRF.search(page.text or "")
        if csrf is None:
            return
        code = current_code(token["secret"], 30, "hmacsha1")
        form = {
            "serial_number": token["serial"],
            "display_name": "",
            "code": code,
            "csrfmiddlewaretoken": csrf.group(1),
        }
        self.expect("POST", "/tokens/add", "add a token", 302, to="/tokens/", data=form)
        self.expect(
            "POST",
            f"/tokens/{token['id']}/remove",
            "remove a token",
            302,
            to="/tokens/",
            data={"csrfmiddlewaretoken": csrf.group(1)},
        )


class AdminJourney(PortalUser):
    weight = 1

    def on_start(self) -> None:
        self.sign_in(ADMIN["upn"], ADMIN["user_id"], admin=True)
        self.wait_for_the_others()

    @task
    def journey(self) -> None:
        person = PEOPLE[0]
        self.expect("GET", "/admin/", "admin overview", 200)
        self.expect("GET", "/admin/users/?q=bench", "admin users search", 200)
        self.expect("GET", f"/admin/users/{person['user_id']}/", "admin user page", 200)
        self.expect("GET", "/admin/inventory/", "admin inventory", 200)


class OnePage(PortalUser):
    def on_start(self) -> None:
        self.page = os.environ["BENCH_PAGE"]
        self.path, who = PAGES[self.page]
        if who == "employee":
            person = PEOPLE[next(_next_person) % len(PEOPLE)]
            self.sign_in(person["upn"], person["user_id"])
        elif who == "admin":
            self.sign_in(ADMIN["upn"], ADMIN["user_id"], admin=True)
        self.wait_for_the_others()

    @task
    def hammer(self) -> None:
        self.expect("GET", self.path, self.page, 200)
