"""Invitations: a link that lets a company do its own steps of one process, without an account.

The link carries a long random token; only its SHA-256 digest is stored, so a
leaked table opens nothing. An invitation is scoped to one process (the
top-level workflow id), expires (``DEFAULT_LIFETIME``), can be revoked, and
is refused once the process has ended (the console checks that against the
projection on every use).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import peewee

from .base import BaseModel, utcnow
from .company import Company

DEFAULT_LIFETIME = dt.timedelta(days=7)
TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


class CompanyInvitation(BaseModel):
    workflow_id = peewee.CharField(max_length=200, index=True)
    company = peewee.ForeignKeyField(Company, backref="invitations", on_delete="CASCADE")
    email = peewee.CharField(max_length=200)
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_by = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()
    revoked_at = peewee.DateTimeField(null=True)
    revoked_by = peewee.CharField(max_length=200, default="")
    last_used_at = peewee.DateTimeField(null=True)

    @classmethod
    def issue(cls, *, workflow_id: str, company: Company, email: str, by: str,
              lifetime: dt.timedelta = DEFAULT_LIFETIME) -> tuple["CompanyInvitation", str]:
        """A new invitation and its token (the token exists only in the returned value and the e-mail)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = utcnow()
        invitation = cls.create(workflow_id=workflow_id, company=company, email=email.strip().lower(),
                                token_hash=token_digest(token), created_by=by, created_at=now,
                                expires_at=now + lifetime)
        return invitation, token

    @classmethod
    def by_token(cls, token: str) -> "CompanyInvitation | None":
        """The invitation a token opens, whatever its state (compared by digest, in constant time)."""
        if not token or len(token) > 200:
            return None
        digest = token_digest(token)
        found = cls.get_or_none(cls.token_hash == digest)
        return found if found is not None and hmac.compare_digest(found.token_hash, digest) else None

    def state(self, now: dt.datetime | None = None) -> str:
        """``active``, ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if (now or utcnow()) >= self.expires_at:
            return "expired"
        return "active"

    def revoke(self, by: str) -> None:
        self.revoked_at, self.revoked_by = utcnow(), by
        self.save()

    @classmethod
    def active_for(cls, workflow_id: str) -> list["CompanyInvitation"]:
        now = utcnow()
        return list(cls.select().where((cls.workflow_id == workflow_id) & cls.revoked_at.is_null()
                                       & (cls.expires_at > now)).order_by(cls.created_at.desc()))
