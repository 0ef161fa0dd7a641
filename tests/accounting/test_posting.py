"""Posting rules: every document becomes one balanced voucher, or a reason why not."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from habilita.accounting.errors import Unpostable
from habilita.accounting.posting import Document, SideAccounts, voucher_lines
from habilita.messages import Message
from habilita.messages.catalog import in_english

SALES = SideAccounts(auxiliary="130500", detail="413500", vat="240805")
PURCHASES = SideAccounts(auxiliary="220500", detail="620500", vat="240810")
DAY = dt.date(2024, 3, 15)


def doc(direction="issued", doc_type="invoice", net="100000.00", tax="19000.00", total=None, party="800123456"):
    net, tax = Decimal(net), Decimal(tax)
    return Document(1, direction, doc_type, "FE0000001", DAY, party, net, tax,
                    Decimal(total) if total is not None else net + tax)


def entries(lines):
    return [(l.account_code, str(l.debit), str(l.credit)) for l in lines]


def test_a_sale_debits_customers_and_credits_revenue_and_vat():
    lines = voucher_lines(doc(), SALES)
    assert entries(lines) == [("130500", "119000.00", "0.00"), ("413500", "0.00", "100000.00"),
                              ("240805", "0.00", "19000.00")]
    assert lines[0].third_party_tax_id == "800123456"


def test_a_purchase_mirrors_it_with_deductible_vat():
    lines = voucher_lines(doc(direction="received"), PURCHASES)
    assert entries(lines) == [("220500", "0.00", "119000.00"), ("620500", "100000.00", "0.00"),
                              ("240810", "19000.00", "0.00")]


def test_a_credit_note_reverses_the_sale():
    assert entries(voucher_lines(doc(doc_type="credit_note"), SALES)) == [
        ("130500", "0.00", "119000.00"), ("413500", "100000.00", "0.00"), ("240805", "19000.00", "0.00")]


def test_a_document_without_vat_has_no_vat_line_and_still_balances():
    lines = voucher_lines(doc(tax="0"), SALES)
    assert len(lines) == 2 and sum(l.debit for l in lines) == sum(l.credit for l in lines) == Decimal("100000.00")


def test_a_chosen_detail_account_replaces_the_default_one():
    assert voucher_lines(doc(), SALES, detail_override="41350001")[1].account_code == "41350001"


@pytest.mark.parametrize("document, closed_through, reason", [
    (doc(party=""), None, Message("unpostable.no_counterparty")),
    (doc(net="0", tax="0"), None, Message("unpostable.zero_total")),
    (doc(total="1.00"), None, Message("unpostable.not_the_total", {
        "net": "100000.00", "tax": "19000.00", "sum": "119000.00", "total": "1.00"})),
    (doc(), DAY, Message("unpostable.period_closed", {"date": "2024-03-15", "closed": "2024-03-15"})),
])
def test_a_document_that_cannot_be_posted_says_why(document, closed_through, reason):
    with pytest.raises(Unpostable) as refused:
        voucher_lines(document, SALES, closed_through=closed_through)
    assert refused.value.reason == reason
    assert str(refused.value) == in_english(reason), "its English wording, for logs"
