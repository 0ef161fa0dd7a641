"""Replaying a stored history tells whether the current code would decide the same."""
from __future__ import annotations

from habilita.support.actions import SupportActions
from habilita.support.replay import verify_process

from .conftest import SUPPORT_WORKFLOWS
from .drill_changed import DrillProcessWithAStepInserted
from .test_actions import ACTING, at_confirm
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


async def test_every_run_of_a_reset_process_is_replayed_and_named_in_order(client, support_worker, start_drill):
    handle = await at_confirm(start_drill)
    first_run = (await handle.describe()).run_id
    assert (await SupportActions(client).reset_to_step(handle.id, "collect", ACTING)).ok
    second_run = (await handle.describe()).run_id

    verdict = await verify_process(client, handle.id, workflows=SUPPORT_WORKFLOWS)
    again = await verify_process(client, handle.id, workflows=SUPPORT_WORKFLOWS)  # through the same sandbox

    assert first_run != second_run
    assert [r.run_id for r in verdict.runs] == [first_run, second_run]
    assert verdict.consistent and again == verdict, verdict.summary()
