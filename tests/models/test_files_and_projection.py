"""Stored files are content-addressed; the schema the migrations build matches the models."""
from habilita.db import migration_router, upgrade
from models import ALL_MODELS, StoredFile


def test_the_same_bytes_are_stored_once(db):
    first = StoredFile.put(b"%PDF-1.4 letter", media_type="application/pdf", original_name="carta.pdf")
    again = StoredFile.put(b"%PDF-1.4 letter", media_type="application/pdf", original_name="otra.pdf")
    assert first.id == again.id and StoredFile.select().count() == 1
    assert len(first.sha256) == 64 and first.size == len(b"%PDF-1.4 letter")


def test_migrations_create_every_column_of_every_model(db):
    assert upgrade(db) == []
    for model in ALL_MODELS:
        table = model._meta.table_name
        columns = {c.name for c in db.get_columns(table)}
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert expected <= columns, f"{table} lacks {expected - columns}: write a migration"
    assert list(migration_router(db).diff) == []
