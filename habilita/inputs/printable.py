"""Text printed on the exoneration letter must be drawable in the letter's font.

fpdf2 leaves a blank where the font has no glyph, so a letter with an emoji or an unsupported script
in a name would not say what was typed; the field is refused instead, naming the characters.
"""
from __future__ import annotations

from habilita.fonts import undrawable
from habilita.messages import Problem


def letter_problem(field: str, value: str) -> Problem | None:
    """Why ``value`` cannot be printed on the letter (characters its font cannot draw), else None."""
    missing = undrawable(value)
    if missing:
        return Problem(field, "not_printable_on_letter", {"characters": " ".join(missing)})
    return None
