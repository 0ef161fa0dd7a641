"""What the support services refuse, saying exactly what failed."""


class SupportError(Exception):
    """Base of every error the support services raise."""


class MissingReason(SupportError, ValueError):
    """A support action needs an actor and a reason; one of them is empty."""


class StepNotFound(SupportError, LookupError):
    """The history has no point where the requested step began."""


class UnknownAction(SupportError, ValueError):
    """A bulk action or export format that does not exist."""
