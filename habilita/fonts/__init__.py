"""The typeface letters are drawn in, bundled with the package: DejaVu Sans (see DejaVu-LICENSE.txt).

A Unicode TrueType font, so accents and non-Latin-1 names print as typed. What it still cannot draw
(an emoji, most CJK) fpdf2 would leave blank on the letter, so a value printed on it is refused at its
field instead: :func:`undrawable` tells which characters. The characters the font covers are read once,
when this module is imported (the worker imports it before any workflow runs), so a validator that
asks reads a constant.
"""
from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTFont

HERE = Path(__file__).parent
REGULAR = HERE / "DejaVuSans.ttf"
BOLD = HERE / "DejaVuSans-Bold.ttf"
FAMILY = "DejaVuSans"


def _covered(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


# The letter's fields are written in the regular face.
DRAWABLE: frozenset[int] = _covered(REGULAR)


def undrawable(text: str) -> list[str]:
    """The distinct characters of ``text`` the letter's font has no glyph for, in order of appearance."""
    missing: list[str] = []
    for character in text:
        if ord(character) not in DRAWABLE and character not in missing:
            missing.append(character)
    return missing
