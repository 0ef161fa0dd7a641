"""Posting rules: one electronic document becomes the lines of one balanced voucher.

A sale of net N with VAT V posts: debit the sales auxiliary (customers) N+V,
credit the sales detail (revenue) N, credit VAT payable V. A purchase mirrors
it: debit the purchases detail N and deductible VAT V, credit the purchases
auxiliary (suppliers) N+V. A credit note reverses its direction's entry.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from habilita.messages import Message

from .errors import Unpostable

CENT = Decimal("0.01")
DIRECTIONS = ("issued", "received")
DOCUMENT_TYPES = ("invoice", "debit_note", "credit_note")
VOUCHER_PREFIX = {"issued": "VE", "received": "CO"}
# Lines come in this order: auxiliary (1), detail (2), VAT (3, when there is VAT).
DETAIL_LINE_NO = 2


@dataclass(frozen=True)
class Document:
    """What posting needs to know about one electronic document."""

    id: int
    direction: str
    doc_type: str
    number: str
    issue_date: dt.date
    counterparty_tax_id: str
    net: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class SideAccounts:
    """The accounts one side (sales or purchases) posts to."""

    auxiliary: str
    detail: str
    vat: str


@dataclass(frozen=True)
class Line:
    account_code: str
    debit: Decimal
    credit: Decimal
    third_party_tax_id: str
    description: str


def unpostable_reason(doc: Document, *, closed_through: dt.date | None) -> Message | None:
    """Why ``doc`` cannot be posted (None when it can); amounts as text, as a payload carries them."""
    if doc.direction not in DIRECTIONS:
        return Message("unpostable.direction", {"direction": doc.direction})
    if doc.doc_type not in DOCUMENT_TYPES:
        return Message("unpostable.document_type", {"type": doc.doc_type})
    if not (doc.counterparty_tax_id or "").strip():
        return Message("unpostable.no_counterparty")
    if doc.total == 0:
        return Message("unpostable.zero_total")
    amounts = {"net": str(doc.net), "tax": str(doc.tax), "total": str(doc.total)}
    if doc.net < 0 or doc.tax < 0 or doc.total < 0:
        return Message("unpostable.negative", amounts)
    if doc.net + doc.tax != doc.total:
        return Message("unpostable.not_the_total", {**amounts, "sum": str(doc.net + doc.tax)})
    if closed_through is not None and doc.issue_date <= closed_through:
        return Message("unpostable.period_closed", {"date": doc.issue_date.isoformat(),
                                                    "closed": closed_through.isoformat()})
    return None


def voucher_number(doc: Document) -> str:
    """The voucher's number, derived from its source document so it is stable across retries."""
    return f"{VOUCHER_PREFIX[doc.direction]}-{doc.number}"


def voucher_lines(doc: Document, accounts: SideAccounts, *, closed_through: dt.date | None = None,
                  detail_override: str | None = None) -> list[Line]:
    """The balanced lines of ``doc``'s voucher; raises ``Unpostable`` with the reason."""
    reason = unpostable_reason(doc, closed_through=closed_through)
    if reason:
        raise Unpostable(reason)
    net, tax, total = (amount.quantize(CENT) for amount in (doc.net, doc.tax, doc.total))
    detail = detail_override or accounts.detail
    party = doc.counterparty_tax_id.strip()
    label = f"{doc.doc_type.replace('_', ' ')} {doc.number}"
    # Sales debit the customer and credit revenue and VAT; purchases mirror it;
    # a credit note reverses its side's entry.
    control_debit = (doc.direction == "issued") != (doc.doc_type == "credit_note")
    lines = [
        _line(accounts.auxiliary, total, control_debit, party, label),
        _line(detail, net, not control_debit, party, label),
    ]
    if tax:
        lines.append(_line(accounts.vat, tax, not control_debit, party, f"VAT {label}"))
    debits = sum(line.debit for line in lines)
    credits = sum(line.credit for line in lines)
    if debits != credits:
        raise Unpostable(Message("unpostable.unbalanced", {"debits": str(debits), "credits": str(credits)}))
    return lines


def _line(account: str, amount: Decimal, debit: bool, party: str, description: str) -> Line:
    zero = Decimal("0.00")
    return Line(account_code=account, debit=amount if debit else zero, credit=zero if debit else amount,
                third_party_tax_id=party, description=description)
