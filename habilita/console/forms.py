"""The console's own forms: access and profile. Every one carries a CSRF token."""
from __future__ import annotations

from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo


class CsrfForm(SecureForm):
    """Nothing but the CSRF token: guards a POST button (log out, start a process)."""


class LoginForm(SecureForm):
    email = EmailField(_l("User (e-mail)"), validators=[DataRequired(_l("Enter your user."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class ForgotPasswordForm(SecureForm):
    email = EmailField(_l("User (e-mail)"), validators=[DataRequired(_l("Enter your user."))])


class NewPasswordForm(SecureForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter the new password."))])
    confirm = PasswordField(_l("Confirm the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("password", _l("The two passwords do not match.")),
    ])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])

