"""Each support action moves its process on, is audited, and says why when it is refused."""
from __future__ import annotations

import asyncio

import pytest
import requests

from habilita.messages import Message
from habilita.messages.stored import from_text
from habilita.models import AuditEvent, ProcessRecord, VoucherType
from habilita.support.actions import Acting, SupportActions, run_bulk
from habilita.support.errors import MissingReason

from .conftest import wait_for, wait_for_step
from .drill import DrillInput, DrillProcess, submission_key

ACTING = Acting(actor="sofia@habilita.co", reason="ticket 4411")


async def at_confirm(start_drill):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")
    await handle.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))
    await wait_for_step(handle.id, "confirm")
    return handle


def received_times(dian_sim, workflow_id) -> list[int]:
    """How often the simulated DIAN saw each upload this workflow made."""
    seen = requests.get(f"{dian_sim.url}/_received", timeout=10).json()
    zip_keys = {e.detail for e in AuditEvent.select().where(AuditEvent.source_key == submission_key(workflow_id))}
    assert len(zip_keys) == 1
    return [r["times_seen"] for r in seen if r["file_name"] == "drill.xml"]


async def test_retry_now_runs_the_failing_activity_at_once_after_dian_recovers(
        client, support_worker, start_drill, dian_faults):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")
    dian_faults(fail_always=True)
    await handle.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))
    await wait_for(lambda: _attempt_at_least(handle, 3), "three failed attempts")
    dian_faults()

    result = await SupportActions(client).retry_now(handle.id, ACTING)

    assert result.ok, result.message
    (retried,) = result.message.params["activities"]
    assert result.message.code == "support.retried"
    assert retried == Message("support.retried_activity", {"activity": "submit_to_dian", "attempt": 3})
    # The next automatic attempt is 20 s away: only the retry gets here this soon.
    await wait_for_step(handle.id, "confirm", seconds=8)
    row = AuditEvent.get(AuditEvent.action == "support: retry now")
    assert (row.actor, row.reason, row.target_id, row.outcome) == ("sofia@habilita.co", "ticket 4411", handle.id, "ok")
    assert from_text(row.detail).code == "support.retried", "the audit row keeps what support was told"


async def _attempt_at_least(handle, attempt):
    pending = (await handle.describe()).raw_description.pending_activities
    return any(p.attempt >= attempt for p in pending)


async def test_retry_now_is_refused_with_a_reason_when_nothing_is_retrying(client, support_worker, start_drill):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")

    result = await SupportActions(client).retry_now(handle.id, ACTING)

    assert not result.ok
    assert result.message == Message("support.nothing_retrying")
    assert AuditEvent.get(AuditEvent.action == "support: retry now").outcome == "refused"


async def test_resume_sends_the_update_the_step_waits_for(client, support_worker, start_drill):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")

    result = await SupportActions(client).resume(handle.id, "provide", DrillInput(actor="sofia@habilita.co"), ACTING)

    assert result.ok, result.message
    await wait_for_step(handle.id, "confirm")


async def test_a_skippable_step_is_skipped_with_the_reason_recorded(client, support_worker, start_drill):
    handle = await at_confirm(start_drill)

    result = await SupportActions(client).skip_step(handle.id, "confirm", ACTING)

    assert result.ok, result.message
    await wait_for_step(handle.id, "confirm", status="completed")
    skipped = AuditEvent.get(AuditEvent.action == "skip confirm")
    assert (skipped.actor, skipped.reason) == ("sofia@habilita.co", "ticket 4411")


async def test_a_step_the_process_does_not_declare_skippable_is_refused(client, support_worker, start_drill):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")

    result = await SupportActions(client).skip_step(handle.id, "collect", ACTING)

    assert not result.ok
    assert result.message == Message("support.refused", {"problems": [Message("support.field_problem", {
        "field": "step", "problem": Message("step_not_skippable", {"step": "collect", "steps": ["confirm"]})})]})
    assert ProcessRecord.get_by_id(handle.id).current_step == "collect"


async def test_cancel_ends_the_process_and_its_projection_says_so(client, support_worker, start_drill):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")

    result = await SupportActions(client).cancel(handle.id, ACTING)

    assert result.ok, result.message
    assert result.message == Message("support.cancel_requested")
    await wait_for_step(handle.id, "collect", status="cancelled")


def test_an_action_without_a_reason_is_not_attempted():
    with pytest.raises(MissingReason, match="needs a reason") as missing:
        Acting(actor="sofia@habilita.co", reason="  ")
    assert missing.value.message == Message("support.reason_required")


async def test_a_bulk_cancel_of_fifty_reports_fifty_results_with_the_server_s_refusals(
        client, support_worker, start_drill):
    handles = await asyncio.gather(*(start_drill() for _ in range(49)))
    for handle in handles:
        await wait_for_step(handle.id, "collect")
    ids = [h.id for h in handles] + ["drill-that-never-existed"]
    actions = SupportActions(client)

    results = await run_bulk(ids, lambda workflow_id: actions.cancel(workflow_id, ACTING))

    assert [r.workflow_id for r in results] == ids
    assert sum(r.ok for r in results) == 49
    refused = results[-1]
    assert not refused.ok and refused.message.code == "support.not_found"
    assert AuditEvent.select().where(AuditEvent.action == "support: cancel").count() == 50
    for handle in handles:
        await wait_for_step(handle.id, "collect", status="cancelled")


async def test_a_reset_to_the_dian_step_repeats_neither_the_submission_nor_the_voucher(
        client, support_worker, start_drill, dian_sim):
    handle = await at_confirm(start_drill)
    first_run = (await handle.describe()).run_id
    before = ProcessRecord.get_by_id(handle.id).version
    assert received_times(dian_sim, handle.id) == [1]

    result = await SupportActions(client).reset_to_step(handle.id, "dian_submission", ACTING)

    assert result.ok, result.message
    assert (await handle.describe()).run_id != first_run
    await wait_for(lambda: _moved_on_to(handle.id, "confirm", before), "the new run back at confirm")
    assert received_times(dian_sim, handle.id) == [1]
    assert VoucherType.select().where(VoucherType.source_key == f"{handle.id}:voucher").count() == 1
    assert AuditEvent.select().where(AuditEvent.source_key == submission_key(handle.id)).count() == 1


def _moved_on_to(workflow_id, step, after_version):
    record = ProcessRecord.get_by_id(workflow_id)
    return record.version > after_version and record.current_step == step


async def test_a_reset_that_excludes_updates_waits_again_for_the_person(client, support_worker, start_drill):
    handle = await at_confirm(start_drill)

    result = await SupportActions(client).reset_to_step(handle.id, "collect", ACTING, exclude=("update",))

    assert result.ok, result.message
    assert (result.message.code, result.message.params["step"]) == ("support.reset", "collect")
    assert result.message.params["reapplied"] == [Message("support.reapplied_signals")]
    await wait_for_step(handle.id, "collect", status="waiting")
    await asyncio.sleep(1)
    assert ProcessRecord.get_by_id(handle.id).current_step == "collect"


async def test_a_reset_that_reapplies_updates_moves_on_with_the_person_s_input(client, support_worker, start_drill):
    handle = await at_confirm(start_drill)
    before = ProcessRecord.get_by_id(handle.id).version

    result = await SupportActions(client).reset_to_step(handle.id, "collect", ACTING)

    assert result.ok, result.message
    await wait_for(lambda: _moved_on_to(handle.id, "confirm", before), "the new run back at confirm")


async def test_a_reset_to_a_step_never_reached_says_which_steps_were(client, support_worker, start_drill):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")

    result = await SupportActions(client).reset_to_step(handle.id, "voucher", ACTING)

    assert not result.ok
    assert result.message == Message("support.step_never_began", {"id": handle.id, "step": "voucher",
                                                                  "steps": ["collect"]})
