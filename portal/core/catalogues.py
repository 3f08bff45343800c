"""Compiling the translation catalogues (locale/<language>/LC_MESSAGES/django.po → django.mo) in Python.

What `make run` and `make test` use (`manage.py compile_catalogues`) instead of Django's
`compilemessages`, which runs GNU gettext's `msgfmt`: a system package, so root on a fresh machine.
polib reads the catalogue and writes the binary file; the rules are msgfmt's, as Django calls it
(`msgfmt --check-format`):

* fuzzy, obsolete and untranslated entries are left out, so gettext shows the English there rather
  than a machine's guess; the header is kept even when it is marked fuzzy, as msgfmt keeps it;
* an entry marked python-format whose translation has a placeholder that Python cannot fill in, that
  the English doesn't have, that takes another kind of value (a number where the English has text),
  a different number of unnamed placeholders, or (outside plural entries) leaves one out, refuses the
  whole catalogue: at run time it would be an error page, or a sentence missing its name.

One deliberate difference: a plural entry with some of its forms empty is left out as a whole (the
English for every count); msgfmt keeps it, and gettext then shows an empty text for those counts.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib


@dataclass(frozen=True)
class CatalogueProblem:
    """One reason a catalogue was not compiled, where msgfmt would name it: file and line."""

    path: Path
    line: int | None
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}" if self.line else f"{self.path}: {self.problem}"


class CatalogueError(Exception):
    """A catalogue that cannot be compiled; its .mo file (if any) is left as it was."""

    def __init__(self, problems: list[CatalogueProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Compiled:
    source: Path
    target: Path
    messages: int


def catalogue_sources(*, locale_paths: Iterable[Path | str]) -> Iterator[Path]:
    """Every catalogue under the given locale directories (<dir>/<language>/LC_MESSAGES/*.po), sorted."""
    for directory in locale_paths:
        yield from sorted(Path(directory).glob("*/LC_MESSAGES/*.po"))


def catalogue_compile(*, source: Path, target: Path | None = None) -> Compiled:
    """Compile one .po file into its .mo file (by default next to it), replacing it in one step.

    Raises CatalogueError (and leaves any existing .mo file alone) if the catalogue cannot be read or
    one of its translations would break the placeholders of its English."""
    target = target or source.with_suffix(".mo")
    if not source.is_file():  # polib would read a missing path as the text of a catalogue
        raise CatalogueError([CatalogueProblem(source, None, "no such file")])
    try:
        catalogue = polib.pofile(str(source))
    except (OSError, ValueError) as exc:  # polib's parse errors say which line
        raise CatalogueError([CatalogueProblem(source, None, str(exc))]) from exc
    entries = [entry for entry in catalogue if _used(entry)]
    problems = [
        CatalogueProblem(source, entry.linenum, problem)
        for entry in entries
        if "python-format" in entry.flags
        for problem in _format_problems(entry)
    ]
    if problems:
        raise CatalogueError(problems)
    out = polib.POFile(encoding=catalogue.encoding)
    # msgfmt leaves out the catalogue's extraction time (the file then only changes with its content).
    out.metadata = {name: value for name, value in catalogue.metadata.items() if name != "POT-Creation-Date"}
    out.extend(entries)
    _replace(target, out.to_binary())
    return Compiled(source=source, target=target, messages=len(entries))


def _used(entry: polib.POEntry) -> bool:
    """Whether gettext gets this entry: msgfmt's rule (see the module's docstring)."""
    if entry.obsolete or entry.fuzzy or not entry.msgid:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _replace(target: Path, content: bytes) -> None:
    """Write `target` in one step: a server reading it meanwhile sees the old file or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the .mo file is for whoever runs the portal
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- python-format placeholders, as `msgfmt --check-format` checks them -------------------------------
#
# Against the English (msgid; for a plural entry, msgid_plural and every form): the same kind of
# value for each placeholder and as many unnamed ones; named ones all kept, except that a plural form
# may leave some out ("one file" for "%(count)s files"), as Python's `%` with a mapping allows.

#: A printf-style directive of Python's `%` operator: %(name)s, %5.2f, %%.
_DIRECTIVE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?(?P<spec>[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?)(?P<conversion>.?)", re.DOTALL
)
#: The kind of value each conversion takes (msgfmt's classes).
_KINDS = {
    **dict.fromkeys("diouxX", "number"),
    **dict.fromkeys("eEfFgG", "decimal number"),
    "c": "character",
    **dict.fromkeys("sra", "text"),
}


@dataclass(frozen=True)
class _Placeholders:
    named: dict[str, str]
    unnamed: list[str]
    invalid: list[str]


def _placeholders(text: str) -> _Placeholders:
    named: dict[str, str] = {}
    unnamed: list[str] = []
    invalid: list[str] = []
    for match in _DIRECTIVE.finditer(text):
        name, spec, conversion = match["name"], match["spec"], match["conversion"]
        if conversion == "%" and name is None and not spec:
            continue  # "%%", a percent sign
        kind = _KINDS.get(conversion)
        if kind is None or (name is not None and "*" in spec):
            invalid.append(match[0])
        elif name is not None:
            named[name] = kind
        else:
            unnamed.append(kind)
    return _Placeholders(named=named, unnamed=unnamed, invalid=invalid)


def _format_problems(entry: polib.POEntry) -> list[str]:
    english = _placeholders(entry.msgid_plural or entry.msgid)
    if english.invalid:
        return []  # the English is no format string after all: nothing to hold the translation to
    plural = bool(entry.msgid_plural)
    translations = [entry.msgstr_plural[form] for form in sorted(entry.msgstr_plural)] if plural else [entry.msgstr]
    problems = []
    for translation in translations:
        found = _placeholders(translation)
        if found.invalid:
            problems.append(f"the translation has a placeholder Python cannot fill in: {found.invalid[0]!r}")
        elif (found.named or english.named) and (found.unnamed or english.unnamed):
            problems.append(
                "named placeholders (%(name)s) and unnamed ones (%s) mixed in the English and the translation"
            )
        elif len(found.unnamed) != len(english.unnamed):
            counts = f"{len(found.unnamed)} in the translation, {len(english.unnamed)} in the English"
            problems.append(f"not as many unnamed placeholders (%s): {counts}")
        elif found.unnamed != english.unnamed:
            problems.append("an unnamed placeholder of the translation takes another kind of value than the English")
        for name, kind in found.named.items():
            if name not in english.named:
                problems.append(f"the translation has the placeholder %({name})…, which the English doesn't have")
            elif kind != english.named[name]:
                problems.append(
                    f"the placeholder %({name})… takes a {english.named[name]} in the English, not a {kind}"
                )
        if not plural:
            problems.extend(
                f"the translation leaves out the placeholder %({name})…"
                for name in english.named
                if name not in found.named
            )
    return problems
