"""Forms for a step's updates, built from the update's frozen dataclass.

Field names become inputs with labels from the catalog; ``actor`` is the
signed-in person and never an input. A field the declaration gives choices
for (``operation_mode``, ``path``...) is a select; secrets are password
inputs; ``bytes`` fields are file uploads. The
form does not judge the values: the workflow's validator does, and its
messages are shown at these fields.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import typing

from flask import current_app
from flask_admin.form import SecureForm
from flask_babel import gettext as _
from wtforms import BooleanField, DateField, FileField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.widgets import DateInput

from habilita.activities import uploads

from habilita.messages import Problem
from habilita.processes import Action
from habilita.processes.refusals import INVALID_INPUT, Refusal

from .labels import CHOICES, field_label, label

SECRET_WORDS = ("pin", "password", "secret", "private_key", "access_key")
# An update carrying these fields refers to a file checked and stored before it is sent.
STAGED_FILE_FIELDS = frozenset({"stored_file_id", "sha256"})
UPLOAD_FIELD = "upload"
# Temporal refuses payloads over 2 MB; a file must stay well under it once encrypted.
TRANSPORT_LIMIT_BYTES = 1_500_000
FILLED_BY_CONSOLE = ("actor",)


def field_types(action: Action) -> dict[str, type]:
    return typing.get_type_hints(action.input_type)


def choices_for(action: Action, name: str) -> list[tuple[str, str]] | None:
    """(value, words) pairs of the field's declared choices, if it has any."""
    values = action.choices.get(name)
    return [(v, label(CHOICES, v)) for v in values] if values else None


def is_staged_upload(action: Action) -> bool:
    """An update that carries a stored file by reference: the form shows one file input instead."""
    names = {f.name for f in dataclasses.fields(action.input_type)}
    return STAGED_FILE_FIELDS <= names


def resolution_choices(statuses) -> dict[str, list[tuple]]:
    """Choices the workflows offer right now, from their statuses: the synced resolutions to pick from, and
    any field a status names in its ``offers`` (field -> entries with a ``value`` and a ``label``, e.g. the
    ERP's price lists a channel connection picks from)."""
    found: dict[str, list[tuple]] = {}
    for status in statuses:
        for r in getattr(status, "resolutions", None) or ():
            found.setdefault("resolution_id", []).append((
                r.resolution_id, f"{r.prefix} · {r.resolution_number} · {r.range_from}–{r.range_to} "
                                 f"({r.valid_from} → {r.valid_to})"))
        for name, entries in (getattr(status, "offers", None) or {}).items():
            found.setdefault(name, []).extend((entry.value, entry.label) for entry in entries)
    return found


def _input_for(action: Action, field: dataclasses.Field, kind: type, offered: dict):
    text = field_label(field.name)
    default = None if field.default is dataclasses.MISSING else field.default
    if field.name in offered:
        if kind is int:
            return SelectField(text, choices=offered[field.name], coerce=int)
        # Text ids: "choose" first, so an optional one may stay empty and a required one is refused at its field.
        return SelectField(text, choices=[("", _("Choose…")), *offered[field.name]], default=default or "")
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
        return SelectField(text, choices=[("", _("Choose…")), *choices], default=default or "")
    picker = action.pickers.get(field.name)
    if picker == "date":
        # The browser's calendar, written as the reader writes dates (dd/mm/aaaa in Spanish); sent as ISO.
        return StringField(text, default=default, widget=DateInput())
    if picker:
        # pickers.js offers the choices from the page's source for this kind (data-picker-source).
        return StringField(text, default=default, render_kw={"data-picker": picker, "autocomplete": "off"})
    if any(word in field.name for word in SECRET_WORDS):
        return PasswordField(text)
    if field.name in ("reason", "notes", "comment"):
        return TextAreaField(text, default=default)
    return StringField(text, default=default)


def form_class(action: Action, offered: dict | None = None) -> type[SecureForm]:
    """A CSRF-protected WTForms class with one input per field of the update's dataclass.

    ``offered`` holds choices the workflow reports for some fields (see
    :func:`resolution_choices`); those fields become selects.
    """
    types = field_types(action)
    staged = is_staged_upload(action)
    sealed = action.sealer.references if action.sealer else ()
    attrs = {f.name: _input_for(action, f, types.get(f.name, str), offered or {})
             for f in dataclasses.fields(action.input_type)
             if f.name not in FILLED_BY_CONSOLE and f.name not in sealed
             and not (staged and f.name in STAGED_FILE_FIELDS)}
    if staged:
        attrs[UPLOAD_FIELD] = FileField(field_label(UPLOAD_FIELD))
    if action.sealer:
        # Typed here, sealed before the update is sent: the update carries only what refers to it.
        attrs[action.sealer.secret] = PasswordField(field_label(action.sealer.secret))
    return type(f"{action.input_type.__name__}Form", (SecureForm,), attrs)


def is_upload(form_field) -> bool:
    return isinstance(form_field, FileField)


class UploadRefused(ValueError):
    """A file that cannot even be sent to the workflow, and why (a problem at its field)."""

    def __init__(self, field: str, code: str, **params):
        self.problem = Problem(field, code, params)
        super().__init__(f"{field}: {code} {params}")

    def refusal(self) -> Refusal:
        return Refusal(INVALID_INPUT, problems=[self.problem], message=str(self))


def build_input(action: Action, form, files, actor: str, *, workflow_id: str = ""):
    """The update's dataclass from the submitted form; raises ``UploadRefused``, or the sealer's ``Refusal``.

    ``workflow_id``: the process the update goes to, where an action's sealer seals its secret.
    """
    types = field_types(action)
    values = {}
    if is_staged_upload(action):
        values.update(stage_upload(action, files.get(UPLOAD_FIELD)))
    if action.sealer:
        if not workflow_id:
            raise UploadRefused(action.sealer.secret, "secret_not_here")
        secret = getattr(form, action.sealer.secret).data or ""
        values.update(action.sealer.seal(workflow_id, secret, box=current_app.extensions["habilita"].box))
    for field in dataclasses.fields(action.input_type):
        if field.name == "actor":
            values["actor"] = actor
            continue
        if field.name in values:
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
        raise UploadRefused(field, "upload_too_large", limit=f"{TRANSPORT_LIMIT_BYTES / 1_000_000:.1f}")
    return content


def stage_upload(action: Action, storage) -> dict:
    """Check and store the uploaded file with its process's receiver; its id and digest go in the update."""
    receiver = action.receiver
    if receiver is None:
        raise UploadRefused(UPLOAD_FIELD, "upload_not_here")
    if storage is None or not storage.filename:
        raise UploadRefused(UPLOAD_FIELD, "upload_missing")
    try:
        staged = receiver(storage.read(), storage.filename, box=current_app.extensions["habilita"].box)
    except uploads.UploadRefused as refusal:
        # The receiver's own problem (not a PDF, too large, damaged...), shown at the one file input.
        raise UploadRefused(UPLOAD_FIELD, refusal.problem.code, **refusal.problem.params) from refusal
    return {"stored_file_id": staged.stored_file_id, "sha256": staged.sha256}

