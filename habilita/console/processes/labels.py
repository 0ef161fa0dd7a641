"""Words for the machine names processes use: steps, fields, choices, statuses, actions.

Everything a person reads about a process comes through here, in the
request's language (:mod:`habilita.console.speech`), so the catalog holds it
and an unknown name still reads as words.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from habilita.console.speech import words
from habilita.messages import words as tables
from habilita.processes import DECLARATIONS
from habilita.processes import words as process_words

# Lazy: the forms that offer choices are built before a request picks the language.
CHOICES = {name: _l(text) for name, text in tables.CHOICES.items()}
ACTIONS = {name: _l(text) for name, text in tables.ACTIONS.items()}


def label(table: dict, name: str) -> str:
    """The catalog's words for ``name``, or the name itself made readable."""
    found = table.get(name)
    return str(found) if found is not None else process_words.readable(name)


def step_label(name: str) -> str:
    return words("step", name)


def process_label(process_type: str) -> str:
    """A process type as its declaration names it (the type itself when none declares it)."""
    return words("process", process_type) if process_type in DECLARATIONS else process_type


def status_label(name: str) -> str:
    return words("status", name)


def document_status_label(name: str) -> str:
    return words("document_status", name)


def level_label(name: str) -> str:
    return words("level", name)


def waiting_label(name: str) -> str:
    return words("waiting_on", name)


def field_label(name: str) -> str:
    return words("field", name)


SUPPORT_ACTIONS = {name: _l(text) for name, text in tables.SUPPORT_ACTIONS.items()}


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
    return words("button", name)
