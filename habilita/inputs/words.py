"""Names and titles are words: letters of any script, spaces and the punctuation names are written with.

A person's name, a job title, a company's legal name or a city never starts like a spreadsheet formula
(= + - @) and never holds markup or code punctuation (< > ; = " ` | { } \\): such a value is not a name,
and refusing it at its field keeps it out of the database, the exports, the mails and the letters.
"""
from __future__ import annotations

import unicodedata

from habilita.messages import Problem

# "Ana María O'Neill-Gómez Jr."
PERSON_PUNCTUATION = ".'-"
# "Gerente General (E)", "Panadería A&B S.A.S.", "Bogotá D.C.", "Jefe de Ventas/Compras", "Local #2"
TITLE_PUNCTUATION = ".,'&()-/#"


def _is_letter(character: str) -> bool:
    # Letters, and the combining marks that accent them when typed decomposed (e + U+0301).
    return unicodedata.category(character)[0] in "LM"


def _is_ascii_digit(character: str) -> bool:
    return "0" <= character <= "9"


def person_name_problem(field: str, value: str) -> Problem | None:
    """Why ``value`` is not a person's name (letters, spaces and ``PERSON_PUNCTUATION``), else None."""
    if any(not (_is_letter(c) or c == " " or c in PERSON_PUNCTUATION) for c in value):
        return Problem(field, "name_characters", {"punctuation": " ".join(PERSON_PUNCTUATION)})
    if value and not _is_letter(value[0]):
        return Problem(field, "starts_with_letter")
    return None


def title_problem(field: str, value: str) -> Problem | None:
    """Why ``value`` is not a title or a legal name (letters, ASCII digits, spaces and ``TITLE_PUNCTUATION``,
    starting with a letter or a digit), else None."""
    if any(not (_is_letter(c) or _is_ascii_digit(c) or c == " " or c in TITLE_PUNCTUATION) for c in value):
        return Problem(field, "title_characters", {"punctuation": " ".join(TITLE_PUNCTUATION)})
    if value and not (_is_letter(value[0]) or _is_ascii_digit(value[0])):
        return Problem(field, "starts_with_letter_or_digit")
    return None
