"""Uploaded and generated files, content-addressed by SHA-256 and sealed at rest.

Files live in the database so every worker and admin process sees them;
nothing assumes a local file system. They are exoneration letters, blank and
signed, full of personal data: ``content`` holds them encrypted with the
application key (``habilita.adapters.secrets_box``, passed in as ``box``),
bound to their digest, so a blob moved to another row does not open.
"""
from __future__ import annotations

import hashlib

import peewee

from .base import BaseModel, utcnow


class StoredFile(BaseModel):
    sha256 = peewee.CharField(max_length=64, unique=True)
    size = peewee.IntegerField()
    media_type = peewee.CharField(max_length=100)
    original_name = peewee.CharField(max_length=255, default="")
    content = peewee.BlobField()
    created_at = peewee.DateTimeField(default=utcnow)

    @classmethod
    def put(cls, content: bytes, *, box, media_type: str, original_name: str = "") -> "StoredFile":
        """Store ``content`` once, sealed with ``box``; the same bytes return the same row."""
        digest = hashlib.sha256(content).hexdigest()
        row, _ = cls.get_or_create(
            sha256=digest,
            defaults={"size": len(content), "media_type": media_type, "original_name": original_name,
                      "content": box.encrypt(content, context=sealing_context(digest))},
        )
        return row

    def read(self, box) -> bytes:
        """The file's bytes, opened with ``box`` (a ``DecryptionError`` if they were altered)."""
        return box.decrypt(bytes(self.content), context=sealing_context(self.sha256))


def sealing_context(sha256: str) -> bytes:
    """What a stored file's seal is bound to: its own digest (migration 008 sealed the older files alike)."""
    return b"stored-file:" + sha256.encode()
