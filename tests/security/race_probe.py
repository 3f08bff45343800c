"""Parallel wrong codes against one file-based SQLite database, as production's worker threads
would send them (`python -m tests.security.race_probe`, run by test_code_attempt_race).

A separate process because the race needs real concurrent database connections: the test
database of pytest-django is in memory and shared by one connection. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    from portal.core.attempts import TooManyAttempts, attempt_begin, attempt_finish
    from portal.core.models import CodeAttempt
    from portal.sandbox.models import RequestLogEntry
    from portal.sandbox.seed import seed_demo_tenant
    from tests.support.signin import sign_in
    from tests.support.tokens import wrong_code_for

    setup_test_environment()  # the test client's host ("testserver") is allowed
    for alias in settings.DATABASES:
        call_command("migrate", database=alias, verbosity=0, interactive=False)
    seed_demo_tenant(reset=True)

    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    serial = "60200104"

    # 1. Through the portal: one person, `threads` browser sessions, one wrong code each, at once.
    clients = [Client() for _ in range(threads)]
    for client in clients:
        sign_in(client, "adele.vance@contoso-sandbox.example")
    wrong = wrong_code_for(serial)
    bookmark = RequestLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []

    def post(client: Client) -> None:
        barrier.wait()
        try:
            text = client.post("/tokens/add", {"serial_number": serial, "code": wrong}).content.decode()
            if "That code was not accepted" in text:
                outcomes.append("wrong_code")
            elif "Too many wrong codes" in text:
                outcomes.append("locked")
            else:
                outcomes.append("other: " + text[text.find("<main") :][:400])
        finally:
            connections.close_all()

    workers = [threading.Thread(target=post, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    graph = RequestLogEntry.objects.filter(id__gt=bookmark, service="graph")

    # 2. The reservation itself, without HTTP: twice as many threads as above.
    direct: list[str] = []
    barrier2 = threading.Barrier(threads * 2)

    def reserve() -> None:
        barrier2.wait()
        try:
            attempt = attempt_begin(person_oid="race-person", serial="RACE-1")
        except TooManyAttempts:
            direct.append("refused")
        else:
            attempt_finish(attempt, wrong_code=True)
            direct.append("reserved")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=reserve) for _ in range(threads * 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    result = {
        "limit": settings.CODE_ATTEMPT_LIMIT,
        "database": settings.DATABASES["default"]["ENGINE"],
        "http": dict(Counter(outcomes)),
        "graph_requests": [f"{entry.method} {entry.path}" for entry in graph],
        "direct": dict(Counter(direct)),
        "attempt_rows": CodeAttempt.objects.count(),
    }
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
