"""What the support services refuse, saying exactly what failed."""
from __future__ import annotations

from habilita.messages import Message
from habilita.messages.catalog import in_english


class SupportError(Exception):
    """Base of every error the support services raise.

    ``message`` says why as a catalog code with its parameters, which the
    console and the CLI render in the reader's language; ``str()`` is its
    English wording, for logs.
    """

    def __init__(self, code: str, /, **params):
        self.message = Message(code, params)
        super().__init__(in_english(self.message))


class MissingReason(SupportError, ValueError):
    """A support action needs an actor and a reason; one of them is empty."""


class StepNotFound(SupportError, LookupError):
    """The history has no point where the requested step began."""


class UnknownAction(SupportError, ValueError):
    """A bulk action or export format that does not exist."""
