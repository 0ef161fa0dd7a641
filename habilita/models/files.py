"""Uploaded and generated files, content-addressed by SHA-256.

Files live in the database so every worker and admin process sees them;
nothing assumes a local file system.
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
    def put(cls, content: bytes, *, media_type: str, original_name: str = "") -> "StoredFile":
        """Store ``content`` once; the same bytes return the same row."""
        digest = hashlib.sha256(content).hexdigest()
        row, _ = cls.get_or_create(
            sha256=digest,
            defaults={"size": len(content), "media_type": media_type,
                      "original_name": original_name, "content": content},
        )
        return row
