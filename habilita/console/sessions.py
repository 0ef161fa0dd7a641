"""Console sessions: begun fresh at login, ended at logout, and bounded in time.

The session lives in a signed cookie, so a copy of the cookie would open
the console for as long as its user id is accepted. Three things bound it:

- the user id in the session carries the user's session token
  (``User.session_token``); logging out or a new password gives the user a
  new token, which ends every session signed in before, copies included;
- a session ends after ``idle`` without a request;
- and ``longest`` after logging in, however active.

The two times are kept in the signed session, where the person cannot
change them, and checked before every view; a session past either limit is
ended, and the view then asks for the login as for anyone else.
"""
from __future__ import annotations

import datetime as dt
import time

from flask import Flask, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from habilita.models import User

from .access import StaffUser

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def begin_session(user: StaffUser) -> None:
    """Sign ``user`` in on a fresh session (nothing of the anonymous one carries over) and start its clocks."""
    session.clear()
    login_user(user)
    session.permanent = True  # the cookie itself expires with the longest lifetime
    session[SIGNED_IN_AT] = session[SEEN_AT] = time.time()


def end_every_session(user: User) -> None:
    """Log out here and everywhere else: the user's new session token refuses every older session."""
    user.end_sessions()
    user.save(only=[User.session_token])
    logout_user()
    session.clear()


def limit_session_lifetimes(app: Flask, *, idle: dt.timedelta, longest: dt.timedelta) -> None:
    """End, before each view, a session idle longer than ``idle`` or older than ``longest``.

    Register it after the hook that opens the database: telling whether
    someone is signed in reads their user row.
    """
    app.config["PERMANENT_SESSION_LIFETIME"] = longest

    @app.before_request
    def _end_expired_session():
        if (request.endpoint or "").endswith("static") or not current_user.is_authenticated:
            return
        now = time.time()
        signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
        if (signed_in_at is None or seen_at is None or now - seen_at > idle.total_seconds()
                or now - signed_in_at > longest.total_seconds()):
            logout_user()
            session.clear()
            flash(_("Your session expired. Log in again."), "info")
            return
        session[SEEN_AT] = now
