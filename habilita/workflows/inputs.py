"""Field checks shared by update validators: pure, deterministic, no I/O.

A validator collects every field's problem at once so a form can show each
one at its field; :func:`reject` turns them into the one failure type the
console and the CLI read. A problem is a catalog code with its parameters
(:class:`~habilita.messages.Problem`), never a sentence: whoever shows it
renders it in the reader's language.
"""
from __future__ import annotations

from typing import Iterable

from temporalio.exceptions import ApplicationError

from habilita.inputs import limits
from habilita.inputs.identifiers import GUID_EXAMPLE, PIN_DIGITS, is_guid, is_pin
from habilita.inputs.text import text_problem
from habilita.messages import Problem
from habilita.messages.catalog import in_english

INVALID_INPUT = "InvalidInput"
WRONG_STEP = "WrongStep"


class Problems:
    """Collects field problems; ``raise_if_any`` rejects the update."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    @classmethod
    def acting(cls, actor: str | None) -> "Problems":
        """A collector that has already checked the acting person: every human step names one."""
        problems = cls()
        problems.require("actor", actor, maximum=limits.ACTOR)
        return problems

    def add(self, field: str, code: str, /, **params) -> None:
        """Refuse ``field`` with the catalog's ``code``."""
        self.items.append(Problem(field, code, params))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems another check found (e.g. the legal representative's rules)."""
        self.items.extend(problems)

    def require(self, field: str, value: str | None, *, maximum: int | None = None, multiline: bool = False) -> bool:
        """True when ``value`` has text a field may hold; otherwise refuse ``field``: as required, for
        its control characters (line breaks are text with ``multiline``: a reason typed in a text area),
        or (with ``maximum``, its column's length) as too long."""
        if not (value or "").strip():
            self.add(field, "required")
            return False
        problem = text_problem(field, value, maximum=maximum or len(value), multiline=multiline)
        if problem:
            self.items.append(problem)
            return False
        return True

    def guid(self, field: str, value: str | None) -> None:
        """Refuse ``field`` unless it holds a GUID (as DIAN's portal shows its ids)."""
        if self.require(field, value, maximum=limits.DIAN_ID) and not is_guid(value.strip()):
            self.add(field, "guid", value=value.strip(), example=GUID_EXAMPLE)

    def software(self, mode: str, software_id: str, pin: str, *, provider_software_id: str = "") -> None:
        """The DIAN software of a registration: its id and 5-digit PIN, which a provider-mode
        registration may leave out when the provider's software is configured (and must, when not)."""
        given = (software_id or "").strip() or (pin or "").strip()
        if mode == "provider" and not given:
            if not provider_software_id:
                self.add("software_id", "provider_software_not_configured")
            return
        if mode != "own_software" and not given:
            return  # no mode chosen yet: the mode's own problem says so
        self.guid("software_id", software_id)
        if self.require("pin", pin) and not is_pin(pin):
            self.add("pin", "exact_digits", digits=PIN_DIGITS)

    def raise_if_any(self) -> None:
        if self.items:
            reject(self.items)


def software_of(mode: str, given: str, provider_software_id: str) -> str:
    """The software id a registration stands for: the one given, else in provider mode the provider's."""
    given = (given or "").strip()
    return given or (provider_software_id if mode == "provider" else "")


def expect_step(action: str, current: str, *allowed: str) -> None:
    """Refuse the update ``action`` unless the process stands at one of the ``allowed`` steps."""
    if current not in allowed:
        wrong_step(action, current)


def require_actor(actor: str | None) -> None:
    """Refuse an update whose only field is the acting person, when it names nobody."""
    Problems.acting(actor).raise_if_any()


def told_by(error: BaseException) -> dict | str:
    """What a failure tells a person: the message an activity's refusal carries as its first detail
    (``{"code", "params"}``), else the failure's own text (a Temporal or network error, shown as it is)."""
    cause = error
    while cause is not None:
        details = getattr(cause, "details", None) or ()
        if isinstance(cause, ApplicationError) and details and isinstance(details[0], dict) and "code" in details[0]:
            return details[0]
        cause = getattr(cause, "cause", None)
    return str(getattr(error, "cause", None) or error)


def reject(problems: list[Problem]) -> None:
    """Fail the update with every field's problem as structured details.

    The message is an English summary for logs and Temporal's UI only; the
    console and the CLI read the details.
    """
    summary = "; ".join(f"{p.field}: {in_english(p)}" for p in problems)
    raise ApplicationError(summary, *[p.as_detail() for p in problems], type=INVALID_INPUT, non_retryable=True)


def wrong_step(action: str, current: str, *, already_done: bool = False) -> None:
    """Refuse the update ``action`` (its name): the process is at step ``current``.

    ``already_done``: the process is at the right step, but that update was
    already accepted there.
    """
    current = str(current)  # a workflow's Step is a StrEnum: the detail and the text carry its plain name
    problem = Problem("", "already_done" if already_done else "wrong_step", {"action": action, "step": current})
    where = f"it was already done at step {current!r}" if already_done else f"the process is at step {current!r}"
    raise ApplicationError(f"{action} is not possible now: {where}", problem.as_detail(),
                           type=WRONG_STEP, non_retryable=True)
