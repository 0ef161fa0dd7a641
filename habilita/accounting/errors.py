"""What the accounting domain refuses, in words a person can act on."""


class AccountingError(Exception):
    """Base of every error this package raises."""


class ChartError(AccountingError, ValueError):
    """An account code or name breaks the rules of the company's chart; ``field`` names which."""

    def __init__(self, message: str, field: str = "code"):
        super().__init__(message)
        self.field = field


class Unpostable(AccountingError, ValueError):
    """A document cannot become a voucher; ``reason`` says why, for the sync report."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
