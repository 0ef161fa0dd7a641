"""Who is signing in, and the check of every request against the permissions table.

``enforce_permissions`` runs before every view: an anonymous visitor is sent
to the login page; a signed-in person whose roles lack the permission the
endpoint needs (:mod:`.permissions`) gets 403, and the refusal is audited.
"""
from __future__ import annotations

import hmac

from flask import abort, has_request_context, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from habilita.inputs.identifiers import ascii_digits
from habilita.models import User

from .audit import audit, why
from .permissions import PUBLIC, SAFE_METHODS, permission_for, role_may

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"

# Where a refusal is filed in the audit log, by the endpoint's view.
AUDIT_TARGETS = {"auditevent": "audit", "processrecord": "process", "support": "process", "history": "process",
                 "company_import": "company"}


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


def may(permission: str) -> bool:
    """Whether the signed-in person has ``permission`` (see :mod:`.permissions`)."""
    return current_user.is_authenticated and role_may(current_user.record.role_set, permission)


def may_request(endpoint: str, method: str = "POST") -> bool:
    """Whether the signed-in person may send ``method`` to ``endpoint``: what a button would do."""
    return may(permission_for(endpoint, method))


def enforce_permissions():
    """Before every request: the endpoint's permission from the table, or login, or 403."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page or method: Flask answers 404 or 405
    permission = permission_for(endpoint, request.method)
    if permission == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_redirect()
    if may(permission):
        return None
    view = endpoint.split(".", 1)[0]
    target_id = request.args.get("id", "") or str((request.view_args or {}).get("workflow_id", ""))
    # A form (GET of a page that writes) is refused as a write is.
    writing = request.method not in SAFE_METHODS or permission == permission_for(endpoint, "POST")
    # The row names the permission that was missing (in words in the log) and the request that lacked it.
    audit(permission, AUDIT_TARGETS.get(view, view), target_id, outcome="refused",
          reason=why("audit.role_read_only" if writing else "audit.role_cannot_read"),
          detail=f"{request.method} {request.path}")
    abort(403)


def login_redirect():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def password_change_redirect():
    return redirect(url_for("auth.profile", next=request.full_path.rstrip("?")))


def refuse(action: str, target_type: str, target_id: str = "", reason: str = "role does not allow it"):
    """Audit a refused action and answer 403."""
    audit(action, target_type, target_id, outcome="refused", reason=reason)
    abort(403)


class RoleGuarded:
    """Mixin for Flask-Admin views: the permissions table decides (``enforce_permissions``); the view
    reads it to show itself in the menu and to offer its buttons (its ``write_endpoint``)."""

    write_endpoint = "edit_view"

    def is_accessible(self) -> bool:
        return may_request(f"{self.endpoint}.{self._default_view}", "GET")

    def may_write(self) -> bool:
        return may_request(f"{self.endpoint}.{self.write_endpoint}") if has_request_context() else True

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
        abort(403)

    def _handle_view(self, name, **kwargs):
        # The role was checked before the view ran (enforce_permissions); what is left is the person's own state.
        if not current_user.is_authenticated:
            return login_redirect()
        if current_user.record.must_change_password:
            return password_change_redirect()
        return None
