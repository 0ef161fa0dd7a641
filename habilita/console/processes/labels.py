"""Words for the machine names processes use: steps, fields, choices, statuses, actions.

Everything a person reads about a process comes through here, so the
catalog holds it and an unknown name still reads as words.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from habilita.messages import words
from habilita.processes import DECLARATIONS
from habilita.processes import words as process_words

# Every step and end of every declared process, in the words its declaration gives.
STEPS = {name: _l(text) for name, text in process_words.STEPS.items()}

STATUSES = {name: _l(text) for name, text in words.STATUSES.items()}

DOCUMENT_STATUSES = {name: _l(text) for name, text in words.DOCUMENT_STATUSES.items()}

LEVELS = {name: _l(text) for name, text in words.LEVELS.items()}

WAITING_ON = {name: _l(text) for name, text in words.WAITING_ON.items()}

FIELDS = {name: _l(text) for name, text in words.FIELDS.items()}

CHOICES = {name: _l(text) for name, text in words.CHOICES.items()}

BUTTONS = {name: _l(text) for name, text in words.BUTTONS.items()}

ACTIONS = {name: _l(text) for name, text in words.ACTIONS.items()}


def label(table: dict, name: str) -> str:
    """The catalog's words for ``name``, or the name itself made readable."""
    found = table.get(name)
    return str(found) if found is not None else process_words.readable(name)


def step_label(name: str) -> str:
    return label(STEPS, name)


def process_label(process_type: str) -> str:
    """A process type as its declaration names it (the type itself when none declares it)."""
    found = DECLARATIONS.get(process_type)
    return gettext(found.label) if found else process_type


def status_label(name: str) -> str:
    return label(STATUSES, name)


def document_status_label(name: str) -> str:
    return label(DOCUMENT_STATUSES, name)


def level_label(name: str) -> str:
    return label(LEVELS, name)


def waiting_label(name: str) -> str:
    return label(WAITING_ON, name)


def field_label(name: str) -> str:
    return label(FIELDS, name)


SUPPORT_ACTIONS = {name: _l(text) for name, text in words.SUPPORT_ACTIONS.items()}


def action_label(name: str) -> str:
    """What a person did, for the history."""
    what = name.removeprefix("support: ") if name.startswith("support: ") else None
    if what in SUPPORT_ACTIONS:
        return str(SUPPORT_ACTIONS[what])
    if what and what.startswith("skip "):
        return gettext("support: skipped step %(step)s", step=step_label(what.removeprefix("skip ")))
    if what and what.startswith("reset to "):
        return gettext("support: reset to step %(step)s", step=step_label(what.removeprefix("reset to ")))
    return label(ACTIONS, name)


def button_label(name: str) -> str:
    """The button that sends an update."""
    return label(BUTTONS, name)
