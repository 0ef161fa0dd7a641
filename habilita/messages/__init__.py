"""What the system says to people, as codes with parameters.

A validator refuses a field with a :class:`Problem`; a workflow tells what
happened with a :class:`Message`. Neither carries a sentence: the console
and the CLI render them through the catalog (:mod:`habilita.messages.catalog`)
in the reader's language. Pure: no I/O, safe inside workflows.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark ``message`` for the catalog (its English is the message id); it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Message:
    """Something to tell a person: a catalog code and the values it names."""

    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """Why the value of one field was refused (``field`` empty: the input as a whole)."""

    field: str
    code: str
    params: dict = field(default_factory=dict)

    def as_detail(self) -> dict:
        """The problem as a failure detail that crosses Temporal's boundary."""
        return {"field": self.field, "code": self.code, "params": dict(self.params)}

    @classmethod
    def from_detail(cls, detail: dict) -> "Problem":
        return cls(field=str(detail.get("field", "")), code=str(detail.get("code", "")),
                   params=dict(detail.get("params") or {}))
