"""Peewee migrations -- 005_home_page_indexes.py.

The home page's indicators read the process projection through indexes
alone: the count of active processes by step (and by type where several
types share a step) on (current_step, status, process_type), and the
enablements completed lately (per week, median days to enable) on
(current_step, status, step_entered_at, started_at).
"""

import peewee as pw
from peewee_migrate import Migrator

# 001 created the index under peewee's model-based name, not the one peewee-migrate derives from the table.
OLD_INDEX = "processrecord_current_step_status"


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.sql(f'DROP INDEX IF EXISTS "{OLD_INDEX}"')
    migrator.add_index('process_record', 'current_step', 'status', 'process_type')
    migrator.add_index('process_record', 'current_step', 'status', 'step_entered_at', 'started_at')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.drop_index('process_record', 'current_step', 'status', 'step_entered_at', 'started_at')
    migrator.drop_index('process_record', 'current_step', 'status', 'process_type')
    migrator.sql(f'CREATE INDEX IF NOT EXISTS "{OLD_INDEX}" ON "process_record" ("current_step", "status")')
