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
    from habilita.activities.numbering import NumberingActivities, RangeCheck, RangeQuery

RANGE_CALL = dict(start_to_close_timeout=timedelta(minutes=2),
                  retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=2)))


@dataclass(frozen=True)
class DianConfirmation:
    """Staff confirm that the person at DIAN did what this step waits for."""

    actor: str


async def check_ranges(query: RangeQuery) -> RangeCheck:
    """One GetNumberingRange, through the activity that stores what it finds."""
    return await workflow.execute_activity_method(NumberingActivities.check_numbering_range, query, **RANGE_CALL)


def explain(check: RangeCheck, *, step: str) -> str:
    """What a person reads about a GetNumberingRange answer at ``step``."""
    if check.code == "100":
        found = ", ".join(f"{r.prefix} {r.range_from}-{r.range_to} (resolution {r.resolution_number})"
                          for r in check.resolutions)
        return f"DIAN lists: {found}"
    if check.code == "301":
        return f"DIAN has no numbering range for the company yet ({check.message}): keep waiting"
    if check.code == "302":
        if step == "numbering_resolution":
            return "DIAN has the numbering range; its prefixes are not associated to the software yet"
        return f"the prefixes are not associated to the software yet ({check.message}): associate them at DIAN"
    return f"DIAN answered {check.message}"
