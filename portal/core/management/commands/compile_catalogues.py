"""Compile the translation catalogues (LOCALE_PATHS: <language>/LC_MESSAGES/django.po → .mo) in Python.

    python manage.py compile_catalogues

What `make run` and `make test` run, and the build step of a deployment (README "Processes").
Django's `compilemessages` does the same with GNU gettext's `msgfmt`, a system package that needs
root to install; the rules here are msgfmt's (portal.core.catalogues). A catalogue that cannot be
compiled is named with the line and the problem, keeps its old .mo file, and makes the command fail
after the others are done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.core.catalogues import CatalogueError, catalogue_compile, catalogue_sources


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po → .mo) without GNU gettext."
    # Needs no configured tenant: it runs at build time too (deploy/Dockerfile), before settings are complete.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        sources = list(catalogue_sources(locale_paths=settings.LOCALE_PATHS))
        if not sources:
            raise CommandError(f"No catalogues (<language>/LC_MESSAGES/*.po) under {settings.LOCALE_PATHS}.")
        failures: list[str] = []
        for source in sources:
            try:
                compiled = catalogue_compile(source=source)
            except CatalogueError as exc:
                failures.append(str(exc))
                continue
            if options["verbosity"] >= 1:
                self.stdout.write(f"{_shown(compiled.target)}: {compiled.messages} messages")
        if failures:
            raise CommandError("Not compiled (the old .mo file, if any, is unchanged):\n" + "\n".join(failures))


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(settings.BASE_DIR)
    except ValueError:
        return path
