"""Money arithmetic and the two ways DIAN writes amounts.

Documents carry amounts rounded half-up to 2 decimals; the CUFE/CUDE/CUDS
hash inputs carry them *truncated* to 2 decimals. Keeping both rules here
keeps them from being mixed up.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

Number = Decimal | int | str


def to_decimal(value: Number, *, what: str = "amount") -> Decimal:
    """Convert an int, str or Decimal to Decimal; floats are refused (binary rounding)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{what} must be Decimal, int or str, not {type(value).__name__} (floats lose cents)")
    try:
        result = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{what} is not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"{what} is not a finite number: {value!r}")
    return result


def money(value: Number) -> Decimal:
    """Round to cents, half-up, as amounts are written in the document."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def write_amount(value: Number) -> str:
    """Text of an amount in the document: exactly 2 decimals, point separator, rounded half-up."""
    return f"{money(value):f}"


def hash_amount(value: Number | None) -> str:
    """Text of an amount in a CUFE/CUDE/CUDS input: 2 decimals, truncated; missing is "0.00"."""
    if value is None or value == "":
        return "0.00"
    return f"{to_decimal(value).quantize(CENT, rounding=ROUND_DOWN):f}"
