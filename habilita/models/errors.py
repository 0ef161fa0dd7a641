"""What the models refuse, named by field so a form can show it in place."""


class ModelError(Exception):
    """Base of every error the models raise."""


class FieldError(ModelError, ValueError):
    """A value breaks a rule; ``field`` names the form field to show it at."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class TaxIdLocked(FieldError):
    """The company's tax id is frozen because DIAN's enablement depends on it."""
