"""Peewee migrations -- 009_invitations.py.

Company invitations: a link, stored as its SHA-256 digest, that lets a
company do its own steps of one process without an account.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class CompanyInvitation(pw.Model):
        id = pw.AutoField()
        workflow_id = pw.CharField(max_length=200, index=True)
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'],
                                     on_delete='CASCADE')
        email = pw.CharField(max_length=200)
        token_hash = pw.CharField(max_length=64, unique=True)
        created_by = pw.CharField(max_length=200)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        revoked_at = pw.DateTimeField(null=True)
        revoked_by = pw.CharField(max_length=200, default="")
        last_used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "company_invitation"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('company_invitation')
