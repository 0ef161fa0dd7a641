"""The catalog outside the console: a ``gettext`` for the CLI in the chosen language."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"


@lru_cache(maxsize=4)
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale`` (English, the source language, needs none)."""
    if locale.split("_")[0] == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale], DOMAIN)


def gettext_for(locale: str):
    """A ``gettext(msgid, **params)`` in ``locale``, as Flask-Babel's."""
    catalog = translations(locale)

    def gettext(message: str, /, **params) -> str:
        text = catalog.gettext(message)
        return text % params if params else text

    gettext.locale = locale  # how the reader writes numbers: the catalog's render reads it
    return gettext
