"""What no text field may hold: control characters, or more characters than its column keeps.

A control character (NUL, a bell, an escape sequence, a carriage return) is never part of a name, an
address or a number a person types; stored, it breaks logs, terminals, CSV exports and PDF letters.
Bidirectional overrides are refused with them: they make text read differently from what it holds.
"""
from __future__ import annotations

import unicodedata

from habilita.messages import Problem

# Unicode categories of control characters: C0/C1 controls, and lone surrogates (undecodable bytes).
_CONTROL_CATEGORIES = frozenset({"Cc", "Cs"})
# Embeddings, overrides and isolates of the bidirectional algorithm, and the line/paragraph separators.
_INVISIBLE_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
# What a multi-line text (a reason typed in a text area) may hold besides printable text.
_LINE_BREAKS = frozenset("\r\n\t")


def control_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The distinct control characters in ``value``, as ``U+XXXX``, in order of appearance
    (with ``multiline``, line breaks and tabs are text, not controls)."""
    found: list[str] = []
    for character in value:
        if multiline and character in _LINE_BREAKS:
            continue
        if unicodedata.category(character) in _CONTROL_CATEGORIES or character in _INVISIBLE_CONTROLS:
            code = f"U+{ord(character):04X}"
            if code not in found:
                found.append(code)
    return found


def text_problem(field: str, value: str, *, maximum: int, multiline: bool = False) -> Problem | None:
    """Why ``value`` cannot be kept in ``field`` (control characters, or longer than ``maximum``), else None.

    ``multiline``: a text area's value, whose line breaks and tabs belong to it.
    """
    controls = control_characters(value, multiline=multiline)
    if controls:
        return Problem(field, "control_characters", {"characters": ", ".join(controls)})
    if len(value) > maximum:
        return Problem(field, "too_long", {"maximum": maximum, "length": len(value)})
    return None
