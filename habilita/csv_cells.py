"""CSV cells a spreadsheet shows as text and never runs: the one escaping every CSV export applies.

A spreadsheet reads a cell starting with ``= + - @`` as a formula (OWASP "CSV injection"), and a
leading tab or carriage return can hide such a start. Such a cell gets a single quote in front, which
spreadsheets take as "this is text" and do not show; any other value is written as it is.
"""
from __future__ import annotations

import dataclasses

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_a_formula(value: str) -> bool:
    """True when a spreadsheet would read ``value`` as a formula (or a hidden one)."""
    return value.startswith(FORMULA_STARTS)


def inert(value):
    """``value`` as a cell a spreadsheet shows as text: a string that starts like a formula, quoted."""
    if isinstance(value, str) and starts_like_a_formula(value):
        return "'" + str(value)  # str(): a Markup would escape the quote it is added to
    return value


def inert_row(row: dict) -> dict:
    """Every cell of ``row`` (column name -> value) made :func:`inert`."""
    return {name: inert(value) for name, value in row.items()}


def inert_record(record):
    """A copy of the dataclass ``record`` with each text field made :func:`inert`, for a writer that turns
    records into CSV rows itself (the process timeline's export)."""
    return dataclasses.replace(record, **{field.name: inert(getattr(record, field.name))
                                          for field in dataclasses.fields(record)
                                          if isinstance(getattr(record, field.name), str)})
