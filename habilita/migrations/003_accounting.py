"""Peewee migrations -- 003_accounting.py.

P3, the accounting integration: accounting companies with their charts of
accounts, integration requests, default accounts, the electronic documents
to post, vouchers with their lines, and per-document detail-account choices.
"""

import peewee as pw
from peewee_migrate import Migrator

AMOUNT = {"max_digits": 16, "decimal_places": 2, "auto_round": True}


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the accounting tables."""

    @migrator.create_model
    class AccountingCompany(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], null=True, on_delete='SET NULL')
        country = pw.CharField(max_length=2)
        tax_id = pw.CharField(max_length=20)
        check_digit = pw.CharField(max_length=1)
        name = pw.CharField(max_length=200)
        hidden = pw.BooleanField(default=False)
        hidden_reason = pw.CharField(default='', max_length=300)
        hidden_by = pw.CharField(default='', max_length=200)
        hidden_at = pw.DateTimeField(null=True)
        closed_through = pw.DateField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "accounting_company"
            indexes = [(('country', 'tax_id', 'hidden'), False)]

    @migrator.create_model
    class Account(pw.Model):
        id = pw.AutoField()
        accounting_company = pw.ForeignKeyField(column_name='accounting_company_id', field='id', model=migrator.orm['accounting_company'], on_delete='CASCADE')
        code = pw.CharField(max_length=20)
        name = pw.CharField(max_length=200)
        level = pw.CharField(max_length=20)
        parent_code = pw.CharField(default='', max_length=20)
        postable = pw.BooleanField(default=False)
        created_by = pw.CharField(default='standard chart', max_length=200)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "account"
            indexes = [(('accounting_company', 'code'), True)]

    @migrator.create_model
    class IntegrationRequest(pw.Model):
        id = pw.AutoField()
        workflow_id = pw.CharField(max_length=200, unique=True)
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], on_delete='CASCADE')
        accounting_company = pw.ForeignKeyField(column_name='accounting_company_id', field='id', model=migrator.orm['accounting_company'], on_delete='CASCADE')
        holder_tax_id = pw.CharField(max_length=20)
        holder_check_digit = pw.CharField(max_length=1)
        status = pw.CharField(default='pending', max_length=20)
        requested_by = pw.CharField(max_length=200)
        requested_at = pw.DateTimeField()
        accepted_by = pw.CharField(default='', max_length=200)
        accepted_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "integration_request"

    @migrator.create_model
    class DefaultAccounts(pw.Model):
        id = pw.AutoField()
        accounting_company = pw.ForeignKeyField(column_name='accounting_company_id', field='id', model=migrator.orm['accounting_company'], on_delete='CASCADE', unique=True)
        sales_auxiliary = pw.CharField(max_length=20)
        sales_detail = pw.CharField(max_length=20)
        sales_vat = pw.CharField(max_length=20)
        purchases_auxiliary = pw.CharField(max_length=20)
        purchases_detail = pw.CharField(max_length=20)
        purchases_vat = pw.CharField(max_length=20)
        payments = pw.CharField(default='', max_length=20)
        collections = pw.CharField(default='', max_length=20)
        updated_by = pw.CharField(max_length=200)
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "default_accounts"

    @migrator.create_model
    class ElectronicDocument(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], on_delete='CASCADE')
        direction = pw.CharField(max_length=10)
        doc_type = pw.CharField(max_length=20)
        number = pw.CharField(max_length=40)
        issue_date = pw.DateField()
        counterparty_tax_id = pw.CharField(default='', max_length=20)
        counterparty_name = pw.CharField(default='', max_length=200)
        net = pw.DecimalField(**AMOUNT)
        tax = pw.DecimalField(**AMOUNT)
        total = pw.DecimalField(**AMOUNT)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "electronic_document"
            indexes = [(('company', 'direction', 'doc_type', 'counterparty_tax_id', 'number'), True),
                       (('company', 'issue_date', 'id'), False)]

    @migrator.create_model
    class Voucher(pw.Model):
        id = pw.AutoField()
        accounting_company = pw.ForeignKeyField(column_name='accounting_company_id', field='id', model=migrator.orm['accounting_company'], on_delete='CASCADE')
        document = pw.ForeignKeyField(column_name='document_id', field='id', model=migrator.orm['electronic_document'], on_delete='CASCADE', unique=True)
        number = pw.CharField(max_length=50)
        date = pw.DateField()
        description = pw.CharField(max_length=200)
        total = pw.DecimalField(**AMOUNT)
        posted_by = pw.CharField(max_length=200)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "voucher"

    @migrator.create_model
    class VoucherLine(pw.Model):
        id = pw.AutoField()
        voucher = pw.ForeignKeyField(column_name='voucher_id', field='id', model=migrator.orm['voucher'], on_delete='CASCADE')
        line_no = pw.SmallIntegerField()
        account_code = pw.CharField(max_length=20)
        third_party_tax_id = pw.CharField(default='', max_length=20)
        description = pw.CharField(default='', max_length=200)
        debit = pw.DecimalField(**AMOUNT)
        credit = pw.DecimalField(**AMOUNT)

        class Meta:
            table_name = "voucher_line"
            indexes = [(('voucher', 'line_no'), True)]

    @migrator.create_model
    class DetailAccountOverride(pw.Model):
        id = pw.AutoField()
        document = pw.ForeignKeyField(column_name='document_id', field='id', model=migrator.orm['electronic_document'], on_delete='CASCADE', unique=True)
        account_code = pw.CharField(max_length=20)
        changed_by = pw.CharField(max_length=200)
        changed_at = pw.DateTimeField()

        class Meta:
            table_name = "detail_account_override"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the accounting tables, children first."""
    for table in ("detail_account_override", "voucher_line", "voucher", "electronic_document",
                  "default_accounts", "integration_request", "account", "accounting_company"):
        migrator.remove_model(table)
