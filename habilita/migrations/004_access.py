"""Peewee migrations -- 004_access.py.

Console access: password-reset tokens (hashed, single use, expiring), failed
logins for throttling, and the development mail outbox.
"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the access tables."""

    @migrator.create_model
    class PasswordResetToken(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "password_reset_token"

    @migrator.create_model
    class LoginFailure(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField(index=True)
        login = pw.CharField(index=True, max_length=200)
        address = pw.CharField(index=True, max_length=64)

        class Meta:
            table_name = "login_failure"

    @migrator.create_model
    class OutboxMessage(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField(index=True)
        recipient = pw.CharField(max_length=200)
        subject = pw.CharField(max_length=300)
        body = pw.TextField()

        class Meta:
            table_name = "outbox_message"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the access tables."""

    migrator.remove_model('outbox_message')

    migrator.remove_model('login_failure')

    migrator.remove_model('password_reset_token')
