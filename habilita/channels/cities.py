"""Colombia's municipalities by DANE code (DIVIPOLA), for the invoice's city.

The ERP wants the buyer's city as a 5-digit DANE code (2-digit department +
3); a marketplace gives a free-text city name, often without accents or with
"D.C." appended, so a person picks the company's default city with
:func:`search`, and an order's city can be looked up the same way.

Source: DANE's DIVIPOLA list of municipalities, as published in the public
``OCA/l10n-colombia`` repository (``l10n_co_edi/data/l10n_co_edi_jorels.municipalities.csv``
and ``...departments.csv``), rewritten as ``data/divipola.csv`` with only the
columns used here: ``code,department,municipality`` (1,122 rows; names in
title case with lower-case connectives, e.g. "San José de Cúcuta").
No PyPI package carries this list and the service runs without internet
access, hence the shipped file.
"""
from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

DATA_FILE = "divipola.csv"
_CODE = re.compile(r"[0-9]{5}", re.ASCII)
_CODE_PREFIX = re.compile(r"[0-9]{1,5}", re.ASCII)


@dataclass(frozen=True)
class City:
    """A municipality: ``code`` is its 5-digit DANE code."""

    code: str
    department: str
    name: str

    @property
    def department_code(self) -> str:
        """The 2-digit department (the ERP's ``state_code``)."""
        return self.code[:2]

    @property
    def label(self) -> str:
        """"Medellín (Antioquia)" — what a picker shows; Bogotá is its own department."""
        return self.name if self.department_code == "11" else f"{self.name} ({self.department})"


@functools.cache
def all_cities() -> tuple[City, ...]:
    """Every municipality, ordered by code."""
    text = resources.files(__package__).joinpath("data", DATA_FILE).read_text("utf-8")
    cities = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code = row["code"]
        if not _CODE.fullmatch(code or ""):
            raise ValueError(f"{DATA_FILE} line {line}: {code!r} is not a 5-digit DANE code")
        cities.append(City(code=code, department=row["department"], name=row["municipality"]))
    return tuple(sorted(cities, key=lambda c: c.code))


@functools.cache
def _by_code() -> dict[str, City]:
    return {c.code: c for c in all_cities()}


@functools.cache
def _folded() -> tuple[tuple[City, str, str], ...]:
    """(city, folded name, folded "name department") for searching."""
    return tuple((c, fold(c.name), fold(f"{c.name} {c.department}")) for c in all_cities())


def city(code: str) -> City | None:
    """The municipality with this DANE code, or None (also for anything not 5 ASCII digits)."""
    if not isinstance(code, str):
        return None
    return _by_code().get(code)


def is_city_code(code: str) -> bool:
    """Whether ``code`` is an existing 5-digit DANE municipality code."""
    return city(code) is not None


def search(text: str, limit: int = 20) -> list[City]:
    """Municipalities matching ``text``: a code prefix ("0500", "11001") or
    words of the name and department, ignoring accents, case and punctuation
    ("bogota", "MEDELLIN", "armenia quindio").

    Best first: exact name, then names starting with the text, then the rest;
    department capitals (code ending in 001) before namesakes.
    """
    if not isinstance(text, str) or limit < 1:
        return []
    text = text.strip()
    if _CODE_PREFIX.fullmatch(text):
        return [c for c in all_cities() if c.code.startswith(text)][:limit]
    query = fold(text)
    words = query.split()
    if not words:
        return []
    found = []
    for c, name, name_and_department in _folded():
        if all(word in name_and_department for word in words):
            rank = 0 if name == query else 1 if name.startswith(query) else 2
            found.append((rank, not c.code.endswith("001"), name, c.code, c))
    found.sort(key=lambda entry: entry[:4])
    return [entry[-1] for entry in found[:limit]]


def fold(text: str) -> str:
    """Lower case, without accents (ñ -> n too), punctuation as spaces: "Bogotá, D.C." -> "bogota d c"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", bare).split())
