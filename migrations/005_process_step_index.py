"""Peewee migrations -- 005_process_step_index.py.

The home page counts active processes by step, and by process type where
several types share a step: the (current_step, status) index gains
process_type so both counts are read from the index alone.
"""

import peewee as pw
from peewee_migrate import Migrator


# 001 created the index under peewee's model-based name, not the one peewee-migrate derives from the table.
OLD_INDEX = "processrecord_current_step_status"


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.sql(f'DROP INDEX IF EXISTS "{OLD_INDEX}"')
    migrator.add_index('process_record', 'current_step', 'status', 'process_type')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.drop_index('process_record', 'current_step', 'status', 'process_type')
    migrator.sql(f'CREATE INDEX IF NOT EXISTS "{OLD_INDEX}" ON "process_record" ("current_step", "status")')
