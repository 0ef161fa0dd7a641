"""One reading of every way Temporal or a workflow says no.

A validator refuses with an ``ApplicationError`` of type ``InvalidInput``
whose details are :class:`~habilita.messages.Problem` items, or of type
``WrongStep``; Temporal itself may refuse a start (already running) or not
answer. :func:`refusal_from` turns each into a :class:`Refusal` the console
and the CLI render the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from temporalio.client import WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError

from habilita.messages import Problem

INVALID_INPUT = "InvalidInput"
WRONG_STEP = "WrongStep"
ALREADY_STARTED = "AlreadyStarted"
UNAVAILABLE = "Unavailable"
# The update was sent but its answer did not come in time: it may still be under way.
NO_ANSWER = "NoAnswer"
FAILED = "Failed"


@dataclass
class Refusal(Exception):
    """The workflow or Temporal said no: why (``kind``), each field's problems, and the raw text."""

    kind: str
    problems: list[Problem] = field(default_factory=list)
    message: str = ""

    def __str__(self) -> str:
        return self.message or self.kind

    def by_field(self) -> dict[str, list[Problem]]:
        found: dict[str, list[Problem]] = {}
        for problem in self.problems:
            found.setdefault(problem.field, []).append(problem)
        return found


def refusal_from(error: BaseException) -> Refusal:
    """The :class:`Refusal` that ``error`` (an update, start or RPC failure) stands for."""
    if isinstance(error, Refusal):
        return error
    if isinstance(error, WorkflowUpdateFailedError):
        return refusal_from(error.cause) if error.cause is not None else Refusal(FAILED, message=str(error))
    if isinstance(error, WorkflowAlreadyStartedError):
        return Refusal(ALREADY_STARTED, message=str(error))
    if isinstance(error, RPCError):
        return Refusal(UNAVAILABLE, message=error.message)
    if isinstance(error, WorkflowQueryFailedError):
        return Refusal(FAILED, message=str(error))
    if isinstance(error, ApplicationError):
        problems = [Problem.from_detail(d) for d in error.details or () if isinstance(d, dict) and "field" in d]
        return Refusal(error.type or FAILED, problems=problems, message=error.message)
    return Refusal(FAILED, message=str(error))
