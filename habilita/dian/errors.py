"""Errors raised by the DIAN toolkit.

Every error subclasses :class:`DianError` (so callers can catch the whole
family) and :class:`ValueError` (they all describe bad input, never a bug or an
outage), and carries a message a person can act on.
"""

from __future__ import annotations


class DianError(Exception):
    """Base of every error raised by the ``dian`` package."""


class InvalidTaxId(DianError, ValueError):
    """A NIT or RUT is malformed or its check digit does not match."""


class InvalidDocument(DianError, ValueError):
    """The input for a UBL document is inconsistent (no lines, bad dates, ...)."""


class MalformedDocument(DianError, ValueError):
    """Bytes that are not a readable DIAN UBL document."""


class CertificateError(DianError, ValueError):
    """A certificate or private key cannot be read or does not fit its use."""


class SigningError(DianError, ValueError):
    """A document cannot be signed as given (no signature slot, wrong key, ...)."""
