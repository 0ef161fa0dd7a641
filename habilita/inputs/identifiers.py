"""Identifiers are ASCII by pattern: digits 0-9 and letters A-Z, never "any digit" of Unicode.

``str.isdigit()`` is true for Arabic-Indic, Devanagari or superscript digits ("٣", "²"), which DIAN,
int() or a spreadsheet read differently or not at all; every identifier check goes through here.
"""
from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")
_LETTERS_AND_DIGITS = re.compile(r"[0-9A-Za-z]+")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
GUID_EXAMPLE = "1b2c3d4e-0000-4a5b-8c9d-0123456789ab"
PIN_DIGITS = 5
# What people write between a phone number's digits.
PHONE_SEPARATORS = " -()."


def ascii_digits(value: str, *, length: int | None = None) -> bool:
    """True when ``value`` is ASCII digits only (exactly ``length`` of them, when given)."""
    return bool(_DIGITS.fullmatch(value)) and (length is None or len(value) == length)


def ascii_letters_and_digits(value: str) -> bool:
    """True when ``value`` is ASCII letters and digits only (a passport number, a DIAN prefix)."""
    return bool(_LETTERS_AND_DIGITS.fullmatch(value))


def is_guid(value: str) -> bool:
    """True when ``value`` is a GUID as DIAN's portal shows its ids."""
    return bool(_GUID.fullmatch(value))


def is_pin(value: str) -> bool:
    """True when ``value`` is a DIAN software PIN: five ASCII digits."""
    return ascii_digits(value, length=PIN_DIGITS)


def is_sha256(value: str) -> bool:
    """True when ``value`` is a SHA-256 digest as hashlib writes it (64 lowercase hex digits)."""
    return bool(_SHA256.fullmatch(value))


def phone_digits(value: str) -> str | None:
    """The digits of a phone number written with ``PHONE_SEPARATORS`` and an optional leading ``+``;
    None when anything else is in it (a letter, another script's digit)."""
    body = value.strip().removeprefix("+")
    digits = "".join(ch for ch in body if ch not in PHONE_SEPARATORS)
    return digits if ascii_digits(digits) else None


def whole_number(text: str, *, maximum: int) -> int | None:
    """``text`` as a whole number from 0 to ``maximum`` written in ASCII digits, else None."""
    text = text.strip()
    if not ascii_digits(text) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None
