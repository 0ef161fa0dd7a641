"""Waiting for a person at DIAN: numbering resolution and prefix association.

Shared by P1 steps 4-5 and P2 step 3. The loop asks GetNumberingRange when
staff confirm and at every reminder; 301 (no range yet) and 302 (prefixes
not associated yet) keep it waiting.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from habilita.activities.heartbeat import HEARTBEAT_TIMEOUT
    from habilita.activities.numbering import NumberingActivities, RangeCheck, RangeQuery
    from habilita.messages import Message

RANGE_CALL = dict(start_to_close_timeout=timedelta(minutes=2), heartbeat_timeout=HEARTBEAT_TIMEOUT,
                  retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=2)))


@dataclass(frozen=True)
class DianConfirmation:
    """Staff confirm that the person at DIAN did what this step waits for."""

    actor: str


async def check_ranges(query: RangeQuery) -> RangeCheck:
    """One GetNumberingRange, through the activity that stores what it finds."""
    return await workflow.execute_activity_method(NumberingActivities.check_numbering_range, query, **RANGE_CALL)


def explain(check: RangeCheck, *, step: str) -> Message:
    """What a person reads about a GetNumberingRange answer at ``step`` (DIAN's own words as ``answer``)."""
    if check.code == "100":
        return Message("numbering.listed", {"ranges": [
            Message("numbering.range", {"prefix": r.prefix, "first": r.range_from, "last": r.range_to,
                                        "number": r.resolution_number})
            for r in check.resolutions]})
    if check.code == "301":
        return Message("numbering.no_range", {"answer": check.message})
    if check.code == "302":
        if step == "numbering_resolution":
            return Message("numbering.range_without_prefixes")
        return Message("numbering.prefixes_not_associated", {"answer": check.message})
    return Message("numbering.answer", {"answer": check.message})
