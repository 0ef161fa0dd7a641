"""The simulator's own state: a SQLite file of its own, never the product's.

The tables are declared once and bound per :class:`Store` (a subclass per
database), so two simulators in one process (two tests, say) never share a
binding; this is why no table has a foreign key: references are plain ids.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import peewee as pw

from habilita.private_files import keep_private

PRAGMAS = {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 10_000}


def utcnow() -> dt.datetime:
    """Naive UTC now, what every timestamp column stores."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class _Table(pw.Model):
    class Meta:
        legacy_table_names = False


class Software(_Table):
    software_id = pw.CharField(unique=True)
    owner_nit = pw.CharField(index=True)
    pin = pw.CharField()
    created_at = pw.DateTimeField(default=utcnow)


class Company(_Table):
    nit = pw.CharField(unique=True)
    legal_name = pw.CharField()
    mode = pw.CharField()  # "own" | "provider"
    provider_nit = pw.CharField(null=True)
    software_id = pw.CharField()
    invoicer_enabled = pw.BooleanField(default=False)
    support_document_enabled = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)

    def may_send(self, sender_nit: str) -> bool:
        """Whether a certificate of ``sender_nit`` may act for this company."""
        return sender_nit == self.nit or (self.mode == "provider" and sender_nit == self.provider_nit)


class TestSet(_Table):
    __test__ = False  # pytest: a table, not a test class

    test_set_id = pw.CharField(unique=True)
    nit = pw.CharField(index=True)
    software_id = pw.CharField()
    kind = pw.CharField()  # "invoice" | "support_document"
    required = pw.TextField()  # JSON {document kind: accepted count required}
    total_documents = pw.IntegerField()
    status = pw.IntegerField(default=0)  # 0 in process, 1 accepted, 2 rejected
    decided_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    def required_counts(self) -> dict[str, int]:
        """Accepted documents required, by document kind."""
        return json.loads(self.required)


class NumberingRange(_Table):
    nit = pw.CharField(index=True)
    kind = pw.CharField()  # "invoice" | "support_document"
    resolution_number = pw.CharField()
    resolution_date = pw.DateField()
    prefix = pw.CharField()
    from_number = pw.BigIntegerField()
    to_number = pw.BigIntegerField()
    valid_from = pw.DateField()
    valid_to = pw.DateField()
    technical_key = pw.CharField()
    is_test = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)


class PrefixAssociation(_Table):
    nit = pw.CharField()
    software_id = pw.CharField()
    prefix = pw.CharField()

    class Meta:
        indexes = ((("nit", "software_id", "prefix"), True),)


class Batch(_Table):
    zip_key = pw.CharField(unique=True)
    operation = pw.CharField()
    file_name = pw.CharField()
    test_set_id = pw.CharField(null=True)
    sender_nit = pw.CharField(null=True)
    # A batch sent to a test set already decided gets one set-level answer.
    set_status_at_receipt = pw.IntegerField(null=True)
    received_at = pw.DateTimeField(default=utcnow)
    ready_at = pw.DateTimeField()


class Document(_Table):
    zip_key = pw.CharField(null=True, index=True)
    track_id = pw.CharField(index=True)
    file_name = pw.CharField()
    number = pw.CharField(null=True)
    kind = pw.CharField(null=True)
    issuer_nit = pw.CharField(null=True)
    test_set_id = pw.CharField(null=True, index=True)
    counted = pw.BooleanField(default=False)  # counts toward its test set
    is_valid = pw.BooleanField()
    status_code = pw.CharField()
    status_description = pw.CharField()
    status_message = pw.TextField(default="")
    errors = pw.TextField(default="[]")  # JSON list of "Regla: X, Rechazo: ..." lines
    received_at = pw.DateTimeField(default=utcnow)
    ready_at = pw.DateTimeField()

    def error_list(self) -> list[str]:
        """The rejection lines of this document."""
        return json.loads(self.errors)


class Receipt(_Table):
    track_id = pw.CharField(unique=True)
    number = pw.CharField(null=True)
    file_name = pw.CharField()
    times_seen = pw.IntegerField(default=0)
    first_seen = pw.DateTimeField(default=utcnow)
    last_seen = pw.DateTimeField(default=utcnow)


TABLES = (Software, Company, TestSet, NumberingRange, PrefixAssociation, Batch, Document, Receipt)


class Store:
    """The simulator's database and its tables bound to it (``store.Company``...)."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            keep_private(Path(path))  # it holds the software PINs; SQLite gives its -wal and -shm the same mode
        self.database = pw.SqliteDatabase(path, pragmas=PRAGMAS, check_same_thread=False)
        for table in TABLES:
            meta = type("Meta", (), {"database": self.database, "table_name": table._meta.table_name})
            setattr(self, table.__name__, type(table.__name__, (table,), {"Meta": meta, "__module__": __name__}))
        with self.database.connection_context():
            self.database.create_tables([getattr(self, t.__name__) for t in TABLES], safe=True)

    def atomic(self):
        """A transaction on the simulator's database."""
        return self.database.atomic()

    def close(self) -> None:
        """Close the connection of the calling thread."""
        if not self.database.is_closed():
            self.database.close()
