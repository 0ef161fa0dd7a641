"""Append-only, hash-chained record of who did what, when and why."""
from __future__ import annotations

import hashlib
import json

import peewee

from .base import BaseModel, database_proxy, utcnow, write_transaction

GENESIS = "0" * 64
AUDIT_CHAIN_LOCK = 0x68616269  # an arbitrary, fixed advisory-lock key for the chain


def payload_digest(payload) -> str:
    """SHA-256 of ``payload`` in canonical JSON: the audit row proves what
    was sent without storing personal data in clear."""
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(blob).hexdigest()


class AuditEvent(BaseModel):
    at = peewee.DateTimeField(default=utcnow, index=True)
    actor = peewee.CharField(max_length=200)
    action = peewee.CharField(max_length=80)
    target_type = peewee.CharField(max_length=40)
    target_id = peewee.CharField(max_length=200, index=True)
    reason = peewee.TextField(default="")
    outcome = peewee.CharField(max_length=20, default="ok")
    detail = peewee.TextField(default="")
    payload_digest = peewee.CharField(max_length=64, default="")
    # Who wrote the row, once: a retried activity passes the same key.
    source_key = peewee.CharField(max_length=300, null=True, unique=True)
    prev_hash = peewee.CharField(max_length=64)
    hash = peewee.CharField(max_length=64, unique=True)

    def compute_hash(self) -> str:
        fields = [
            self.prev_hash, self.at.isoformat(), self.actor, self.action, self.target_type,
            self.target_id, self.reason, self.outcome, self.detail, self.payload_digest,
        ]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()

    @classmethod
    def record(cls, *, actor: str, action: str, target_type: str, target_id: str,
               reason: str = "", outcome: str = "ok", detail: str = "", payload=None,
               source_key: str | None = None) -> "AuditEvent":
        """Append one event, chained to the previous one.

        With ``source_key``, a second call with the same key returns the
        first row instead of writing another.
        """
        with write_transaction():
            if isinstance(database_proxy.obj, peewee.PostgresqlDatabase):
                # Appends must be serial or two rows would chain to the same
                # predecessor; SQLite's BEGIN IMMEDIATE already serializes.
                database_proxy.execute_sql("SELECT pg_advisory_xact_lock(%s)", (AUDIT_CHAIN_LOCK,))
            if source_key is not None:
                existing = cls.get_or_none(cls.source_key == source_key)
                if existing is not None:
                    return existing
            last = cls.select(cls.hash).order_by(cls.id.desc()).first()
            event = cls(
                at=utcnow(), actor=actor, action=action, target_type=target_type,
                target_id=str(target_id), reason=reason or "", outcome=outcome, detail=detail or "",
                payload_digest=payload_digest(payload) if payload is not None else "",
                prev_hash=last.hash if last else GENESIS, source_key=source_key,
            )
            event.hash = event.compute_hash()
            event.save(force_insert=True)
        return event

    @classmethod
    def verify_chain(cls) -> list[str]:
        """Every break in the chain, in words; empty when the log is intact."""
        problems, prev = [], GENESIS
        for event in cls.select().order_by(cls.id).iterator():
            if event.prev_hash != prev:
                problems.append(f"event {event.id}: follows a missing or changed event (chain broken before it)")
            if event.compute_hash() != event.hash:
                problems.append(f"event {event.id}: its content was changed after it was written")
            prev = event.hash
        return problems
