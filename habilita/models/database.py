"""Opening the database and bringing its schema up to date."""
from __future__ import annotations

import logging
from pathlib import Path

import peewee
from peewee_migrate import Router

from habilita import migrations
from habilita import models
from habilita.private_files import keep_private
MIGRATIONS_DIR = Path(migrations.__file__).parent


def open_database(url: str) -> peewee.Database:
    """Bind every model to the database at ``url`` (a SQLite file is its owner's alone: it holds session
    tokens, password hashes and sealed secrets)."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        keep_private(Path(url.removeprefix("sqlite:///")))
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
