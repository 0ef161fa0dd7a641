"""Replaying a stored history tells whether the current code would decide the same."""
from __future__ import annotations

from habilita.support.replay import verify_process

from .conftest import SUPPORT_WORKFLOWS
from .drill_changed import DrillProcessWithAStepInserted
from .test_timeline import finished_drill


async def test_a_finished_process_replays_consistently(client, support_worker, start_drill):
    handle = await finished_drill(client, start_drill)

    verdict = await verify_process(client, handle.id, workflows=SUPPORT_WORKFLOWS)

    assert verdict.consistent, verdict.summary()


async def test_code_that_would_decide_differently_is_reported_with_the_run(client, support_worker, start_drill):
    handle = await finished_drill(client, start_drill)

    verdict = await verify_process(client, handle.id, workflows=[DrillProcessWithAStepInserted])

    assert not verdict.consistent
    assert verdict.summary().startswith(f"{handle.id}: NOT consistent with the current code: run ")
    assert "Nondeterminism" in verdict.runs[0].problem or "nondetermin" in verdict.runs[0].problem.lower()
