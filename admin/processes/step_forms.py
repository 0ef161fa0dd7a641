"""Forms for a step's updates, built from the update's frozen dataclass.

Field names become inputs with labels from the catalog; ``actor`` is the
signed-in person and never an input. A ``str`` field whose workflow module
defines the plural constant (``operation_mode`` → ``OPERATION_MODES``) is a
choice; secrets are password inputs; ``bytes`` fields are file uploads. The
form does not judge the values: the workflow's validator does, and its
messages are shown at these fields.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import typing

from flask_admin.form import SecureForm
from flask_babel import gettext as _
from wtforms import BooleanField, DateField, FileField, IntegerField, PasswordField, SelectField, StringField, TextAreaField

from .catalog import UpdateAction
from .labels import CHOICES, field_label, label

SECRET_WORDS = ("pin", "password", "secret", "private_key", "access_key")
# Temporal refuses payloads over 2 MB; a file must stay well under it once encrypted.
TRANSPORT_LIMIT_BYTES = 1_500_000
FILLED_BY_CONSOLE = ("actor",)


def field_types(action: UpdateAction) -> dict[str, type]:
    return typing.get_type_hints(action.input_type)


def choices_for(action: UpdateAction, name: str) -> tuple[str, ...] | None:
    values = getattr(action.module, f"{name.upper()}S", None)
    if isinstance(values, (tuple, list)) and values and all(isinstance(v, str) for v in values):
        return tuple(values)
    return None


def _input_for(action: UpdateAction, field: dataclasses.Field, kind: type):
    text = field_label(field.name)
    default = None if field.default is dataclasses.MISSING else field.default
    if kind is bytes:
        return FileField(text)
    if kind is bool:
        return BooleanField(text, default=bool(default))
    if kind is int:
        return IntegerField(text, default=default)
    if kind is dt.date:
        return DateField(text, default=default)
    choices = choices_for(action, field.name)
    if choices:
        return SelectField(text, choices=[("", _("Choose…"))] + [(c, label(CHOICES, c)) for c in choices],
                           default=default or "")
    if any(word in field.name for word in SECRET_WORDS):
        return PasswordField(text)
    if field.name in ("reason", "notes", "comment"):
        return TextAreaField(text, default=default)
    return StringField(text, default=default)


def form_class(action: UpdateAction) -> type[SecureForm]:
    """A CSRF-protected WTForms class with one input per field of the update's dataclass."""
    types = field_types(action)
    attrs = {f.name: _input_for(action, f, types.get(f.name, str))
             for f in dataclasses.fields(action.input_type) if f.name not in FILLED_BY_CONSOLE}
    return type(f"{action.input_type.__name__}Form", (SecureForm,), attrs)


def is_upload(form_field) -> bool:
    return isinstance(form_field, FileField)


class UploadRefused(ValueError):
    """A file that cannot even be sent to the workflow."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def build_input(action: UpdateAction, form, files, actor: str):
    """The update's dataclass from the submitted form; raises ``UploadRefused``."""
    types = field_types(action)
    values = {}
    for field in dataclasses.fields(action.input_type):
        if field.name == "actor":
            values["actor"] = actor
            continue
        kind = types.get(field.name, str)
        if kind is bytes:
            values[field.name] = read_upload(files.get(getattr(form, field.name).name), field.name)
            continue
        data = getattr(form, field.name).data
        if kind is str:
            data = (data or "").strip()
        if data is None and field.default is not dataclasses.MISSING:
            data = field.default
        values[field.name] = data
    return action.input_type(**values)


def read_upload(storage, field: str) -> bytes:
    if storage is None or not storage.filename:
        return b""
    content = storage.read(TRANSPORT_LIMIT_BYTES + 1)
    if len(content) > TRANSPORT_LIMIT_BYTES:
        raise UploadRefused(field, _("The file is larger than %(limit)s MB; nothing was stored.",
                                     limit=f"{TRANSPORT_LIMIT_BYTES / 1_000_000:.1f}"))
    return content
