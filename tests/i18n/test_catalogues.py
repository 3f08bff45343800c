"""The shipped languages are complete and current (issue 16, "Done means").

* Every entry of every shipped catalogue (locale/<language>/LC_MESSAGES/django.po) is translated
  and none is fuzzy: a fuzzy entry is a machine's guess that gettext does not use, so the person
  would read English there.
* Each catalogue is current: `makemessages` over the sources (into a temporary copy) finds exactly
  the msgids it holds. A string added or changed without `make messages` fails here, before a
  translator could miss it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
#: The same as `make messages` (Makefile, MESSAGES_ARGS).
IGNORED = [".venv", "bench", "tests", "var", "test-artifacts"]

Key = tuple[str | None, str, str | None]


def _keys(catalogue: polib.POFile) -> set[Key]:
    return {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in catalogue if not e.obsolete}


def _catalogue(language: str) -> polib.POFile:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing: run `make messages`"
    return polib.pofile(str(path))


@pytest.mark.parametrize("language", SHIPPED)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalogue = _catalogue(language)
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated and not fuzzy, (
        f"{language}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy of {len(catalogue)} entries; "
        f"first untranslated: {untranslated[:5]}; first fuzzy: {fuzzy[:5]}"
    )


def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[Key]]:
    """What makemessages finds in the sources now, per shipped language (one run, all languages).

    It runs in a copy of the sources: makemessages writes into every `locale` directory above the
    files it reads (and preprocessed copies next to the templates), so run in the real tree it
    would quietly bring the committed catalogues up to date — the very thing this test checks."""
    tree = tmp_path_factory.mktemp("tree")
    base = Path(settings.BASE_DIR)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for part in ("portal", "templates", "locale"):
        shutil.copytree(base / part, tree / part, ignore=skip)
    saved, cwd = settings.LOCALE_PATHS, Path.cwd()
    try:
        os.chdir(tree)  # makemessages reads the tree it is started in
        settings.LOCALE_PATHS = [tree / "locale"]
        call_command("makemessages", locale=SHIPPED, ignore_patterns=IGNORED, add_location="file", verbosity=0)
    finally:
        settings.LOCALE_PATHS = saved
        os.chdir(cwd)
    return {
        language: _keys(polib.pofile(str(tree / "locale" / language / "LC_MESSAGES" / "django.po")))
        for language in SHIPPED
    }


def test_every_catalogue_is_current_with_the_sources(tmp_path_factory: pytest.TempPathFactory) -> None:
    # One test for all languages: the extraction is the slow part and runs once.
    found = extracted(tmp_path_factory)
    problems = []
    for language in SHIPPED:
        committed = _keys(_catalogue(language))
        missing, stale = found[language] - committed, committed - found[language]
        if missing or stale:
            problems.append(
                f"locale/{language}: new strings {sorted(k[1] for k in missing)[:5]}; "
                f"strings no longer used {sorted(k[1] for k in stale)[:5]}"
            )
    assert not problems, "not current with the sources: run `make messages` and translate. " + "; ".join(problems)
