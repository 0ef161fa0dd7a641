"""The fixed English messages of models and validators, put through the catalog.

Models and workflow validators speak English (they know nothing of the
console); the form shows their message at the field in the user's language
when the catalog has it, and as written otherwise.
"""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l

# Listed so the extractor puts them in the catalog; matched by exact text.
KNOWN = (
    _l("the password must have at least 10 characters"),
    _l("the password must mix letters with digits or symbols"),
    _l("the current password is wrong"),
    _l("the new password must differ from the current one"),
    _l("legal name is required"),
    _l("the acting user is required"),
    _l("the test set id is required"),
    _l("the software id is required"),
    _l("the software PIN is required"),
    _l("the software PIN must be 5 digits"),
    _l("operation mode must be one of own_software, provider"),
)


def translated(message: str) -> str:
    """``message`` in the user's language when the catalog knows it."""
    return gettext(message) if message else message
