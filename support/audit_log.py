"""Support's own audit rows: one per action, appended safely beside the workers' rows."""
from __future__ import annotations

import peewee

from models import AuditEvent, database_proxy


def write_transaction():
    """A transaction that reads then writes, safe beside other writers.

    On SQLite it takes the write lock first (BEGIN IMMEDIATE): a deferred
    transaction that upgrades to writing while another connection writes
    fails at once with "database is locked" instead of waiting its turn.
    """
    database = database_proxy.obj
    if isinstance(database, peewee.SqliteDatabase) and not database.in_transaction():
        return database.atomic("IMMEDIATE")
    return database_proxy.atomic()


def record(**fields) -> AuditEvent:
    """Append an ``AuditEvent`` (see ``AuditEvent.record`` for the fields).

    ``AuditEvent.record`` reads the last hash and then appends: it runs in
    a :func:`write_transaction`.
    """
    with write_transaction():
        return AuditEvent.record(**fields)
