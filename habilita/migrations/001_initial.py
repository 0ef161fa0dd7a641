"""Peewee migrations -- 001_initial.py.

Some examples (model - class or model name)::

    > Model = migrator.orm['table_name']            # Return model in current state by name
    > Model = migrator.ModelClass                   # Return model in current state by name

    > migrator.sql(sql)                             # Run custom SQL
    > migrator.run(func, *args, **kwargs)           # Run python function with the given args
    > migrator.create_model(Model)                  # Create a model (could be used as decorator)
    > migrator.remove_model(model, cascade=True)    # Remove a model
    > migrator.add_fields(model, **fields)          # Add fields (allow_not_null=True skips default)
    > migrator.change_fields(model, **fields)       # Change fields
    > migrator.remove_fields(model, *field_names, cascade=True)
    > migrator.rename_field(model, old_field_name, new_field_name)
    > migrator.rename_table(model, new_table_name)
    > migrator.add_index(model, *col_names, unique=False)
    > migrator.add_not_null(model, *field_names)
    > migrator.add_default(model, field_name, default)
    > migrator.add_constraint(model, name, sql)
    > migrator.drop_index(model, *col_names)
    > migrator.drop_not_null(model, *field_names)
    > migrator.drop_constraints(model, *constraints)

"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your migrations here."""
    
    @migrator.create_model
    class AuditEvent(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField(index=True)
        actor = pw.CharField(max_length=200)
        action = pw.CharField(max_length=80)
        target_type = pw.CharField(max_length=40)
        target_id = pw.CharField(index=True, max_length=200)
        reason = pw.TextField(default='')
        outcome = pw.CharField(default='ok', max_length=20)
        detail = pw.TextField(default='')
        payload_digest = pw.CharField(default='', max_length=64)
        source_key = pw.CharField(max_length=300, null=True, unique=True)
        prev_hash = pw.CharField(max_length=64)
        hash = pw.CharField(max_length=64, unique=True)

        class Meta:
            table_name = "audit_event"

    @migrator.create_model
    class Company(pw.Model):
        id = pw.AutoField()
        country = pw.CharField(default='CO', max_length=2)
        tax_id = pw.CharField(max_length=20)
        check_digit = pw.CharField(max_length=1)
        legal_name = pw.CharField(max_length=200)
        email = pw.CharField(default='', max_length=200)
        phone = pw.CharField(default='', max_length=40)
        city = pw.CharField(default='', max_length=100)
        tax_id_locked_at = pw.DateTimeField(null=True)
        tax_id_locked_reason = pw.CharField(default='', max_length=300)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "company"
            indexes = [(('country', 'tax_id'), True)]

    @migrator.create_model
    class ProcessRecord(pw.Model):
        workflow_id = pw.CharField(max_length=200, primary_key=True)
        run_id = pw.CharField(default='', max_length=100)
        process_type = pw.CharField(max_length=60)
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'], null=True, on_delete='SET NULL')
        current_step = pw.CharField(default='', max_length=60)
        status = pw.CharField(default='running', max_length=20)
        waiting_on = pw.CharField(default='', max_length=20)
        step_entered_at = pw.DateTimeField()
        last_error = pw.TextField(default='')
        version = pw.CharField(default='', max_length=40)
        started_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()
        completed_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "process_record"
            indexes = [(('process_type', 'status', 'updated_at'), False), (('current_step', 'status'), False), (('status', 'step_entered_at'), False), (('waiting_on', 'step_entered_at'), False), (('updated_at',), False)]

    @migrator.create_model
    class StoredFile(pw.Model):
        id = pw.AutoField()
        sha256 = pw.CharField(max_length=64, unique=True)
        size = pw.IntegerField()
        media_type = pw.CharField(max_length=100)
        original_name = pw.CharField(default='', max_length=255)
        content = pw.BlobField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "stored_file"

    @migrator.create_model
    class User(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(max_length=200, unique=True)
        name = pw.CharField(default='', max_length=200)
        password_hash = pw.CharField(max_length=300)
        roles = pw.CharField(default='onboarding', max_length=100)
        active = pw.BooleanField(default=True)
        must_change_password = pw.BooleanField(default=True)
        failed_logins = pw.IntegerField(default=0)
        locked_until = pw.DateTimeField(null=True)
        last_login_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "user"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your rollback migrations here."""
    
    migrator.remove_model('user')

    migrator.remove_model('stored_file')

    migrator.remove_model('process_record')

    migrator.remove_model('company')

    migrator.remove_model('audit_event')
