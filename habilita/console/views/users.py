"""Users and their roles: administrators only."""
from __future__ import annotations

import secrets

from flask import flash
from flask_admin.contrib.peewee import ModelView
from flask_admin.form import SecureForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField
from wtforms.validators import DataRequired

from habilita.models import ROLES, FieldError, PasswordResetToken, User

from habilita.console.access import RoleGuarded
from habilita.console.audit import audit
from habilita.console.auth import send_reset_mail
from .model_form_errors import put_error_at_field, refused_reason

ROLE_LABELS = {"onboarding": _l("Onboarding"), "support": _l("Support"), "auditor": _l("Auditor"),
               "admin": _l("Administrator")}


def role_names(user: User) -> str:
    """The user's roles in words."""
    return ", ".join(str(ROLE_LABELS[r]) for r in ROLES if r in user.role_set)


class UserForm(SecureForm):
    # The model checks the address and the name (habilita.inputs) and its refusal is shown at the field.
    email = EmailField(_l("E-mail (the user name)"), validators=[DataRequired()])
    name = StringField(_l("Full name"))
    roles = SelectMultipleField(_l("Roles"), choices=[(r, ROLE_LABELS[r]) for r in ROLES],
                                validators=[DataRequired(_l("Choose at least one role."))])
    active = BooleanField(_l("Active"), default=True)


class UserView(RoleGuarded, ModelView):
    form = UserForm
    form_base_class = SecureForm
    can_delete = False
    page_size = 50
    create_template = "habilita/model/create.html"
    edit_template = "habilita/model/edit.html"
    column_list = ("email", "name", "roles", "active", "last_login_at", "must_change_password")
    column_labels = {"email": _l("E-mail"), "name": _l("Name"), "roles": _l("Roles"), "active": _l("Active"),
                     "last_login_at": _l("Last login"), "must_change_password": _l("Must change password")}
    column_searchable_list = ("email", "name")
    column_formatters = {"roles": lambda v, c, m, n: role_names(m)}

    def search_placeholder(self) -> str:
        return _("E-mail or name")

    def on_form_prefill(self, form, id):
        form.roles.data = sorted(User.get_by_id(id).role_set)

    def create_model(self, form):
        user = User(email=form.email.data, name=form.name.data or "", active=form.active.data)
        try:
            user.validate()
            if User.by_email(user.email):
                raise FieldError("email", "email_taken")
            user.set_roles(form.roles.data)
            # Nobody knows this password: the new user sets one through the mailed link.
            user.set_password(secrets.token_urlsafe(24), must_change=True)
            user.save()
        except FieldError as error:
            audit("create user", "user", user.email, outcome="refused", reason=refused_reason(error))
            put_error_at_field(form, error)
            return False
        send_reset_mail(user, PasswordResetToken.issue(user))
        audit("create user", "user", user.email, detail=f"roles {user.roles}")
        flash(_("User created; we e-mailed %(email)s a link to set the password.", email=user.email), "info")
        return user

    def update_model(self, form, model):
        try:
            model.name, model.active = form.name.data or "", form.active.data
            model.set_roles(form.roles.data)
            model.save()
        except FieldError as error:
            audit("edit user", "user", model.email, outcome="refused", reason=refused_reason(error))
            put_error_at_field(form, error)
            return False
        audit("edit user", "user", model.email, detail=f"roles {model.roles}, active {model.active}")
        return True
