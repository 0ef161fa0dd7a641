"""Saving a model from a Flask-Admin form, with the model's refusal shown at its field."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _

from habilita.models import FieldError

from habilita.console.messages import refusal_reason, say


def put_error_at_field(form, error: FieldError) -> None:
    """Show ``error`` under its field (or above the form when the field is not on it)."""
    field = getattr(form, error.field, None)
    message = say(error.problem)
    if field is None:
        flash(message, "danger")
        return
    field.errors = [*field.errors, message]
    flash(_("Check the marked fields."), "danger")


def refused_reason(error: FieldError) -> str:
    """The audit log's reason for a refused save: the model's problem, put in words when shown."""
    return refusal_reason([error.problem])
