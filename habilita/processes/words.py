"""Machine names in a person's words: steps and process types from their declarations,
the rest (fields, choices, statuses...) from :mod:`habilita.messages.words`."""
from __future__ import annotations

from typing import Callable

from habilita.messages import words as tables

from . import DECLARATIONS

# Every step and end of every declared process, as its declaration words it.
STEPS: dict[str, str] = {name: text for declaration in DECLARATIONS.values()
                         for name, text in [*((s.name, s.label) for s in declaration.steps),
                                            *declaration.ends.items()]}
PROCESSES: dict[str, str] = {d.process_type: d.label for d in DECLARATIONS.values()}
TABLES: dict[str, dict[str, str]] = {
    "step": STEPS, "process": PROCESSES, "field": tables.FIELDS, "choice": tables.CHOICES,
    "status": tables.STATUSES, "waiting_on": tables.WAITING_ON, "document_status": tables.DOCUMENT_STATUSES,
    # An update named inside a message reads as its button; a chart level as its name.
    "button": tables.BUTTONS, "action": tables.BUTTONS, "level": tables.LEVELS,
    "target": tables.TARGETS, "outcome": tables.OUTCOMES, "choice_hint": tables.CHOICE_HINTS,
}


def readable(name: str) -> str:
    """A name no table words, made readable: ``test_set`` -> ``Test set``."""
    return (name or "").replace("_", " ").strip().capitalize()


def words_in(gettext: Callable[[str], str]) -> Callable[[str, str], str]:
    """``words(kind, name)`` in the language of ``gettext``, for :func:`habilita.messages.catalog.render`."""
    def words(kind: str, name: str) -> str:
        text = TABLES.get(kind, {}).get(name)
        return gettext(text) if text is not None else readable(name)

    return words
