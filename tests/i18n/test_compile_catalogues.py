"""`manage.py compile_catalogues` (what `make run`/`make test` use instead of GNU msgfmt) gives the
portal the same translations msgfmt would: every msgid of every shipped catalogue, its plurals for
a range of counts and its contexts, read through Python's gettext as Django reads them; fuzzy,
obsolete and untranslated entries show the English; a translation that breaks its placeholders is
refused with file and line, and the catalogue compiled before stays.

Where GNU msgfmt is installed (the project's machine has it) each result is compared with its
output; on a machine without it, with the entries polib parses from the catalogue.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import LazySettings, settings
from django.core.management import CommandError, call_command
from django.utils import translation

from portal.core.catalogues import CatalogueError, catalogue_compile

LOCALE = Path(settings.BASE_DIR) / "locale"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
MSGFMT = shutil.which("msgfmt")
COUNTS = [0, 1, 2, 3, 5, 11, 21, 101, 1000]

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: de\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"""


class Expected:
    """What gettext should answer for a catalogue without msgfmt: its translated, non-fuzzy entries."""

    def __init__(self, source: Path) -> None:
        catalogue = polib.pofile(str(source))
        self.metadata = {name: value for name, value in catalogue.metadata.items() if name != "POT-Creation-Date"}
        self.plural = gettext.c2py(self.metadata["Plural-Forms"].split("plural=")[1].rstrip(";"))
        self.entries = {(e.msgctxt, e.msgid): e for e in catalogue.translated_entries()}

    def info(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.metadata.items()}

    def gettext(self, message: str) -> str:
        return self.pgettext(None, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.npgettext(None, singular, plural, n)

    def pgettext(self, context: str | None, message: str) -> str:
        entry = self.entries.get((context, message))
        return entry.msgstr if entry else message

    def npgettext(self, context: str | None, singular: str, plural: str, n: int) -> str:
        entry = self.entries.get((context, singular))
        if entry is None:
            return singular if n == 1 else plural
        return entry.msgstr_plural[self.plural(n)]


def _reference(source: Path, directory: Path) -> gettext.GNUTranslations | Expected:
    if MSGFMT is None:
        return Expected(source)
    target = directory / "msgfmt.mo"
    subprocess.run([MSGFMT, "--check-format", "-o", str(target), str(source)], check=True, timeout=60)
    return _read(target)


def _read(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as file:
        return gettext.GNUTranslations(file)


def _answers(catalogue: gettext.NullTranslations | Expected, entries: list[polib.POEntry]) -> dict[object, str]:
    """What the catalogue answers for every entry (each plural for every count in COUNTS)."""
    answers: dict[object, str] = {}
    for entry in entries:
        context, singular, plural = entry.msgctxt, entry.msgid, entry.msgid_plural
        if plural:
            for n in COUNTS:
                answers[(context, singular, n)] = (
                    catalogue.npgettext(context, singular, plural, n)
                    if context
                    else catalogue.ngettext(singular, plural, n)
                )
        else:
            answers[(context, singular)] = (
                catalogue.pgettext(context, singular) if context else catalogue.gettext(singular)
            )
    return answers


@pytest.mark.parametrize("language", SHIPPED)
def test_each_shipped_catalogue_translates_as_msgfmt_compiles_it(language: str, tmp_path: Path) -> None:
    source = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = [entry for entry in polib.pofile(str(source)) if entry.msgid and not entry.obsolete]
    # The comparison covers what can differ: plurals and contexts, not only plain strings.
    assert any(entry.msgid_plural for entry in entries) and any(entry.msgctxt for entry in entries)

    compiled = catalogue_compile(source=source, target=tmp_path / "ours.mo")
    ours, reference = _read(compiled.target), _reference(source, tmp_path)

    assert ours.info() == reference.info()  # the header: charset and Plural-Forms
    expected = _answers(reference, entries)
    assert _answers(ours, entries) == expected
    english = _answers(gettext.NullTranslations(), entries)
    translated = sum(expected[key] != english[key] for key in expected)
    assert translated > 0.9 * len(expected), "the reference itself is mostly English: not a comparison"


SAMPLE = (
    HEADER
    + """
msgid "Token"
msgstr "Token (de)"

#, fuzzy
msgid "Serial number"
msgstr "Seriennummer?"

msgid "Untranslated"
msgstr ""

#, python-format
msgid "%(count)s token"
msgid_plural "%(count)s tokens"
msgstr[0] "ein Token"
msgstr[1] "%(count)s Tokens"

msgctxt "verb"
msgid "Lock"
msgstr "Sperren"

msgctxt "noun"
msgid "Lock"
msgstr "Sperre"

#, fuzzy
msgctxt "adjective"
msgid "Open"
msgstr "Offen?"

#~ msgid "Retired"
#~ msgstr "Ausgemustert"
"""
)


def test_fuzzy_obsolete_and_untranslated_entries_show_the_english(tmp_path: Path) -> None:
    source = tmp_path / "django.po"
    source.write_text(SAMPLE, encoding="utf-8")
    ours = _read(catalogue_compile(source=source).target)

    assert ours.gettext("Token") == "Token (de)"
    assert ours.gettext("Serial number") == "Serial number"  # fuzzy: a guess gettext does not use
    assert ours.gettext("Untranslated") == "Untranslated"
    assert ours.gettext("Retired") == "Retired"  # obsolete
    assert [ours.ngettext("%(count)s token", "%(count)s tokens", n) for n in (1, 2)] == [
        "ein Token",
        "%(count)s Tokens",
    ]
    assert (ours.pgettext("verb", "Lock"), ours.pgettext("noun", "Lock")) == ("Sperren", "Sperre")
    assert ours.gettext("Lock") == "Lock"  # only in context
    assert ours.pgettext("adjective", "Open") == "Open"
    assert ours.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"

    if MSGFMT:
        entries = [entry for entry in polib.pofile(str(source)) if entry.msgid]
        assert _answers(ours, entries) == _answers(_reference(source, tmp_path), entries)


def test_a_plural_entry_missing_a_form_shows_the_english_for_every_count(tmp_path: Path) -> None:
    # The one place we differ from msgfmt, which keeps the entry and so shows "" for two or more.
    source = tmp_path / "django.po"
    source.write_text(HEADER + '\nmsgid "a file"\nmsgid_plural "files"\nmsgstr[0] "eine Datei"\nmsgstr[1] ""\n')
    ours = _read(catalogue_compile(source=source).target)
    assert [ours.ngettext("a file", "files", n) for n in (1, 2)] == ["a file", "files"]


def _entry(english: str, german: str, *, plural: str | None = None) -> str:
    if plural is None:
        return f'\n#, python-format\nmsgid "{english}"\nmsgstr "{german}"\n'
    return (
        f'\n#, python-format\nmsgid "{english}"\nmsgid_plural "{plural}"\nmsgstr[0] "{german}"\nmsgstr[1] "{german}"\n'
    )


REFUSED = [
    pytest.param(_entry("Hello %(name)s", "Hallo %(nam)s"), id="a-name-the-english-doesnt-have"),
    pytest.param(_entry("Hello %(name)s", "Hallo"), id="a-name-left-out"),
    pytest.param(_entry("%(count)d days", "%(count)s Tage"), id="another-kind-of-value"),
    pytest.param(_entry("Hello %(name)s", "Hallo %s"), id="unnamed-for-named"),
    pytest.param(_entry("%s and %s", "%s"), id="fewer-unnamed"),
    pytest.param(_entry("Hello %(name)s", "Hallo %(name)"), id="incomplete"),
    pytest.param(_entry("%d file", "eine Datei", plural="%d files"), id="plural-drops-an-unnamed-one"),
]
ACCEPTED = [
    pytest.param(_entry("Hello %(name)s", "%(name)s, hallo 100%%"), id="percent-sign"),
    pytest.param(_entry("%(a)s then %(b)s", "erst %(b)s, dann %(a)s"), id="reordered"),
    pytest.param(_entry("%(count)s file", "eine Datei", plural="%(count)s files"), id="plural-form-without-count"),
]


@pytest.mark.parametrize("entry", REFUSED)
def test_a_translation_that_breaks_its_placeholders_is_refused_and_the_old_file_stays(
    entry: str, tmp_path: Path
) -> None:
    source = tmp_path / "django.po"
    source.write_text(HEADER + '\nmsgid "Token"\nmsgstr "Token (de)"\n', encoding="utf-8")
    before = catalogue_compile(source=source).target.read_bytes()
    source.write_text(HEADER + '\nmsgid "Token"\nmsgstr "Token (de)"\n' + entry, encoding="utf-8")

    with pytest.raises(CatalogueError) as refused:
        catalogue_compile(source=source)

    assert f"{source}:{HEADER.count(chr(10)) + 5}: " in str(refused.value)  # file and line, like msgfmt
    assert source.with_suffix(".mo").read_bytes() == before
    if MSGFMT:
        assert subprocess.run(
            [MSGFMT, "--check-format", "-o", "/dev/null", str(source)], capture_output=True
        ).returncode
        assert sorted(path.name for path in tmp_path.iterdir()) == ["django.mo", "django.po"]  # no temporary file left


@pytest.mark.parametrize("entry", ACCEPTED)
def test_a_translation_that_keeps_its_placeholders_compiles(entry: str, tmp_path: Path) -> None:
    source = tmp_path / "django.po"
    source.write_text(HEADER + entry, encoding="utf-8")
    assert catalogue_compile(source=source).messages == 1
    if MSGFMT:
        subprocess.run([MSGFMT, "--check-format", "-o", "/dev/null", str(source)], check=True, capture_output=True)


def test_the_command_compiles_every_catalogue_django_reads(settings: LazySettings, tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE, locale, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [locale]

    call_command("compile_catalogues", verbosity=0)

    assert sorted(path.parent.parent.name for path in locale.glob("*/LC_MESSAGES/django.mo")) == sorted(SHIPPED)
    for language in SHIPPED:
        entries = polib.pofile(str(locale / language / "LC_MESSAGES" / "django.po")).translated_entries()
        sample = [entry for entry in entries if not entry.msgid_plural and not entry.msgctxt][:20]
        with translation.override(language):
            assert [translation.gettext(entry.msgid) for entry in sample] == [entry.msgstr for entry in sample]


def test_the_command_names_a_broken_catalogue_and_compiles_the_others(settings: LazySettings, tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE, locale, ignore=shutil.ignore_patterns("*.mo"))
    broken = locale / "fr" / "LC_MESSAGES" / "django.po"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nthis is no catalogue line\n", encoding="utf-8")
    settings.LOCALE_PATHS = [locale]

    with pytest.raises(CommandError, match=r"fr/LC_MESSAGES/django\.po") as failed:
        call_command("compile_catalogues", verbosity=0)

    assert "de/LC_MESSAGES" not in str(failed.value)
    assert (locale / "de" / "LC_MESSAGES" / "django.mo").exists()
    assert not (locale / "fr" / "LC_MESSAGES" / "django.mo").exists()


@pytest.mark.skipif(MSGFMT is None, reason="compares the fallback reference with msgfmt")
def test_the_reference_without_msgfmt_agrees_with_msgfmt(tmp_path: Path) -> None:
    # The comparison a machine without msgfmt makes is itself checked here, where msgfmt exists.
    source = LOCALE / "de" / "LC_MESSAGES" / "django.po"
    entries = [entry for entry in polib.pofile(str(source)) if entry.msgid and not entry.obsolete]
    assert _answers(Expected(source), entries) == _answers(_reference(source, tmp_path), entries)
