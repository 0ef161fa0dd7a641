"""The one database binding every model shares.

The database is known only at run time (``DATABASE_URL``), so models bind to a
``DatabaseProxy`` that the admin app factory, the worker and the tests
initialise through :func:`connect`.
"""
from __future__ import annotations

import datetime as dt

import peewee
from playhouse.db_url import connect as connect_url
from playhouse.db_url import parse as parse_url

from habilita.models.sqlite_writes import OneWriterSqliteDatabase

database_proxy = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 1,
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "cache_size": -32_000,
}


def utcnow() -> dt.datetime:
    """Naive UTC now: what every timestamp column stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


def write_transaction():
    """A transaction for a read-then-write that must not fail under concurrency.

    On SQLite a deferred transaction that upgrades from reading to writing
    while another connection writes fails at once with "database is locked"
    (the busy timeout does not apply to that upgrade); BEGIN IMMEDIATE takes
    the write lock first, so concurrent writers wait their turn instead.
    """
    db = database_proxy.obj
    return db.atomic("IMMEDIATE") if isinstance(db, peewee.SqliteDatabase) else db.atomic()


def insert_in_batches(model: type[peewee.Model], rows, *, size: int, fields=None) -> int:
    """Insert ``rows`` (dicts, or tuples in ``fields`` order) ``size`` at a time, each batch in a
    transaction of its own (a savepoint inside an outer one); returns how many. ``rows`` may be a
    generator, so a large load never sits in memory whole."""
    inserted = 0
    for batch in peewee.chunked(rows, size):
        with database_proxy.atomic():
            model.insert_many(batch, fields=fields).execute()
        inserted += len(batch)
    return inserted


def connect(url: str) -> peewee.Database:
    """Open the database at ``url`` and bind every model to it (on SQLite, the writers of this
    process take turns: :mod:`habilita.models.sqlite_writes`)."""
    if url.startswith("sqlite:"):
        db = OneWriterSqliteDatabase(**parse_url(url), pragmas=SQLITE_PRAGMAS)
    else:
        db = connect_url(url)
    database_proxy.initialize(db)
    return db
