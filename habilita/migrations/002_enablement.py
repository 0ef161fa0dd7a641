"""Peewee migrations -- 002_enablement.py.

The tables of the enablement processes P1 and P2 (models/enablement.py):
representatives and private keys sealed at rest, certificate loans with their
letters, numbering resolutions, voucher types, the test-set ledger and the
companies' notifications.
"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the enablement tables."""

    @migrator.create_model
    class Representative(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], on_delete='CASCADE')
        sealed = pw.BlobField()
        source_key = pw.CharField(max_length=300, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "representative"

    @migrator.create_model
    class SigningCertificate(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], null=True, on_delete='CASCADE')
        holder_nit = pw.CharField(max_length=20)
        subject = pw.CharField(max_length=300)
        serial_number = pw.CharField(max_length=64)
        not_before = pw.DateTimeField()
        not_after = pw.DateTimeField()
        cert_pem = pw.TextField()
        chain_pem = pw.TextField(default='')
        sealed_key = pw.BlobField()
        order_id = pw.CharField(default='', max_length=80)
        source_key = pw.CharField(max_length=300, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "signing_certificate"

    @migrator.create_model
    class CertificateLoan(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], on_delete='CASCADE')
        purpose = pw.CharField(max_length=20)
        workflow_id = pw.CharField(max_length=200)
        representative = pw.ForeignKeyField(column_name='representative_id', field='id', model=migrator.orm['representative'], null=True, on_delete='SET NULL')
        letter = pw.ForeignKeyField(column_name='letter_id', field='id', model=migrator.orm['stored_file'], null=True, on_delete='SET NULL')
        signed_letter = pw.ForeignKeyField(column_name='signed_letter_id', field='id', model=migrator.orm['stored_file'], null=True, on_delete='SET NULL', backref='signed_loan_letters')
        certificate = pw.ForeignKeyField(column_name='certificate_id', field='id', model=migrator.orm['signing_certificate'], null=True, on_delete='SET NULL')
        loan_date = pw.DateTimeField(null=True)
        signed_letter_uploaded_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "certificate_loan"
            indexes = [(('workflow_id', 'purpose'), True)]

    @migrator.create_model
    class NumberingResolution(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], on_delete='CASCADE')
        purpose = pw.CharField(max_length=20)
        resolution_number = pw.CharField(max_length=40)
        resolution_date = pw.DateField()
        prefix = pw.CharField(max_length=10)
        range_from = pw.BigIntegerField()
        range_to = pw.BigIntegerField()
        valid_from = pw.DateField()
        valid_to = pw.DateField()
        technical_key = pw.CharField(default='', max_length=100)
        synced_at = pw.DateTimeField()

        class Meta:
            table_name = "numbering_resolution"
            indexes = [(('company', 'purpose', 'resolution_number', 'prefix'), True)]

    @migrator.create_model
    class VoucherType(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], on_delete='CASCADE')
        document_kind = pw.CharField(max_length=20)
        resolution = pw.ForeignKeyField(column_name='resolution_id', field='id', model=migrator.orm['numbering_resolution'], on_delete='RESTRICT')
        prefix = pw.CharField(max_length=10)
        range_from = pw.BigIntegerField()
        range_to = pw.BigIntegerField()
        next_number = pw.BigIntegerField()
        created_by = pw.CharField(max_length=200)
        source_key = pw.CharField(max_length=300, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "voucher_type"

    @migrator.create_model
    class TestSetDocument(pw.Model):
        id = pw.AutoField()
        workflow_id = pw.CharField(max_length=200)
        document_number = pw.CharField(max_length=40)
        document_kind = pw.CharField(max_length=20)
        position = pw.IntegerField()
        track_id = pw.CharField(max_length=200)
        signed_xml = pw.BlobField()
        batch = pw.IntegerField()
        round = pw.IntegerField(default=1)
        zip_key = pw.CharField(default='', max_length=200)
        status = pw.CharField(default='built', max_length=20)
        status_code = pw.CharField(default='', max_length=10)
        errors = pw.TextField(default='')
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "test_set_document"
            indexes = [(('workflow_id', 'document_number'), True), (('workflow_id', 'batch'), False)]

    @migrator.create_model
    class TestSetBatch(pw.Model):
        id = pw.AutoField()
        workflow_id = pw.CharField(max_length=200)
        round = pw.IntegerField()
        batch = pw.IntegerField()
        file_name = pw.CharField(max_length=200)
        state = pw.CharField(default='sending', max_length=20)
        zip_key = pw.CharField(default='', max_length=200)
        sent_at = pw.DateTimeField()

        class Meta:
            table_name = "test_set_batch"
            indexes = [(('workflow_id', 'round', 'batch'), True)]

    @migrator.create_model
    class Notification(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], null=True, on_delete='CASCADE')
        kind = pw.CharField(max_length=40)
        title = pw.CharField(max_length=200)
        body = pw.TextField(default='')
        source_key = pw.CharField(max_length=300, unique=True)
        created_at = pw.DateTimeField(index=True)
        read_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "notification"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the enablement tables, dependents first."""
    for table in ("notification", "test_set_batch", "test_set_document", "voucher_type",
                  "numbering_resolution", "certificate_loan", "signing_certificate", "representative"):
        migrator.remove_model(table)
