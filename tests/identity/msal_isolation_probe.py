"""Several people's requests on a few threads at once, every one refreshing its access token
(`python -m tests.identity.msal_isolation_probe`, run by test_msal_isolation).

A separate process because it needs real concurrent database connections (pytest-django's test
database is in memory, one connection). Prints one JSON object: for every response, whose tokens
ended up in that person's session cache.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
from collections import Counter
from typing import Any

PEOPLE = ("adele.vance", "alex.wilber", "megan.bowen", "isaiah.langer")


def _jwt_oid(token: str) -> str:
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["oid"])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    from portal.identity.msal_client import TOKEN_CACHE_SESSION_KEY
    from portal.identity.sealing import unseal_text
    from portal.sandbox.identity.hashing import sha256_hex
    from portal.sandbox.models import DirectoryUser, RefreshToken
    from portal.sandbox.seed import DOMAIN, seed_demo_tenant
    from tests.support.signin import sign_in

    setup_test_environment()
    for alias in settings.DATABASES:
        call_command("migrate", database=alias, verbosity=0, interactive=False)
    seed_demo_tenant(reset=True)
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    oids = {alias: str(DirectoryUser.objects.get(user_principal_name=f"{alias}@{DOMAIN}").id) for alias in PEOPLE}
    # Each thread gets one session of every person and serves them in turn, so every thread's
    # MSAL application passes from one person to the next, while the other threads do the same.
    sessions: list[list[tuple[str, Client]]] = []
    for _ in range(threads):
        mine = []
        for alias in PEOPLE:
            client = Client()
            sign_in(client, f"{alias}@{DOMAIN}")
            mine.append((alias, client))
        sessions.append(mine)

    def owners(client: Client) -> set[str]:
        """Whose tokens the session's MSAL cache holds: account ids, access tokens' `oid`, and
        the sandbox's record of whom each refresh token was issued to."""
        sealed = str(client.session[TOKEN_CACHE_SESSION_KEY]).encode("ascii")  # sealed at rest
        blob: dict[str, Any] = json.loads(unseal_text(sealed))
        found = set()
        for kind, entries in blob.items():
            for entry in entries.values():
                if "home_account_id" in entry:
                    found.add(entry["home_account_id"].split(".")[0])
                if kind == "AccessToken":
                    found.add(_jwt_oid(entry["secret"]))
                if kind == "RefreshToken":
                    row = RefreshToken.objects.filter(token_hash=sha256_hex(entry["secret"])).first()
                    found.add(str(row.user_id) if row else "unknown refresh token")
        return found

    barrier = threading.Barrier(threads)
    outcomes: list[str] = []

    def serve(mine: list[tuple[str, Client]]) -> None:
        barrier.wait()
        try:
            for _ in range(rounds):
                for alias, client in mine:
                    response = client.get("/tokens/")
                    if response.status_code != 200:
                        outcomes.append(f"{alias}: HTTP {response.status_code}")
                        continue
                    seen = owners(client)
                    outcomes.append("own" if seen == {oids[alias]} else f"{alias}: mixed {sorted(seen)}")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=serve, args=(mine,)) for mine in sessions]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    refreshes = RefreshToken.objects.count() - threads * len(PEOPLE)
    result = {"outcomes": dict(Counter(outcomes)), "expected": threads * rounds * len(PEOPLE), "refreshes": refreshes}
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
