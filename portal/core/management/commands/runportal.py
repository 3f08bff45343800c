"""Serve the portal and run its background task worker, together, until interrupted.

What `make run` uses: one command, so a demo visitor gets imports and other background jobs
without starting a second process by hand. Production runs the two as separate processes
(gunicorn + `manage.py worker`, see README).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.core.management.commands.runserver import Command as RunserverCommand

from portal.core.devserver import BoundedWSGIServer


class BoundedRunserver(RunserverCommand):
    """runserver whose server never reads an unread request body into memory (portal.core.devserver)."""

    server_cls = BoundedWSGIServer


class Command(BaseCommand):
    help = "Run the development server and the background task worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, addrport: str, **options: Any) -> None:
        # A SIGTERM (from a supervisor, or `timeout`) must also stop the worker we started.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        worker = subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.5"])
        self.stdout.write(f"Background worker started (pid {worker.pid}).")
        self.stdout.write(
            self.style.SUCCESS(f"Portal on http://{addrport}/ — sandbox pages at http://{addrport}/sandbox/")
        )
        try:
            call_command(BoundedRunserver(), addrport, use_reloader=False, use_threading=True)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
