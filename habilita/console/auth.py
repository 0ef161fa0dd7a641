"""Access pages: log in, log out, forgotten password, reset link, profile."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from habilita.models import FieldError

from .access import StaffUser
from .audit import audit, why
from .forms import ChangePasswordForm, CsrfForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from .login_flow import (
    InvalidResetLink, attempt_login, change_password, finish_password_reset,
    reset_link_lifetime_minutes, start_password_reset,
)
from .messages import refusal_reason, say
from .sessions import begin_session, end_every_session

bp = Blueprint("auth", __name__, url_prefix="/auth")
# Says that a reset link went out and to whom; the link itself is a secret and is never logged.
log = logging.getLogger("habilita.access")


def safe_next(default: str) -> str:
    """The ``next`` target when it stays on this site, else ``default``."""
    target = request.args.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def show_field_error(form, error: FieldError) -> None:
    field = getattr(form, error.field, None) or form.password
    field.errors = [*field.errors, say(error.problem)]


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("admin.index")))
    form = LoginForm(request.form)
    if request.method == "POST" and form.validate():
        outcome = attempt_login(form.email.data, form.password.data, request.remote_addr or "")
        if outcome.user is None:
            audit("login", "user", form.email.data, outcome="refused", reason=outcome.audit_reason,
                  who=form.email.data.strip().lower())
            flash(outcome.error, "danger")
        else:
            begin_session(StaffUser(outcome.user))
            audit("login", "user", outcome.user.email)
            if outcome.user.must_change_password:
                flash(_("Welcome. For the safety of your information, change your password now."), "warning")
                return redirect(url_for("auth.profile", next=safe_next(url_for("admin.index"))))
            return redirect(safe_next(url_for("admin.index")))
    return render_template("habilita/auth/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = CsrfForm(request.form)
    if not form.validate():
        flash(_("The session form expired; try again."), "danger")
        return redirect(url_for("admin.index"))
    audit("logout", "user", current_user.email)
    end_every_session(current_user.record)
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm(request.form)
    if request.method == "POST" and form.validate():
        issued = start_password_reset(form.email.data)
        if issued is not None:
            user, token = issued
            send_reset_mail(user, token)
            audit("request password reset", "user", user.email, who=user.email)
        else:
            audit("request password reset", "user", form.email.data, outcome="refused",
                  reason=why("audit.no_such_user"), who=form.email.data.strip().lower())
        # The same answer either way: the page must not tell who has an account.
        flash(_("If the user exists, we sent an e-mail with a link to set a new password. "
                "The link works once and expires in %(minutes)d minutes.",
                minutes=reset_link_lifetime_minutes()), "info")
        return redirect(url_for("auth.login"))
    return render_template("habilita/auth/forgot.html", form=form)


def send_reset_mail(user, token: str) -> None:
    # On the configured public address, never on the request's Host header: a forged Host would
    # otherwise have the victim mailed a link to the attacker's server (reset poisoning).
    settings = current_app.extensions["habilita"].settings
    link = settings.console_url + url_for("auth.reset_password", token=token)
    body = _("Hello %(name)s,\n\nTo set a new password for Habilita, open this link:\n%(link)s\n\n"
             "It works once and expires in %(minutes)d minutes. If you did not ask for it, ignore this e-mail.",
             name=user.name or user.email, link=link, minutes=reset_link_lifetime_minutes())
    current_app.extensions["habilita"].mailer.send(
        to=user.email, subject=_("Habilita: set a new password"), body=body)
    log.info("password reset link sent to %s", user.email)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = NewPasswordForm(request.form)
    if request.method == "POST" and form.validate():
        try:
            user = finish_password_reset(token, form.password.data)
        except FieldError as error:
            show_field_error(form, error)
        except InvalidResetLink:
            audit("reset password", "user", "", outcome="refused", reason=why("audit.reset_link_dead"))
            flash(_("This link is no longer valid: it was used already or it expired. Ask for a new one."), "danger")
            return redirect(url_for("auth.forgot_password"))
        else:
            audit("reset password", "user", user.email, who=user.email)
            flash(_("Your password was changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("habilita/auth/reset.html", form=form, token=token)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ChangePasswordForm(request.form)
    user = current_user.record
    if request.method == "POST" and form.validate():
        try:
            change_password(user, form.current.data, form.password.data)
        except FieldError as error:
            audit("change password", "user", user.email, outcome="refused", reason=refusal_reason([error.problem]))
            show_field_error(form, error)
        else:
            audit("change password", "user", user.email)
            # The new password gave the user a new session token, which ended every session:
            # this one goes on carrying the new token.
            login_user(StaffUser(user))
            flash(_("Your password was changed."), "success")
            return redirect(safe_next(url_for("admin.index")))
    return render_template("habilita/auth/profile.html", form=form, user=user)
