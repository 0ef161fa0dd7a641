"""Opening the database and bringing its schema up to date."""
from __future__ import annotations

import logging
from pathlib import Path

import peewee
from peewee_migrate import Router

from habilita import migrations
from habilita import models
MIGRATIONS_DIR = Path(migrations.__file__).parent


def open_database(url: str) -> peewee.Database:
    """Bind every model to the database at ``url`` (creating a SQLite file's folder)."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return models.connect(url)


def migration_router(db: peewee.Database) -> Router:
    logger = logging.getLogger("habilita.migrations")
    return Router(db, migrate_dir=MIGRATIONS_DIR, logger=logger)


def upgrade(db: peewee.Database) -> list[str]:
    """Apply every pending migration; returns the names applied."""
    router = migration_router(db)
    pending = list(router.diff)
    if pending:
        router.run()
    return pending
