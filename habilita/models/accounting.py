"""The accounting side of P3 and the documents it posts.

- ``AccountingCompany``: a company as the accounting system knows it. Two of
  them may share a tax id (the seed's pitfall), which is why one can be hidden.
- ``Account``: a company's chart of accounts, seeded from its country's plan.
- ``IntegrationRequest`` and ``DefaultAccounts``: steps 1-3 of the process.
- ``ElectronicDocument``: what e-invoicing issued and received.
- ``Voucher`` and ``VoucherLine``: what the sync posted; one voucher per
  source document, enforced by a unique constraint.
- ``DetailAccountOverride``: a person's choice of detail account for one
  document, applied when it is posted.
"""
from __future__ import annotations

import peewee

from .base import BaseModel, database_proxy, utcnow
from .company import Company

AMOUNT = {"max_digits": 16, "decimal_places": 2, "auto_round": True}


class AccountingCompany(BaseModel):
    company = peewee.ForeignKeyField(Company, backref="accounting_companies", null=True, on_delete="SET NULL")
    country = peewee.CharField(max_length=2)
    tax_id = peewee.CharField(max_length=20)
    check_digit = peewee.CharField(max_length=1)
    name = peewee.CharField(max_length=200)
    hidden = peewee.BooleanField(default=False)
    hidden_reason = peewee.CharField(max_length=300, default="")
    hidden_by = peewee.CharField(max_length=200, default="")
    hidden_at = peewee.DateTimeField(null=True)
    # Documents dated on or before this day fall in a closed period.
    closed_through = peewee.DateField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "accounting_company"
        indexes = ((("country", "tax_id", "hidden"), False),)

    def __str__(self) -> str:
        return f"{self.name} ({self.display_tax_id})"

    @property
    def display_tax_id(self) -> str:
        return f"{self.tax_id}-{self.check_digit}"

    @classmethod
    def visible_with_tax_id(cls, country: str, tax_id: str) -> list["AccountingCompany"]:
        return list(cls.select().where((cls.country == country) & (cls.tax_id == tax_id) & (cls.hidden == False))
                    .order_by(cls.id))  # noqa: E712 (peewee expression)


class Account(BaseModel):
    accounting_company = peewee.ForeignKeyField(AccountingCompany, backref="accounts", on_delete="CASCADE")
    code = peewee.CharField(max_length=20)
    name = peewee.CharField(max_length=200)
    level = peewee.CharField(max_length=20)
    parent_code = peewee.CharField(max_length=20, default="")
    postable = peewee.BooleanField(default=False)
    created_by = peewee.CharField(max_length=200, default="standard chart")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "account"
        indexes = ((("accounting_company", "code"), True),)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IntegrationRequest(BaseModel):
    # One request per process: a support reset (new run id) finds the same row.
    workflow_id = peewee.CharField(max_length=200, unique=True)
    company = peewee.ForeignKeyField(Company, backref="integration_requests", on_delete="CASCADE")
    accounting_company = peewee.ForeignKeyField(AccountingCompany, backref="integration_requests", on_delete="CASCADE")
    holder_tax_id = peewee.CharField(max_length=20)
    holder_check_digit = peewee.CharField(max_length=1)
    status = peewee.CharField(max_length=20, default="pending")
    requested_by = peewee.CharField(max_length=200)
    requested_at = peewee.DateTimeField(default=utcnow)
    accepted_by = peewee.CharField(max_length=200, default="")
    accepted_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "integration_request"


class DefaultAccounts(BaseModel):
    accounting_company = peewee.ForeignKeyField(AccountingCompany, backref="default_accounts", unique=True,
                                                on_delete="CASCADE")
    sales_auxiliary = peewee.CharField(max_length=20)
    sales_detail = peewee.CharField(max_length=20)
    sales_vat = peewee.CharField(max_length=20)
    purchases_auxiliary = peewee.CharField(max_length=20)
    purchases_detail = peewee.CharField(max_length=20)
    purchases_vat = peewee.CharField(max_length=20)
    payments = peewee.CharField(max_length=20, default="")
    collections = peewee.CharField(max_length=20, default="")
    updated_by = peewee.CharField(max_length=200)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "default_accounts"


class ElectronicDocument(BaseModel):
    company = peewee.ForeignKeyField(Company, backref="electronic_documents", on_delete="CASCADE")
    direction = peewee.CharField(max_length=10)  # issued | received
    doc_type = peewee.CharField(max_length=20)  # invoice | debit_note | credit_note
    number = peewee.CharField(max_length=40)
    issue_date = peewee.DateField()
    counterparty_tax_id = peewee.CharField(max_length=20, default="")
    counterparty_name = peewee.CharField(max_length=200, default="")
    net = peewee.DecimalField(**AMOUNT)
    tax = peewee.DecimalField(**AMOUNT)
    total = peewee.DecimalField(**AMOUNT)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "electronic_document"
        indexes = (
            (("company", "direction", "doc_type", "counterparty_tax_id", "number"), True),
            (("company", "issue_date", "id"), False),
        )

    @classmethod
    def in_range(cls, company_id: int, date_from, date_to):
        return cls.select().where((cls.company == company_id) & (cls.issue_date >= date_from)
                                  & (cls.issue_date <= date_to))


class Voucher(BaseModel):
    accounting_company = peewee.ForeignKeyField(AccountingCompany, backref="vouchers", on_delete="CASCADE")
    # The idempotency key of posting: a document is posted once, whatever
    # retries, crashes, resets or re-runs happen.
    document = peewee.ForeignKeyField(ElectronicDocument, backref="vouchers", unique=True, on_delete="CASCADE")
    number = peewee.CharField(max_length=50)
    date = peewee.DateField()
    description = peewee.CharField(max_length=200)
    total = peewee.DecimalField(**AMOUNT)
    posted_by = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "voucher"


class VoucherLine(BaseModel):
    voucher = peewee.ForeignKeyField(Voucher, backref="lines", on_delete="CASCADE")
    line_no = peewee.SmallIntegerField()
    account_code = peewee.CharField(max_length=20)
    third_party_tax_id = peewee.CharField(max_length=20, default="")
    description = peewee.CharField(max_length=200, default="")
    debit = peewee.DecimalField(**AMOUNT)
    credit = peewee.DecimalField(**AMOUNT)

    class Meta:
        table_name = "voucher_line"
        indexes = ((("voucher", "line_no"), True),)


class DetailAccountOverride(BaseModel):
    document = peewee.ForeignKeyField(ElectronicDocument, backref="detail_overrides", unique=True,
                                      on_delete="CASCADE")
    account_code = peewee.CharField(max_length=20)
    changed_by = peewee.CharField(max_length=200)
    changed_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "detail_account_override"


ACCOUNTING_MODELS = [
    AccountingCompany, Account, IntegrationRequest, DefaultAccounts, ElectronicDocument,
    Voucher, VoucherLine, DetailAccountOverride,
]


def serialized_transaction():
    """A transaction that serializes with every other writer of the same rows.

    SQLite takes its write lock at BEGIN (IMMEDIATE), so a read-then-write
    cannot interleave with another writer; PostgreSQL relies on the
    ``SELECT ... FOR UPDATE`` of :func:`locked` inside it.
    """
    db = database_proxy.obj
    if isinstance(db, peewee.SqliteDatabase):
        return db.atomic("IMMEDIATE")
    return db.atomic()


def locked(query: peewee.Select) -> peewee.Select:
    """``query`` with row locks where the database has them (not SQLite: see above)."""
    return query if isinstance(database_proxy.obj, peewee.SqliteDatabase) else query.for_update()
