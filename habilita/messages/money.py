"""Money as the reader writes it: ``$ 190.000`` in Spanish (Colombian pesos), ``COP 190,000`` in English.

A message keeps an amount as a number and its currency in another parameter
(:data:`AMOUNTS`); the catalog formats it when the message is rendered, so a
stored message reads right in every language. Pure string work (no locale
data to load): safe inside workflows.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

# Parameters that hold an amount of money -> the parameter that names its currency.
AMOUNTS = {"price": "currency"}
# Languages that group thousands with "." and write decimals after ",".
COMMA_DECIMALS = {"es"}
# The sign a Spanish reader knows for a currency (Colombian pesos: "$"); others show their ISO code.
SIGNS = {"COP": "$"}


def is_amount(value) -> bool:
    """Whether ``value`` is a number to format as money (not text, not a yes/no)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def money(amount, currency: str, locale: str) -> str:
    """``amount`` of ``currency`` as a reader of ``locale`` writes it ("es", "es_CO", "en"...)."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{amount} {currency}".strip()
    places = 0 if value == value.to_integral_value() else 2
    digits = f"{value:,.{places}f}"
    if language(locale) in COMMA_DECIMALS:
        digits = digits.translate(str.maketrans(",.", ".,"))
        sign = SIGNS.get(currency)
        return f"{sign} {digits}" if sign else f"{digits} {currency}".strip()
    return f"{currency} {digits}".strip()


def language(locale: str) -> str:
    """``es_CO`` -> ``es``."""
    return (locale or "en").replace("-", "_").split("_")[0].lower()
