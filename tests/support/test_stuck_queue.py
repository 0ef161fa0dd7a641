"""The support queue shows each kind of stuck process with the reason it is stuck."""
from __future__ import annotations

import concurrent.futures
from datetime import timedelta

from temporalio.worker import Worker

from habilita.worker import build_activities, workflow_runner
from habilita.support.stuck import (
    ACTIVITY_RETRYING, SLA_OVERRUN, WORKFLOW_TASK_FAILING, QueueOptions, filter_queue, find_stuck,
)

from .conftest import SUPPORT_WORKFLOWS, wait_for, wait_for_step
from .drill import DrillInput, DrillProcess, DrillStart


def on(task_queue, **options) -> QueueOptions:
    """The queue of this test's processes: the dev server is shared by the whole session."""
    return QueueOptions(task_queue=task_queue, **options)


def entry_for(queue, workflow_id):
    return next((s for s in queue if s.workflow_id == workflow_id), None)


async def test_an_activity_failing_at_dian_shows_as_retrying_with_dian_s_answer(
        client, support_worker, start_drill, dian_faults, task_queue):
    calm = await start_drill()
    failing = await start_drill()
    await wait_for_step(failing.id, "collect")
    dian_faults(fail_always=True, fail_status=503)

    await failing.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))

    async def stuck_entry():
        # The worker's own word on the retry (the projection) can come first; Temporal's description, with
        # the attempt and DIAN's answer, follows once its visibility lists the workflow.
        entry = entry_for(await find_stuck(client, options=on(task_queue)), failing.id)
        return entry if entry is not None and "activity submit_to_dian retrying" in entry.why else None
    entry = await wait_for(stuck_entry, "the failing process in the queue, as Temporal describes it")
    assert entry.signals == {ACTIVITY_RETRYING}
    assert entry.step == "dian_submission"
    assert "activity submit_to_dian retrying: attempt " in entry.why
    assert "HTTP 503" in entry.why
    (reason,) = entry.reasons
    assert reason.message.code == "stuck.last_failure"
    assert reason.message.params["retrying"].params["activity"] == "submit_to_dian"
    assert entry_for(await find_stuck(client, options=on(task_queue)), calm.id) is None


async def test_retrying_but_not_yet_failed_can_be_listed_by_step(
        client, support_worker, start_drill, dian_faults, task_queue):
    failing = await start_drill()
    await wait_for_step(failing.id, "collect")
    dian_faults(fail_always=True)
    await failing.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))
    await wait_for(lambda: _retrying(client, task_queue, failing.id), "the activity to be retrying")

    queue = await find_stuck(client, options=on(task_queue))

    assert [s.workflow_id for s in filter_queue(queue, signal=ACTIVITY_RETRYING, step="dian_submission")] \
        == [failing.id]
    assert filter_queue(queue, signal=ACTIVITY_RETRYING, step="collect") == []


async def _retrying(client, task_queue, workflow_id):
    return entry_for(await find_stuck(client, options=on(task_queue, signals=(ACTIVITY_RETRYING,))), workflow_id)


async def test_a_workflow_task_that_keeps_failing_shows_with_temporal_s_cause(
        client, support_worker, start_drill, task_queue):
    broken = await start_drill(break_at="collect")

    async def stuck_entry():
        return entry_for(await find_stuck(client, options=on(task_queue)), broken.id)
    # Temporal marks the workflow after two consecutive failures; the second
    # comes after the server's retry backoff of about ten seconds.
    entry = await wait_for(stuck_entry, "the broken process in the queue", seconds=40)

    assert WORKFLOW_TASK_FAILING in entry.signals
    assert "workflow task failing (WorkflowWorkerUnhandledFailure) at step collect" in entry.why
    failing = next(r for r in entry.reasons if r.signal == WORKFLOW_TASK_FAILING)
    assert failing.message.params == {"cause": "WorkflowWorkerUnhandledFailure", "step": "collect"}


async def test_a_step_waiting_on_staff_past_its_sla_shows_how_long_it_waited(
        sla_env, settings, db, company, task_queue):
    client = sla_env.client
    async with Worker(client, task_queue=task_queue, workflows=SUPPORT_WORKFLOWS,
                      activities=build_activities(settings),
                      activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=4),
                      workflow_runner=workflow_runner()):
        handle = await client.start_workflow(
            DrillProcess.run, DrillStart(company_id=company.id, company_tax_id=company.display_tax_id,
                                         test_set_id="unused"),
            id="drill-sla", task_queue=task_queue)
        await wait_for_step(handle.id, "collect", status="waiting")
        sla_only = QueueOptions(signals=(SLA_OVERRUN,))

        await sla_env.sleep(timedelta(days=2, hours=23))
        before = await find_stuck(client, now=await _server_now(sla_env), options=sla_only)
        await sla_env.sleep(timedelta(hours=2))
        after = await find_stuck(client, now=await _server_now(sla_env), options=sla_only)

    assert entry_for(before, handle.id) is None
    entry = entry_for(after, handle.id)
    assert entry.signals == {SLA_OVERRUN}
    assert entry.why == "waiting on staff for 3 d 1 h (SLA 3 d)"
    assert entry.reasons[0].message.params == {"who": "staff", "waited": "3 d 1 h", "sla": "3 d"}


async def _server_now(env):
    return (await env.get_current_time()).replace(tzinfo=None)
