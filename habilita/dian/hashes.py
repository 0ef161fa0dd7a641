"""CUFE, CUDE, CUDS and the software security code (lower-case hex SHA-384).

Each ``*_input`` function returns the exact string that is hashed, so a
mismatch can be shown to a person field by field.
"""

from __future__ import annotations

import datetime
import hashlib

from .amounts import Number, hash_amount

TAX_IVA = "01"
TAX_ICA = "03"
TAX_INC = "04"


def sha384_hex(text: str) -> str:
    """Lower-case hex SHA-384 of UTF-8 text."""
    return hashlib.sha384(text.encode("utf-8")).hexdigest()


def _date(value: datetime.date | str) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value


def cufe_input(
    *,
    number: str,
    issue_date: datetime.date | str,
    issue_time: str,
    line_extension: Number | None,
    iva: Number | None,
    inc: Number | None,
    ica: Number | None,
    payable: Number | None,
    supplier_nit: str,
    customer_id: str,
    key: str,
    environment: str,
) -> str:
    """The CUFE/CUDE concatenation; ``key`` is the technical key (CUFE) or the PIN (CUDE)."""
    return "".join(
        (
            number,
            _date(issue_date),
            issue_time,
            hash_amount(line_extension),
            TAX_IVA,
            hash_amount(iva),
            TAX_INC,
            hash_amount(inc),
            TAX_ICA,
            hash_amount(ica),
            hash_amount(payable),
            supplier_nit,
            customer_id,
            key,
            environment,
        )
    )


def cufe(*, technical_key: str, **fields) -> str:
    """CUFE of an invoice: the fields of :func:`cufe_input` with the range's technical key."""
    return sha384_hex(cufe_input(key=technical_key, **fields))


def cude(*, pin: str, **fields) -> str:
    """CUDE of a credit or debit note: the CUFE fields with the software PIN in place of the key."""
    return sha384_hex(cufe_input(key=pin, **fields))


def cuds_input(
    *,
    number: str,
    issue_date: datetime.date | str,
    issue_time: str,
    line_extension: Number | None,
    tax_code: str | None,
    tax_amount: Number | None,
    payable: Number | None,
    seller_id: str,
    buyer_nit: str,
    pin: str,
    environment: str,
) -> str:
    """The CUDS concatenation of a support document or its adjustment note.

    ``seller_id`` is the supplier (not obliged to invoice), ``buyer_nit`` the
    company issuing the support document.
    """
    return "".join(
        (
            number,
            _date(issue_date),
            issue_time,
            hash_amount(line_extension),
            tax_code or TAX_IVA,
            hash_amount(tax_amount),
            hash_amount(payable),
            seller_id,
            buyer_nit,
            pin,
            environment,
        )
    )


def cuds(**fields) -> str:
    """CUDS of a support document (05) or adjustment note (95)."""
    return sha384_hex(cuds_input(**fields))


def software_security_code(*, software_id: str, pin: str, number: str) -> str:
    """SoftwareSecurityCode: SHA-384 of SoftwareID + PIN + document number."""
    return sha384_hex(software_id + pin + number)
