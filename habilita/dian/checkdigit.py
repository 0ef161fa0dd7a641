"""Check digits of tax identifiers: Colombian NIT (DV) and Chilean RUT.

The arithmetic comes from python-stdnum; this module owns the rules about
what a person may type and the messages they read when it is wrong.
"""

from __future__ import annotations

import re

from stdnum.cl import rut as _rut
from stdnum.co import nit as _nit

from .errors import InvalidTaxId

# A NIT body longer than the 15 DV weights cannot be checked; persons' NITs
# (their cédula) can be as short as a few digits in old registrations.
NIT_MIN_DIGITS = 3
NIT_MAX_DIGITS = 15
# A RUT body is 7 or 8 digits (below 10 million, or above).
RUT_MIN_DIGITS = 7
RUT_MAX_DIGITS = 8

_SEPARATORS = " .,"
# ASCII digits only: str.isdigit() would take other scripts' digits too.
_DIGITS = re.compile(r"[0-9]+")


def normalize_nit(nit: str) -> str:
    """Return the NIT body without separators or spaces, e.g. "900.123.456" -> "900123456".

    A trailing check digit written with a dash ("900123456-8") is removed; use
    :func:`split_nit` to keep it.
    """
    return split_nit(nit)[0]


def split_nit(nit: str) -> tuple[str, str | None]:
    """Split "900.123.456-7" into ("900123456", "7"); the DV is None when not written."""
    if not isinstance(nit, str):
        raise InvalidTaxId(f"NIT must be text, not {type(nit).__name__}", kind="NIT", reason="not_text")
    text = nit.strip()
    dv: str | None = None
    if "-" in text:
        text, _, dv = text.rpartition("-")
        dv = dv.strip()
    body = "".join(ch for ch in text if ch not in _SEPARATORS)
    return body, dv


def _check_nit_body(body: str, original: str) -> None:
    if not body:
        raise InvalidTaxId("NIT is empty", kind="NIT", reason="empty")
    if not _DIGITS.fullmatch(body):
        raise InvalidTaxId(f"NIT must be digits only, got {original!r}", kind="NIT", reason="not_digits",
                           value=original)
    if not NIT_MIN_DIGITS <= len(body) <= NIT_MAX_DIGITS:
        raise InvalidTaxId(
            f"NIT must have between {NIT_MIN_DIGITS} and {NIT_MAX_DIGITS} digits "
            f"(without the check digit), {original!r} has {len(body)}",
            kind="NIT", reason="length", value=original, minimum=NIT_MIN_DIGITS, maximum=NIT_MAX_DIGITS,
            length=len(body),
        )


def nit_check_digit(nit: str) -> str:
    """Return the DIAN check digit (DV) of a NIT body, e.g. "900123456" -> "8"."""
    body, dv = split_nit(nit)
    if dv is not None:
        raise InvalidTaxId(f"give the NIT without its check digit, got {nit!r}", kind="NIT",
                           reason="check_digit_written", value=nit)
    _check_nit_body(body, nit)
    return _nit.calc_check_digit(body)


def validate_nit(number: str, dv: str | int | None = None) -> str:
    """Validate a NIT and its check digit; return the normalized body.

    The DV may be given separately (``dv=8``) or written after a dash
    ("900123456-8"); with neither, only the body's format is checked.
    Raises :class:`InvalidTaxId` naming what is wrong.
    """
    body, written_dv = split_nit(number)
    _check_nit_body(body, number)
    if dv is not None and written_dv is not None and str(dv).strip() != written_dv:
        raise InvalidTaxId(f"NIT {number!r} carries check digit {written_dv} but {dv} was given", kind="NIT",
                           reason="check_digits_differ", part="check_digit", value=number, written=written_dv,
                           given=str(dv))
    given = written_dv if written_dv is not None else (None if dv is None else str(dv).strip())
    if given is None:
        return body
    if not re.fullmatch(r"[0-9]", given):
        raise InvalidTaxId(f"the check digit of a NIT is one digit 0-9, got {given!r}", kind="NIT",
                           reason="check_digit_format", part="check_digit", given=given, allowed=["0-9"])
    expected = _nit.calc_check_digit(body)
    if given != expected:
        raise InvalidTaxId(f"the check digit of NIT {body} is {expected}, not {given}", kind="NIT",
                           reason="check_digit", part="check_digit", number=body, expected=expected, given=given)
    return body


def format_nit(nit: str) -> str:
    """Return the NIT as people write it: "900.123.456-7"."""
    body = validate_nit(nit)
    return _nit.format(body + _nit.calc_check_digit(body))


def _split_rut(rut: str) -> tuple[str, str | None]:
    if not isinstance(rut, str):
        raise InvalidTaxId(f"RUT must be text, not {type(rut).__name__}", kind="RUT", reason="not_text")
    text = rut.strip().upper()
    if text.startswith("CL"):
        text = text[2:].strip()
    text = "".join(ch for ch in text if ch not in _SEPARATORS)
    if "-" in text:
        body, _, dv = text.rpartition("-")
        return body, dv
    return text, None


def _check_rut_body(body: str, original: str) -> None:
    if not body:
        raise InvalidTaxId("RUT is empty", kind="RUT", reason="empty")
    if not _DIGITS.fullmatch(body):
        raise InvalidTaxId(f"RUT must be digits followed by a check digit (0-9 or K), got {original!r}",
                           kind="RUT", reason="not_digits", value=original)
    if not RUT_MIN_DIGITS <= len(body) <= RUT_MAX_DIGITS:
        raise InvalidTaxId(
            f"RUT must have {RUT_MIN_DIGITS} or {RUT_MAX_DIGITS} digits before the check digit, "
            f"{original!r} has {len(body)}",
            kind="RUT", reason="length", value=original, minimum=RUT_MIN_DIGITS, maximum=RUT_MAX_DIGITS,
            length=len(body),
        )


def rut_check_digit(rut: str) -> str:
    """Return the check digit ("0"-"9" or "K") of a Chilean RUT body, e.g. "76086428" -> "5"."""
    body, dv = _split_rut(rut)
    if dv is not None:
        raise InvalidTaxId(f"give the RUT without its check digit, got {rut!r}", kind="RUT",
                           reason="check_digit_written", value=rut)
    _check_rut_body(body, rut)
    return _rut.calc_check_digit(body)


def validate_rut(rut: str) -> str:
    """Validate a Chilean RUT written with its check digit; return it normalized ("76086428-5").

    Accepts "76.086.428-5", "76086428-5", "760864285" and a lower-case "k".
    """
    body, dv = _split_rut(rut)
    if dv is None:
        # Written without a dash: the last character is the check digit.
        body, dv = body[:-1], body[-1:]
    _check_rut_body(body, rut)
    if len(dv) != 1 or dv not in "0123456789K":
        raise InvalidTaxId(f"the check digit of a RUT is one of 0-9 or K, got {dv!r}", kind="RUT",
                           reason="check_digit_format", part="check_digit", given=dv, allowed=["0-9", "K"])
    expected = _rut.calc_check_digit(body)
    if dv != expected:
        raise InvalidTaxId(f"the check digit of RUT {body} is {expected}, not {dv}", kind="RUT",
                           reason="check_digit", part="check_digit", number=body, expected=expected, given=dv)
    return f"{body}-{dv}"


def normalize_rut(rut: str) -> str:
    """Return a valid RUT in the canonical form "76086428-5" (raises when invalid)."""
    return validate_rut(rut)


def format_rut(rut: str) -> str:
    """Return a valid RUT as people write it: "76.086.428-5"."""
    return _rut.format(validate_rut(rut).replace("-", ""))
