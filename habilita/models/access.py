"""Console access state: password-reset tokens, failed-login throttling, outbox.

Reset tokens are stored as SHA-256 digests, so a leaked table grants nothing;
each is single use and expires. Failed logins are counted per user name and
per client address, so guessing is throttled even for names that do not exist.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import peewee

from .base import BaseModel, database_proxy, utcnow
from .user import User

RESET_TOKEN_LIFETIME = dt.timedelta(hours=1)
THROTTLE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5


def token_digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


class PasswordResetToken(BaseModel):
    user = peewee.ForeignKeyField(User, backref="reset_tokens", on_delete="CASCADE")
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()
    used_at = peewee.DateTimeField(null=True)

    @classmethod
    def issue(cls, user: User, *, lifetime: dt.timedelta = RESET_TOKEN_LIFETIME) -> str:
        """Create a token for ``user`` and return it in clear (only the digest is kept).

        Earlier unused tokens of the user are spent, so only the newest link works.
        """
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with database_proxy.atomic():
            cls.update(used_at=now).where((cls.user == user) & cls.used_at.is_null()).execute()
            cls.create(user=user, token_hash=token_digest(token), created_at=now, expires_at=now + lifetime)
        return token

    @classmethod
    def usable(cls, token: str, now: dt.datetime | None = None) -> "PasswordResetToken | None":
        """The unexpired, unused token row for ``token``, or None."""
        row = cls.get_or_none(cls.token_hash == token_digest(token))
        if row is None or row.used_at is not None or row.expires_at <= (now or utcnow()):
            return None
        return row

    def spend(self) -> bool:
        """Mark the token used; False when another request spent it first."""
        spent = (PasswordResetToken.update(used_at=utcnow())
                 .where((PasswordResetToken.id == self.id) & PasswordResetToken.used_at.is_null())
                 .execute())
        return spent == 1


class LoginFailure(BaseModel):
    """One failed login attempt, kept for the throttling window."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    login = peewee.CharField(max_length=200, index=True)
    address = peewee.CharField(max_length=64, index=True)

    @classmethod
    def note(cls, login: str, address: str) -> None:
        cls.create(login=(login or "").strip().lower()[:200], address=(address or "")[:64])

    @classmethod
    def retry_after(cls, login: str, address: str, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How long the next attempt must wait, or None when it may go ahead.

        Blocked once either the user name or the address has failed
        ``THROTTLE_MAX_FAILURES`` times within the window; the wait ends when
        the oldest of those failures leaves the window.
        """
        now = now or utcnow()
        since = now - THROTTLE_WINDOW
        for condition in (cls.login == (login or "").strip().lower(), cls.address == (address or "")):
            recent = (cls.select(cls.at).where(condition & (cls.at > since))
                      .order_by(cls.at.desc()).limit(THROTTLE_MAX_FAILURES))
            times = [row.at for row in recent]
            if len(times) >= THROTTLE_MAX_FAILURES:
                return max(times[-1] + THROTTLE_WINDOW - now, dt.timedelta(seconds=1))
        return None

    @classmethod
    def clear(cls, login: str) -> None:
        cls.delete().where(cls.login == (login or "").strip().lower()).execute()


class OutboxMessage(BaseModel):
    """A mail the development stack "sent": shown on the outbox page instead of leaving the machine."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    recipient = peewee.CharField(max_length=200)
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField()
