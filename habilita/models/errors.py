"""What the models refuse, named by field so a form can show it in place."""
from __future__ import annotations

from habilita.messages import Problem
from habilita.messages.catalog import in_english


class ModelError(Exception):
    """Base of every error the models raise."""


class FieldError(ModelError, ValueError):
    """A value breaks a rule: ``problem`` names the form field to show it at and why, as a catalog
    code with its parameters. ``message`` (and ``str()``) is its English wording, for logs."""

    def __init__(self, field: str, code: str, /, **params):
        self.problem = Problem(field, code, params)
        self.message = in_english(self.problem)
        super().__init__(self.message)

    @classmethod
    def of(cls, problem: Problem) -> "FieldError":
        """The error for a problem found elsewhere (e.g. by the DIAN toolkit's tax id check)."""
        return cls(problem.field, problem.code, **problem.params)

    @property
    def field(self) -> str:
        return self.problem.field


class TaxIdLocked(FieldError):
    """The company's tax id is frozen because DIAN's enablement depends on it."""
