"""Field checks shared by update validators: pure, deterministic, no I/O.

A validator collects every field error at once so a form can show each one
at its field; :func:`reject` turns them into the one failure type the admin
knows how to read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from temporalio.exceptions import ApplicationError

INVALID_INPUT = "InvalidInput"
WRONG_STEP = "WrongStep"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class Problems:
    """Collects field problems; ``raise_if_any`` rejects the update."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field: str, message: str) -> None:
        self.items.append(FieldProblem(field, message))

    def require(self, field: str, value: str | None, label: str) -> bool:
        if not (value or "").strip():
            self.add(field, f"{label} is required")
            return False
        return True

    def guid(self, field: str, value: str | None, label: str) -> None:
        if self.require(field, value, label) and not _GUID.match(value.strip()):
            self.add(field, f"{label} must be a GUID like 1b2c3d4e-0000-4a5b-8c9d-0123456789ab, not {value.strip()!r}")

    def raise_if_any(self) -> None:
        if self.items:
            reject(self.items)


def reject(problems: list[FieldProblem]) -> None:
    """Fail the update with every field problem as structured details."""
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
    raise ApplicationError(
        summary, *[{"field": p.field, "message": p.message} for p in problems],
        type=INVALID_INPUT, non_retryable=True,
    )


def wrong_step(action: str, current: str) -> None:
    raise ApplicationError(
        f"{action} is not possible now: the process is at step {current!r}",
        type=WRONG_STEP, non_retryable=True,
    )
