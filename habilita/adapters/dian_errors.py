"""Why a call to DIAN's web service failed, as exceptions the caller can sort.

Three different failures need three different reactions: the network or the
server (retry later), a SOAP fault (DIAN understood us and refused: usually
permanent, e.g. a bad signature), and an answer we cannot read (a bug or a
protocol change: permanent). ``retryable`` says which is which, so an activity
can turn the error into a retryable or a non-retryable ``ApplicationError``.
"""

from __future__ import annotations


class DianServiceError(Exception):
    """Base of every failure of a DIAN web-service call."""

    retryable: bool = False

    def __init__(self, message: str, *, operation: str, url: str) -> None:
        super().__init__(message)
        self.operation = operation
        self.url = url


class DianTransportError(DianServiceError):
    """No HTTP answer: connection refused, DNS, TLS, reset. Worth retrying."""

    retryable = True


class DianTimeout(DianTransportError):
    """The connection or the answer took longer than allowed (``phase``: connect or read)."""

    def __init__(self, message: str, *, operation: str, url: str, phase: str, seconds: float) -> None:
        super().__init__(message, operation=operation, url=url)
        self.phase = phase
        self.seconds = seconds


class DianHttpError(DianServiceError):
    """An HTTP error status without a SOAP fault; 5xx are worth retrying, 4xx are not."""

    def __init__(self, message: str, *, operation: str, url: str, status: int, body: str) -> None:
        super().__init__(message, operation=operation, url=url)
        self.status = status
        self.body = body
        self.retryable = status >= 500


class DianSoapFault(DianServiceError):
    """DIAN answered with a SOAP fault (e.g. InvalidSecurity): it refused the request."""

    def __init__(self, message: str, *, operation: str, url: str, code: str, subcode: str, reason: str) -> None:
        super().__init__(message, operation=operation, url=url)
        self.code = code
        self.subcode = subcode
        self.reason = reason
        # A Receiver fault is DIAN's own trouble; a Sender fault is ours.
        self.retryable = code == "Receiver"


class DianProtocolError(DianServiceError):
    """An answer that is not the SOAP response the operation promises."""
