"""Who may see and do what in the console, enforced on the server.

Every view reads with any role and writes only with its ``write_roles``
(``admin`` holds every role). An anonymous visitor is sent to the login page;
a signed-in user without the role gets 403, and the refusal is audited.
"""
from __future__ import annotations

import hmac

from flask import abort, has_request_context, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from habilita.inputs.identifiers import ascii_digits
from habilita.models import ROLES, User

from .audit import audit

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Flask-Admin model-view endpoints that change data even when reached by GET.
WRITE_ENDPOINTS = frozenset({"create_view", "edit_view", "delete_view", "action_view", "ajax_update"})


class StaffUser(UserMixin):
    """The session's view of a ``User``: Flask-Login's protocol around the row."""

    def __init__(self, record: User):
        self.record = record

    def get_id(self) -> str:
        # The user's session token is part of the session id: a new token (at
        # logout, with a new password) ends every session that carries the old one.
        return f"{self.record.id}:{self.record.session_token}"

    @property
    def is_active(self) -> bool:
        return bool(self.record.active)

    @property
    def email(self) -> str:
        return self.record.email

    @property
    def display_name(self) -> str:
        return self.record.name or self.record.email

    def has_role(self, *roles: str) -> bool:
        return self.record.has_role(*roles)


@login_manager.user_loader
def load_user(session_id: str) -> StaffUser | None:
    user_id, _, token = (session_id or "").partition(":")
    if not ascii_digits(user_id) or not token:
        return None
    record = User.get_or_none(User.id == int(user_id))
    if record is None or not record.active or not hmac.compare_digest(record.session_token.encode(), token.encode()):
        return None
    return StaffUser(record)


def actor() -> str:
    """The e-mail of the person acting, for update dataclasses and audit rows."""
    return current_user.email if current_user.is_authenticated else "anonymous"


def can_write(roles: tuple[str, ...]) -> bool:
    return current_user.is_authenticated and current_user.has_role(*roles)


def login_redirect():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def password_change_redirect():
    return redirect(url_for("auth.profile", next=request.full_path.rstrip("?")))


def refuse(action: str, target_type: str, target_id: str = "", reason: str = "role does not allow it"):
    """Audit a refused action and answer 403."""
    audit(action, target_type, target_id, outcome="refused", reason=reason)
    abort(403)


class RoleGuarded:
    """Mixin for Flask-Admin views: read with any role, write with ``write_roles``."""

    read_roles: tuple[str, ...] = ROLES
    write_roles: tuple[str, ...] = ("onboarding",)
    audit_target = "view"

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.has_role(*self.read_roles)

    def may_write(self) -> bool:
        return can_write(self.write_roles) if has_request_context() else True

    # Buttons follow the role, so nobody is offered what would be refused.
    # A view that never allows an operation sets the flag to False itself.
    @property
    def can_create(self) -> bool:
        return self.may_write()

    @property
    def can_edit(self) -> bool:
        return self.may_write()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return login_redirect()
        return refuse(f"open {self.endpoint}", self.audit_target, reason="role does not allow reading it")

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return login_redirect()
        if current_user.record.must_change_password:
            return password_change_redirect()
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        writing = request.method not in SAFE_METHODS or name in WRITE_ENDPOINTS
        if writing and not self.may_write():
            return refuse(f"{name} on {self.endpoint}", self.audit_target,
                          request.args.get("id", ""), reason="role is read-only here")
        return None
