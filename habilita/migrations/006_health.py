"""Peewee migrations -- 006_health.py.

A process's health in its projection: the activity being retried, its
attempt, its last error and since when, so the support queue sees a retrying
process whoever it waits on (and at 10,000 processes, from one indexed query).
"""

import peewee as pw
from peewee_migrate import Migrator

INDEX = "process_record_retry_attempt"


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.add_fields(
        'process_record',
        retrying_activity=pw.CharField(max_length=100, default=""),
        retry_attempt=pw.IntegerField(default=0),
        retry_error=pw.TextField(default=""),
        retrying_since=pw.DateTimeField(null=True),
    )
    # As SQL: on SQLite each added NOT NULL column rebuilds the table from the migrator's model
    # state, which would already hold an index declared with add_index, and create it twice.
    migrator.sql(f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "process_record" ("retry_attempt")')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.sql(f'DROP INDEX IF EXISTS "{INDEX}"')
    migrator.remove_fields('process_record', 'retrying_activity', 'retry_attempt', 'retry_error', 'retrying_since')
