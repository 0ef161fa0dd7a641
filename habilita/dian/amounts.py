"""Money arithmetic and the two ways DIAN writes amounts.

Documents carry amounts rounded half-up to 2 decimals; the CUFE/CUDE/CUDS
hash inputs carry them *truncated* to 2 decimals. Keeping both rules here
keeps them from being mixed up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
    if type(value) is not Decimal:  # builders pass Decimals: skip the checks on the hot path
        value = to_decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def write_amount(value: Number) -> str:
    """Text of an amount in the document: exactly 2 decimals, point separator, rounded half-up."""
    return f"{money(value):f}"


def hash_amount(value: Number | None) -> str:
    """Text of an amount in a CUFE/CUDE/CUDS input: 2 decimals, truncated; missing is "0.00"."""
    if value is None or value == "":
        return "0.00"
    return f"{to_decimal(value).quantize(CENT, rounding=ROUND_DOWN):f}"


# Order of the document's TaxTotal groups: the order of the CUFE fields.
TAX_ORDER = ("01", "04", "03")


@dataclass(frozen=True)
class TaxSubtotal:
    """Tax of one scheme at one percent: on one line, or summed over the document."""

    scheme: str
    percent: Decimal
    taxable: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TaxTotal:
    """All the tax of one scheme, split by percent."""

    scheme: str
    amount: Decimal
    subtotals: tuple[TaxSubtotal, ...]


@dataclass(frozen=True)
class LineAmounts:
    """A line's computed amounts."""

    line_extension: Decimal
    taxes: tuple[TaxSubtotal, ...]

    @property
    def tax_amount(self) -> Decimal:
        return sum((t.amount for t in self.taxes), ZERO)


@dataclass(frozen=True)
class Totals:
    """Every amount of a document, computed from its lines so they always add up."""

    lines: tuple[LineAmounts, ...]
    tax_totals: tuple[TaxTotal, ...]
    line_extension: Decimal
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    payable: Decimal

    def tax(self, scheme: str) -> Decimal | None:
        """Total tax of a scheme, None when the document has none of it."""
        for total in self.tax_totals:
            if total.scheme == scheme:
                return total.amount
        return None


def compute_totals(lines: Iterable) -> Totals:
    """Compute line, tax and document totals from lines with quantity, unit_price and taxes.

    Each line amount and line tax is rounded to cents first; document totals
    are sums of those rounded figures, which is how DIAN checks them.
    """
    computed: list[LineAmounts] = []
    groups: dict[tuple[str, Decimal], list[Decimal]] = {}
    tax_base = ZERO
    for line in lines:
        extension = money(line.quantity * line.unit_price)
        taxes = []
        for tax in line.taxes:
            amount = money(extension * tax.percent / 100)
            taxes.append(TaxSubtotal(scheme=tax.scheme, percent=tax.percent, taxable=extension, amount=amount))
            taxable_and_amount = groups.setdefault((tax.scheme, tax.percent), [ZERO, ZERO])
            taxable_and_amount[0] += extension
            taxable_and_amount[1] += amount
        if line.taxes:
            # TaxExclusiveAmount counts each taxed line once, whatever its number of taxes.
            tax_base += extension
        computed.append(LineAmounts(line_extension=extension, taxes=tuple(taxes)))
    tax_totals = []
    for scheme in TAX_ORDER:
        subtotals = tuple(
            TaxSubtotal(scheme=scheme, percent=percent, taxable=values[0], amount=values[1])
            for (s, percent), values in sorted(groups.items(), key=lambda item: item[0][1])
            if s == scheme
        )
        if subtotals:
            tax_totals.append(
                TaxTotal(scheme=scheme, amount=sum((s.amount for s in subtotals), ZERO), subtotals=subtotals)
            )
    line_extension = sum((line.line_extension for line in computed), ZERO)
    total_tax = sum((t.amount for t in tax_totals), ZERO)
    return Totals(
        lines=tuple(computed),
        tax_totals=tuple(tax_totals),
        line_extension=line_extension,
        tax_exclusive=tax_base,
        tax_inclusive=line_extension + total_tax,
        payable=line_extension + total_tax,
    )
