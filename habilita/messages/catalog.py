"""Codes to words: every message the system shows, rendered in the reader's language.

Each code maps to an English template (the catalog's message id) with
``%(name)s`` parameters; the Spanish text comes from the catalog under
``habilita/translations``. The tables are declared beside their subject
(:mod:`.problem_codes` for refusals, :mod:`.event_codes` for what processes
tell) and joined here.

A parameter is shown as given, except:
- a ``{"code": ..., "params": ...}`` mapping, itself a message, is rendered;
- a list is rendered item by item and joined with commas;
- a parameter named in ``MACHINE_NAMES`` holds a machine name (a step, a
  field, a choice, a process type) and is shown through ``words``.
"""
from __future__ import annotations

from typing import Callable

from . import Message, Problem
from .event_codes import EVENTS
from .problem_codes import PROBLEMS

CODES: dict[str, str] = {**PROBLEMS, **EVENTS}
duplicated = set(PROBLEMS) & set(EVENTS)
assert not duplicated, f"a code is declared twice: {sorted(duplicated)}"

# Parameters whose values are machine names: (parameter, kind of name) for ``words``.
MACHINE_NAMES = {"step": "step", "steps": "step", "field": "field", "choice": "choice", "choices": "choice",
                 "substep": "choice", "process": "process", "status": "status", "who": "waiting_on"}

Gettext = Callable[..., str]
Words = Callable[[str, str], str]


def render(message: Message | Problem | dict, gettext: Gettext, words: Words = lambda kind, name: name) -> str:
    """``message`` in the language of ``gettext`` (a ``gettext(msgid, **params)`` function)."""
    if isinstance(message, dict):
        message = Message(code=str(message.get("code", "")), params=dict(message.get("params") or {}))
    template = CODES.get(message.code)
    if template is None:
        # An unregistered code is a bug the catalog test catches; never a blank.
        return message.code + (f" {message.params}" if message.params else "")
    params = {name: _value(name, value, gettext, words) for name, value in message.params.items()}
    return gettext(template, **params) if params else gettext(template)


def _value(name: str, value, gettext: Gettext, words: Words) -> str:
    if isinstance(value, dict) and "code" in value:
        return render(value, gettext, words)
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(name, item, gettext, words) for item in value)
    if name in MACHINE_NAMES and isinstance(value, str):
        return words(MACHINE_NAMES[name], value)
    return str(value)
