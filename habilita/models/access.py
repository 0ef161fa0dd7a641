"""Console access state: password-reset tokens, failed-login limits, outbox.

Reset tokens are stored as SHA-256 digests, so a leaked table grants nothing;
each is single use and expires. Failed logins are kept per user name and per
client address: an account (a user name, whether or not it exists, so the
answer tells nobody who has an account) waits longer after each failure in a
row past the first few, and an address that fails too often is refused for a
while, without making any account wait.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import peewee

from .base import BaseModel, database_proxy, utcnow
from .user import User

RESET_TOKEN_LIFETIME = dt.timedelta(hours=1)
# An account absorbs this many failures in a row; after the next one it waits ACCOUNT_FIRST_LOCK,
# twice as long after each further failure, never more than ACCOUNT_LONGEST_LOCK.
ACCOUNT_FREE_FAILURES = 4
ACCOUNT_FIRST_LOCK = dt.timedelta(minutes=1)
ACCOUNT_LONGEST_LOCK = dt.timedelta(hours=1)
# Failures older than this are forgotten (and deleted), so an account starts over after a quiet day.
FAILURE_MEMORY = dt.timedelta(days=1)
# An address is refused once it has failed this often within the window (an office behind one NAT
# shares an address, so the bar is higher than an account's).
ADDRESS_WINDOW = dt.timedelta(minutes=15)
ADDRESS_MAX_FAILURES = 20


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
        digest = token_digest(token)
        row = cls.get_or_none(cls.token_hash == digest)
        # Found by digest, whose timing tells nothing of the token; the digests are then compared in
        # constant time, so no comparison involving the secret stops at the first differing byte.
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        if row.used_at is not None or row.expires_at <= (now or utcnow()):
            return None
        return row

    def spend(self) -> bool:
        """Mark the token used; False when another request spent it first."""
        spent = (PasswordResetToken.update(used_at=utcnow())
                 .where((PasswordResetToken.id == self.id) & PasswordResetToken.used_at.is_null())
                 .execute())
        return spent == 1


def account_lock(failures: int) -> dt.timedelta:
    """How long an account waits after its ``failures``-th failure in a row: not at all for the first
    ``ACCOUNT_FREE_FAILURES``, then a minute, doubling with each failure, at most an hour."""
    beyond = failures - ACCOUNT_FREE_FAILURES
    if beyond <= 0:
        return dt.timedelta(0)
    return min(ACCOUNT_FIRST_LOCK * 2 ** min(beyond - 1, 16), ACCOUNT_LONGEST_LOCK)


class LoginFailure(BaseModel):
    """One failed login attempt: its user name and the client address it came from."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    login = peewee.CharField(max_length=200, index=True)
    address = peewee.CharField(max_length=64, index=True)

    @classmethod
    def note(cls, login: str, address: str) -> None:
        now = utcnow()
        cls.create(at=now, login=normal_login(login)[:200], address=(address or "")[:64])
        cls.delete().where(cls.at < now - FAILURE_MEMORY).execute()

    @classmethod
    def account_wait(cls, login: str, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How long the account ``login`` must wait before its next attempt, or None."""
        now = now or utcnow()
        failures = cls.select().where((cls.login == normal_login(login)) & (cls.at > now - FAILURE_MEMORY))
        count = failures.count()
        if count <= ACCOUNT_FREE_FAILURES:
            return None
        last = failures.order_by(cls.at.desc()).first().at
        return _remaining(last + account_lock(count), now)

    @classmethod
    def address_wait(cls, address: str, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How long ``address`` must wait before its next attempt, or None.

        Refused once it has failed ``ADDRESS_MAX_FAILURES`` times within the
        window, until the oldest of those failures leaves the window.
        """
        now = now or utcnow()
        recent = (cls.select(cls.at).where((cls.address == (address or "")) & (cls.at > now - ADDRESS_WINDOW))
                  .order_by(cls.at.desc()).limit(ADDRESS_MAX_FAILURES))
        times = [row.at for row in recent]
        if len(times) < ADDRESS_MAX_FAILURES:
            return None
        return _remaining(times[-1] + ADDRESS_WINDOW, now)

    @classmethod
    def clear(cls, login: str) -> None:
        """Forget the failures of ``login`` (it signed in, or its password was reset)."""
        cls.delete().where(cls.login == normal_login(login)).execute()


def normal_login(login: str) -> str:
    return (login or "").strip().lower()


def _remaining(until: dt.datetime, now: dt.datetime) -> dt.timedelta | None:
    return until - now if until > now else None


class OutboxMessage(BaseModel):
    """A mail the development stack "sent": shown on the outbox page instead of leaving the machine."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    recipient = peewee.CharField(max_length=200)
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField()
