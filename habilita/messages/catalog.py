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
  field, a choice, a process type) and is shown through ``words``;
- a parameter named in :data:`.money.AMOUNTS` holding a number is an amount
  of money, written as the reader writes it (``$ 190.000``, ``COP 190,000``).
"""
from __future__ import annotations

from typing import Callable

from . import Message, Problem
from .event_codes import EVENTS
from .money import AMOUNTS, is_amount, money
from .problem_codes import PROBLEMS

CODES: dict[str, str] = {**PROBLEMS, **EVENTS}
duplicated = set(PROBLEMS) & set(EVENTS)
if duplicated:  # found at import, whether or not Python runs with -O (which drops asserts)
    raise ValueError(f"a code is declared twice: {sorted(duplicated)}")

# Parameters whose values are machine names: (parameter, kind of name) for ``words``.
MACHINE_NAMES = {"step": "step", "steps": "step", "field": "field", "choice": "choice", "choices": "choice",
                 "substep": "choice", "process": "process", "status": "status", "who": "waiting_on",
                 "action": "action", "level": "level", "levels": "level", "mode": "choice", "update": "button"}

Gettext = Callable[..., str]
Words = Callable[[str, str], str]


def render(message: Message | Problem | dict, gettext: Gettext, words: Words = lambda kind, name: name, *,
           locale: str | None = None) -> str:
    """``message`` in the language of ``gettext`` (a ``gettext(msgid, **params)`` function).

    ``locale`` says how the reader writes numbers (money); without it, the
    ``locale`` attribute of ``gettext`` (:func:`.locale.gettext_for` sets one), else English.
    """
    locale = locale or getattr(gettext, "locale", None) or "en"
    if isinstance(message, dict):
        message = Message(code=str(message.get("code", "")), params=dict(message.get("params") or {}))
    template = CODES.get(message.code)
    if template is None:
        # An unregistered code is a bug the catalog test catches; never a blank.
        return message.code + (f" {message.params}" if message.params else "")
    params = {name: _value(name, value, gettext, words, locale) for name, value in message.params.items()}
    for name, currency in AMOUNTS.items():
        if is_amount(message.params.get(name)):
            params[name] = money(message.params[name], str(message.params.get(currency, "")), locale)
    return gettext(template, **params) if params else gettext(template)


def in_english(message: Message | Problem | dict) -> str:
    """``message`` in the catalog's source language, for logs and Temporal's UI (pure: safe in workflows)."""
    return render(message, _source_text)


def _source_text(template: str, **params) -> str:
    return template % params if params else template


def _value(name: str, value, gettext: Gettext, words: Words, locale: str) -> str:
    if isinstance(value, (Message, Problem)) or (isinstance(value, dict) and "code" in value):
        return render(value, gettext, words, locale=locale)
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(name, item, gettext, words, locale) for item in value)
    if name in MACHINE_NAMES and isinstance(value, str):
        return words(MACHINE_NAMES[name], value)
    return str(value)
