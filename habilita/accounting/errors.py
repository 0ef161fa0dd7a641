"""What the accounting domain refuses, as catalog codes a person reads in their language."""
from __future__ import annotations

from habilita.messages import Message, Problem
from habilita.messages.catalog import in_english


class AccountingError(Exception):
    """Base of every error this package raises."""


class ChartError(AccountingError, ValueError):
    """An account code or name breaks the rules of the company's chart.

    ``problem`` says which field and why, as a catalog code with its
    parameters; ``str()`` is its English wording, for logs.
    """

    def __init__(self, code: str, /, field: str = "code", **params):
        self.problem = Problem(field, code, params)
        super().__init__(in_english(self.problem))

    @property
    def field(self) -> str:
        return self.problem.field


class Unpostable(AccountingError, ValueError):
    """A document cannot become a voucher; ``reason`` says why (a catalog code), for the sync report.

    ``str()`` is its English wording, for logs.
    """

    def __init__(self, reason: Message):
        super().__init__(in_english(reason))
        self.reason = reason
