"""Peewee migrations -- 003_dian_software.py.

What DIAN's portal gives a company at registration (test set id, software id,
and the PIN sealed at rest), so workflows carry a row id instead of the PIN; and the
file name of each test-set document inside its zip.
"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the dian_software table."""

    @migrator.create_model
    class DianSoftware(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], on_delete='CASCADE')
        operation_mode = pw.CharField(max_length=20)
        test_set_id = pw.CharField(max_length=40)
        software_id = pw.CharField(max_length=40)
        software_owner_nit = pw.CharField(max_length=20)
        sealed_pin = pw.BlobField()
        source_key = pw.CharField(max_length=300, unique=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "dian_software"

    migrator.add_fields('test_set_document', file_name=pw.CharField(default='', max_length=200))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the dian_software table."""
    migrator.remove_fields('test_set_document', 'file_name')
    migrator.remove_model('dian_software')
