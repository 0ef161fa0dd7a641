"""Signing in, with per-account and per-address limits; and the password-reset link, single use and expiring."""
from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from habilita.models import FieldError, LoginFailure, PasswordResetToken, User, utcnow
from habilita.models.access import RESET_TOKEN_LIFETIME

from .audit import why


ADDRESS_THROTTLED = why("audit.address_throttled")


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    error: str = ""
    audit_reason: str = ""


def attempt_login(email: str, password: str, address: str) -> LoginOutcome:
    """Check the credentials, refusing early while the address or the account must wait.

    An address that failed too often is refused whichever account it names,
    and its refused attempts are not counted against any account. The answer
    for a wrong password, and the waits, are the same whether or not the user
    exists, and so is the time taken, so the form does not reveal who has an account.
    """
    login = (email or "").strip().lower()
    wait = LoginFailure.address_wait(address)
    if wait is not None:
        return LoginOutcome(None, _("Too many failed attempts from your network address. "
                                    "Try again in %(minutes)d minutes.", minutes=_minutes(wait)), ADDRESS_THROTTLED)
    wait = LoginFailure.account_wait(login)
    if wait is not None:
        return LoginOutcome(None, _("Too many failed attempts. Try again in %(minutes)d minutes or reset your password.",
                                    minutes=_minutes(wait)), why("audit.account_waiting"))
    user = User.by_email(login)
    if user is not None and user.is_locked():
        return LoginOutcome(None, _("This user is locked. Ask an administrator."), why("audit.user_locked"))
    if not _password_matches(user, password):
        LoginFailure.note(login, address)
        return LoginOutcome(None, _("Wrong user or password."), why("audit.wrong_password"))
    if not user.active:
        return LoginOutcome(None, _("This user is disabled. Ask an administrator."), why("audit.user_disabled"))
    LoginFailure.clear(login)
    user.last_login_at = utcnow()
    if not user.session_token:  # added by code from before session tokens (migration 007): give it one
        user.end_sessions()
    user.save(only=[User.last_login_at, User.session_token])
    return LoginOutcome(user)


def _password_matches(user: User | None, password: str) -> bool:
    if user is None:
        # Hash anyway: an unknown user must take as long to refuse as a wrong password.
        check_password_hash(_stand_in_hash(), password or "")
        return False
    return user.check_password(password)


@functools.cache
def _stand_in_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def _minutes(wait: dt.timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def start_password_reset(email: str) -> tuple[User, str] | None:
    """A fresh reset token for an active user, or None (the page answers the same either way)."""
    user = User.by_email(email)
    if user is None or not user.active:
        return None
    return user, PasswordResetToken.issue(user)


def finish_password_reset(token: str, password: str) -> User:
    """Set ``password`` through a reset token, spending the token.

    Raises ``FieldError`` on a weak password (the token stays usable) and
    ``InvalidResetLink`` when the link is unknown, used or expired.
    """
    row = PasswordResetToken.usable(token)
    if row is None:
        raise InvalidResetLink()
    user = row.user
    user.set_password(password, must_change=False)  # also ends the user's sessions
    if not row.spend():
        raise InvalidResetLink()
    user.failed_logins, user.locked_until = 0, None
    user.save()
    LoginFailure.clear(user.email)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; raises ``FieldError``."""
    if not user.check_password(current):
        raise FieldError("current", "password_wrong")
    if current == new:
        raise FieldError("password", "password_unchanged")
    user.set_password(new, must_change=False)  # also ends the user's other sessions
    user.save()


class InvalidResetLink(Exception):
    """The reset link does not exist, was used already, or has expired."""


def reset_link_lifetime_minutes() -> int:
    return int(RESET_TOKEN_LIFETIME / dt.timedelta(minutes=1))
