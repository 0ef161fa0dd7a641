"""Why a call to the ERP's API failed, as exceptions the caller can sort.

The reactions differ: credentials refused (ask the person for new ones),
rate limited (wait ``retry_after`` seconds and retry), user blocked (stop
calling: every further request makes it worse), a business refusal such as
an unknown product code (retrying cannot help until someone fixes the data;
``code`` and ``params`` say what to fix), and the ERP unreachable or failing
(retry later). ``retryable`` says which is which. No message ever carries
the access key or the token.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErpProblem:
    """One entry of the ERP's ``Errors`` list."""

    code: str
    message: str
    params: tuple[str, ...] = ()
    detail: str = ""


class ErpError(Exception):
    """Base of every failure of an ERP call; ``code``/``message``/``params`` are the first problem's."""

    retryable: bool = False

    def __init__(self, message: str, *, status: int | None = None, problems: tuple[ErpProblem, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.problems = problems
        first = problems[0] if problems else ErpProblem(code="", message="")
        self.code = first.code
        self.message = first.message
        self.params = first.params

    @property
    def codes(self) -> tuple[str, ...]:
        """Every problem's code, in the ERP's order."""
        return tuple(p.code for p in self.problems)


class ErpCredentialsRefused(ErpError):
    """The API user and access key were refused (401): the person must fix them."""


class ErpRateLimited(ErpError):
    """Over the company's requests a minute (429 ``requests_limit``): retry after ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, *, status: int | None = None, problems: tuple[ErpProblem, ...] = (),
                 retry_after: float) -> None:
        super().__init__(message, status=status, problems=problems)
        self.retry_after = retry_after


class ErpUserBlocked(ErpError):
    """The ERP blocked the API user (403) after mostly-failed requests; calls must stop until it is lifted."""


class ErpRefused(ErpError):
    """A business refusal (4xx): ``invalid_reference``, ``invalid_total_payments``, ``duplicated_document``..."""


class ErpUnavailable(ErpError):
    """No usable answer: connection failed, timed out, 5xx or an unreadable body. Worth retrying."""

    retryable = True
