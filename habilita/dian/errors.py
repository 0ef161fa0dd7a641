"""Errors raised by the DIAN toolkit.

Every error subclasses :class:`DianError` (so callers can catch the whole
family) and :class:`ValueError` (they all describe bad input, never a bug or an
outage), and carries a message a person can act on.
"""

from __future__ import annotations


class DianError(Exception):
    """Base of every error raised by the ``dian`` package."""


class InvalidTaxId(DianError, ValueError):
    """A NIT or RUT is malformed or its check digit does not match.

    Besides its message, it says what is wrong as facts a caller can word
    in its own language: ``kind`` ("NIT" or "RUT"), ``reason`` (one of
    :data:`TAX_ID_REASONS`), ``part`` ("number" or "check_digit": which of
    the two a person must correct) and ``facts`` (the values involved:
    ``value``, ``number``, ``expected``, ``given``, ``minimum``...).
    """

    def __init__(self, message: str, *, kind: str = "", reason: str = "", part: str = "number", **facts):
        super().__init__(message)
        self.kind, self.reason, self.part, self.facts = kind, reason, part, facts


# Why a tax id is refused (InvalidTaxId.reason).
TAX_ID_REASONS = ("not_text", "empty", "not_digits", "length", "check_digit_written", "check_digits_differ",
                  "check_digit_format", "check_digit")


class InvalidDocument(DianError, ValueError):
    """The input for a UBL document is inconsistent (no lines, bad dates, ...)."""


class MalformedDocument(DianError, ValueError):
    """Bytes that are not a readable DIAN UBL document."""


class CertificateError(DianError, ValueError):
    """A certificate or private key cannot be read or does not fit its use."""


class SigningError(DianError, ValueError):
    """A document cannot be signed as given (no signature slot, wrong key, ...)."""
