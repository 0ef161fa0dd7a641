"""Support's own audit rows: one per action, appended safely beside the workers' rows."""
from __future__ import annotations

import peewee

from models import AuditEvent, database_proxy


def record(**fields) -> AuditEvent:
    """Append an ``AuditEvent`` (see ``AuditEvent.record`` for the fields).

    On SQLite the transaction takes the write lock first (BEGIN IMMEDIATE):
    ``record`` reads the last hash and then appends, and a deferred
    transaction that upgrades to writing while a worker's activity writes
    fails at once with "database is locked" instead of waiting its turn.
    """
    database = database_proxy.obj
    if isinstance(database, peewee.SqliteDatabase) and not database.in_transaction():
        with database.atomic("IMMEDIATE"):
            return AuditEvent.record(**fields)
    return AuditEvent.record(**fields)
