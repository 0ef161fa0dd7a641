"""The console's words in the user's language, bound once per request.

Flask-Babel's ``gettext`` looks the request's catalog up again on every call;
a queue or history page says hundreds of things, so the console binds one
``gettext`` and one ``words`` to the request's catalog and reuses them.
"""
from __future__ import annotations

from flask import g
from flask_babel import get_locale, get_translations

from habilita.processes.words import words_in


def speaker():
    """This request's ``(gettext, words, locale)``, for :func:`habilita.messages.catalog.render`."""
    found = g.get("habilita_speaker")
    if found is None:
        translations = get_translations()

        def gettext(message: str, /, **params) -> str:
            text = translations.ugettext(message)
            return text % params if params else text

        found = g.habilita_speaker = (gettext, words_in(gettext), str(get_locale() or "es"))
    return found


def words(kind: str, name: str) -> str:
    """A machine name (a step, field, choice, status...) in the user's words."""
    return speaker()[1](kind, name)
