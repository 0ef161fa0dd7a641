"""How long a step may wait on someone before support should look at it.

By whom the step waits on, with overrides per (process type, step) where a
step is known to take longer or shorter than its kind.
"""
from __future__ import annotations

from datetime import timedelta

from habilita.messages import Message
from habilita.messages.durations import span

# A person (our staff or the company) gets three days; DIAN two.
SLA_BY_WAITER: dict[str, timedelta] = {
    "staff": timedelta(days=3),
    "company": timedelta(days=3),
    "dian": timedelta(days=2),
}

# The numbering resolution is requested by the company at DIAN, outside our
# reach: DIAN's own answer time is up to five working days.
SLA_BY_STEP: dict[tuple[str, str], timedelta] = {
    ("einvoicing", "numbering_resolution"): timedelta(days=7),
}


def sla_for(process_type: str, step: str, waiting_on: str) -> timedelta | None:
    """The SLA of a step waiting on ``waiting_on``; None when nobody is awaited."""
    override = SLA_BY_STEP.get((process_type, step))
    if override is not None and waiting_on in SLA_BY_WAITER:
        return override
    return SLA_BY_WAITER.get(waiting_on)


def shortest_sla(waiting_on: str) -> timedelta:
    """The shortest SLA any step waiting on ``waiting_on`` has: the SQL pre-filter."""
    candidates = [SLA_BY_WAITER[waiting_on], *SLA_BY_STEP.values()]
    return min(candidates)


def describe_overrun(waited: timedelta, sla: timedelta, waiting_on: str) -> Message:
    """``waiting on staff for 4 d 2 h (SLA 3 d)``, as a message."""
    return Message("stuck.sla_overrun", {"who": waiting_on, "waited": span(waited), "sla": span(sla)})
