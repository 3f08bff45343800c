"""A pseudo-translation, built at test time: every string the portal marks for translation comes
out as "⟦" + the English + padding + "⟧", so a page shown in it has no English outside the brackets
unless someone forgot to mark a string. The padding makes each string ~40 % longer, like German.

The msgids are what `makemessages` finds in the sources now (run over a temporary copy, so a string
marked but not yet in the committed catalogues counts as marked: tests/i18n/test_catalogues.py is the
check that the catalogues are current) and Django's own English catalogue (form errors, "Page 2 of
3"…), compiled with polib into a temporary LOCALE_PATHS directory under the language code "de": the
tests ask for German the way a browser does, and the pseudo catalogue comes first.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
from django.conf import settings
from django.core.management import call_command

OPEN, CLOSE = "⟦", "⟧"
LANGUAGE = "de"
DJANGO_CATALOGUE = Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"
_PAD_WORD = "ŵŵŵŵŵŵ"


def pseudo(text: str) -> str:
    """The pseudo-translation of one msgid: placeholders and markup kept as they are."""
    if not text.strip():
        return text
    extra = max(1, round(len(text) * 0.4))
    pad = " ".join([_PAD_WORD] * max(1, extra // (len(_PAD_WORD) + 1)))
    return f"{OPEN}{text} {pad}{CLOSE}"


def marked_in_sources(directory: Path) -> Path:
    """The catalogue `makemessages` writes for the sources as they are now, made in a copy of them
    under `directory` (run in the real tree it would update the committed catalogues)."""
    tree = directory / "tree"
    base = Path(settings.BASE_DIR)
    for part in ("portal", "templates"):
        shutil.copytree(base / part, tree / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (tree / "locale" / LANGUAGE / "LC_MESSAGES").mkdir(parents=True)
    saved, cwd = settings.LOCALE_PATHS, Path.cwd()
    try:
        os.chdir(tree)  # makemessages reads the tree it is started in
        settings.LOCALE_PATHS = [tree / "locale"]
        call_command("makemessages", locale=[LANGUAGE], verbosity=0)
    finally:
        settings.LOCALE_PATHS = saved
        os.chdir(cwd)
    return tree / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


def build(directory: Path) -> Path:
    """Compile the pseudo catalogue into `directory`/de/LC_MESSAGES/django.mo; returns `directory`."""
    out = polib.POFile()
    out.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": LANGUAGE,
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    seen: set[tuple[str | None, str]] = set()
    for source in (marked_in_sources(directory), DJANGO_CATALOGUE):
        for entry in polib.pofile(str(source)):
            key = (entry.msgctxt, entry.msgid)
            if entry.obsolete or not entry.msgid or key in seen:
                continue
            seen.add(key)
            copy = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt)
            if entry.msgid_plural:
                copy.msgid_plural = entry.msgid_plural
                copy.msgstr_plural = {0: pseudo(entry.msgid), 1: pseudo(entry.msgid_plural)}
            else:
                copy.msgstr = pseudo(entry.msgid)
            out.append(copy)
    target = directory / LANGUAGE / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    out.save_as_mofile(str(target / "django.mo"))
    return directory


# --- finding English left on a page -------------------------------------------------------------

#: Elements whose text is data or code, not the portal's words.
_SKIPPED = {"script", "style", "code", "pre", "kbd", "samp", "svg"}
#: Attributes a person reads (or hears).
_READ = ("aria-label", "title", "placeholder", "alt", "aria-description")
#: What may stand outside the brackets: addresses, ids, serial-like words (letters and digits),
#: URLs, time zone names, and the names of the languages in the switch.
_DATA = re.compile(
    r"[\w.+#-]+@[\w-]+(\.[\w-]+)+"  # user principal names (guests' too), mail addresses
    r"|https?://\S+|/[\w/.-]*"  # URLs and paths
    r"|\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b"  # object ids
    r"|\b[A-Za-z]+/[A-Za-z_]+(/[A-Za-z_]+)?\b"  # time zones: Europe/Berlin, America/New_York
    r"|\b\d+(\.\d+)?\s?(ms|s|min|KB|MB|GB|%)(?!\w)"  # figures with units
    r"|\b[\w-]*\d[\w-]*\b"  # serial numbers (SI-01000101) and other words with a digit
    r"|\b\w+(\.\w+)+\b"  # dotted names: Graph permissions (Mail.Send), file names
    r"|\bUTC\b|\bSHA-?\d+\b"
)
_ENGLISH = re.compile(r"[A-Za-z]{2,}")


class _Text(HTMLParser):
    """The page's text in reading order, ⟦…⟧ taken out (a translated sentence may hold markup, so
    a bracket opened in one text node closes in a later one), one chunk per text node; and the
    attributes people read, each on its own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.brackets = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in _READ:
            if values.get(name):
                self.chunks.append(_outside_brackets(str(values[name])))
        if tag in _SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        out = []
        for char in data:
            if char == OPEN:
                self.brackets += 1
            elif char == CLOSE and self.brackets:
                self.brackets -= 1
            elif not self.brackets and not self.skipping:
                out.append(char)
        if "".join(out).strip():
            self.chunks.append("".join(out))


def _outside_brackets(text: str) -> str:
    """The text with every ⟦…⟧ (nested too) taken out."""
    out, depth = [], 0
    for char in text:
        if char == OPEN:
            depth += 1
        elif char == CLOSE and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    return "".join(out)


def english_left(html: str, allowed: set[str]) -> list[str]:
    """The text on a page (and in the attributes people read) that is English outside ⟦…⟧, apart
    from data: `allowed` holds the words that are data on this page (names, product names…)."""
    parser = _Text()
    parser.feed(html)
    found = []
    for chunk in parser.chunks:
        rest = chunk
        for word in sorted(allowed, key=len, reverse=True):
            rest = rest.replace(word, " ")
        rest = _DATA.sub(" ", rest)
        if _ENGLISH.search(rest):
            found.append(" ".join(chunk.split())[:160])
    return found


def english_left_in_text(text: str, allowed: set[str]) -> list[str]:
    """The same for plain text (a mail's text part, a CSV file): line by line."""
    found = []
    for line in text.splitlines():
        rest = _outside_brackets(line)
        for word in sorted(allowed, key=len, reverse=True):
            rest = rest.replace(word, " ")
        rest = _DATA.sub(" ", rest)
        if _ENGLISH.search(rest):
            found.append(line.strip()[:160])
    return found
