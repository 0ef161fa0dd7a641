"""What a new password must be, after NIST SP 800-63B: long enough and hard to guess.

There are no composition rules (a digit, a symbol, a capital letter): they
make passwords harder to remember without making them harder to guess, and
NIST asks verifiers not to impose them. Instead a password has at least
``MIN_PASSWORD_LENGTH`` characters, and zxcvbn, which knows the common
passwords, words and names, keyboard patterns, dates, repeats and sequences,
must estimate it hard to guess, also for someone who knows the person's name
and e-mail and the service's name. A long phrase of ordinary words passes.
"""
from __future__ import annotations

import re

from .errors import FieldError

MIN_PASSWORD_LENGTH = 12
# NIST asks to accept at least 64 characters; the cap keeps zxcvbn's estimate, which grows
# faster than the length, quick enough for a login form.
MAX_PASSWORD_LENGTH = 128
# zxcvbn's score runs from 0 (guessed at once) to 4; 3 resists an online attack and a slow offline one.
MIN_STRENGTH = 3
# Words anyone attacking this service tries first.
SERVICE_WORDS = ("habilita", "dian", "factura", "facturacion")
_WORD_SEPARATORS = re.compile(r"[^0-9a-zA-ZÀ-ÿ]+")


def check_password_rules(password: str, *, user_inputs=(), field: str = "password") -> None:
    """Raise ``FieldError`` at ``field`` when ``password`` is too short, too long or guessable.

    ``user_inputs`` are what an attacker may know of the person (e-mail,
    name); a password built from them is guessable.
    """
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FieldError(field, "password_too_short", minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise FieldError(field, "password_too_long", maximum=MAX_PASSWORD_LENGTH)
    # Imported here: its dictionaries take ~35 ms to import, which every command of the CLI would pay.
    from zxcvbn import zxcvbn

    estimate = zxcvbn(password, user_inputs=personal_words(user_inputs))
    if estimate["score"] < MIN_STRENGTH:
        raise FieldError(field, weakness_code(estimate))


def personal_words(user_inputs) -> list[str]:
    """Each input whole and cut into its words ("ana.gomez@x.co" -> ana.gomez@x.co, ana, gomez, x, co),
    plus the service's words: zxcvbn matches each as a word the attacker knows."""
    words = list(SERVICE_WORDS)
    for value in user_inputs:
        text = (value or "").strip().lower()
        if text:
            words.append(text)
            words.extend(part for part in _WORD_SEPARATORS.split(text) if len(part) >= 3)
    return list(dict.fromkeys(words))


def weakness_code(estimate: dict) -> str:
    """Why zxcvbn found the password guessable, as a problem code: the person's own data, a common
    password, or a pattern (repeats, sequences, dates, keyboard walks, common words)."""
    sources = {match.get("dictionary_name") for match in estimate["sequence"] if match["pattern"] == "dictionary"}
    if "user_inputs" in sources:
        return "password_personal"
    if "passwords" in sources:
        return "password_common"
    return "password_guessable"
