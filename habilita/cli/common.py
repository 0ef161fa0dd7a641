"""What every `habilita` command needs first: the settings and the database."""
from __future__ import annotations

from habilita.settings import Settings


def load_settings() -> Settings:
    return Settings.from_env()


def open_db(settings: Settings):
    from habilita.models.database import open_database

    return open_database(settings.database_url)
