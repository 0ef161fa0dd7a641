"""What the console tells a person, in their language: messages and refusals, rendered by code.

Workflows, validators and models speak in codes with parameters
(:mod:`habilita.messages`); :func:`say` renders one through the catalog with
the console's words for the machine names inside it, and :func:`shown`
renders a stored column (an audit row, a notification, a last error) that
keeps a message or a refusal's problems as JSON. Nothing here reads an
English sentence: a column that holds plain text is shown as stored.
"""
from __future__ import annotations

import json

from habilita.console.processes.labels import field_label
from habilita.console.speech import speaker
from habilita.messages import Message, Problem, catalog
from habilita.messages.stored import from_text


# The key of a refusal's problems in a stored audit reason (see refusal_reason).
REFUSED = "problems"


def refusal_reason(problems: list[Problem]) -> str:
    """What the audit log stores of a refusal: its problems as JSON, put in words when shown."""
    return json.dumps({REFUSED: [p.as_detail() for p in problems]}, ensure_ascii=False)


def refused_problems(text: str) -> list[Problem] | None:
    """The problems a stored refusal reason holds; None when it is plain text (an older row, a note)."""
    if not (text or "").startswith("{"):
        return None
    try:
        stored = json.loads(text)
    except ValueError:
        return None
    if not (isinstance(stored, dict) and isinstance(stored.get(REFUSED), list)):
        return None
    return [Problem.from_detail(d) for d in stored[REFUSED] if isinstance(d, dict)]


def problems_text(problems: list[Problem]) -> str:
    """``Field: why; Field: why`` in the user's language, each field named as the form names it."""
    return "; ".join(f"{field_label(p.field)}: {say(p)}" if p.field else say(p) for p in problems)


def say(message: Message | Problem | dict) -> str:
    """A message or a field's problem in the user's language (amounts of money written as they write them)."""
    gettext, in_words, locale = speaker()
    return catalog.render(message, gettext, in_words, locale=locale)


def shown(text: str) -> str:
    """A stored column in the user's language: an audit row's reason or detail, a notification, a last error.

    A refusal's problems or a message kept as JSON is put in words; the
    console's own ``detail · address`` part by part; anything else (a row
    written before messages were codes, what a person typed) as stored.
    """
    message = from_text(text)
    if message is not None:
        return say(message)
    problems = refused_problems(text)
    if problems is not None:
        return problems_text(problems)
    if " · " in (text or ""):  # what the console adds to its own rows: "detail · address"
        return " · ".join(shown(part) for part in text.split(" · "))
    return text or ""
