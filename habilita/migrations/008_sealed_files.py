"""Peewee migrations -- 008_sealed_files.py.

Stored files (the exoneration letters, blank and signed: a representative's data and signature) are
sealed at rest with the application key (``HABILITA_ENCRYPTION_KEY``, AES-256-GCM), bound to their own
SHA-256, as ``StoredFile.put`` writes them from now on. The files stored before are sealed in place;
no column changes. The key is read from the settings only when there is a file to seal, so an empty
database (a new install, the tests) migrates without one. A file whose bytes no longer match its digest
is already sealed and is left as it is, so running this twice seals nothing twice.
"""

import hashlib

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.run(_reseal, database, seal=True)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.run(_reseal, database, seal=False)


def _context(sha256: str) -> bytes:
    # The same binding as habilita.models.files.sealing_context, written out: a migration keeps its own.
    return b"stored-file:" + sha256.encode()


def _application_box():
    from habilita.adapters.secrets_box import SecretBox
    from habilita.settings import Settings

    return SecretBox(Settings.from_env().encryption_key)


def _reseal(database: pw.Database, *, seal: bool) -> None:
    """Seal each plain file (``seal``), or open each sealed one (a rollback), one row at a time."""
    files = pw.Table("stored_file", ("id", "sha256", "content")).bind(database)
    file_ids = [row["id"] for row in files.select(files.id).order_by(files.id)]
    if not file_ids:
        return
    box = _application_box()
    for file_id in file_ids:
        row = files.select(files.sha256, files.content).where(files.id == file_id).get()
        digest, content = row["sha256"], bytes(row["content"])
        is_plain = hashlib.sha256(content).hexdigest() == digest
        if seal and is_plain:
            changed = box.encrypt(content, context=_context(digest))
        elif not seal and not is_plain:
            changed = box.decrypt(content, context=_context(digest))
        else:
            continue
        files.update(content=changed).where(files.id == file_id).execute()
