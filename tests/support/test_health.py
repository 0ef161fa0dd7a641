"""Every way a process goes wrong reaches the support queue, with its reason, and support can bring it back.

On the dev server: a workflow terminated outside the console, a failure no
retry can mend, and a retry that runs while the process waits on a person.
"""
from __future__ import annotations

import datetime as dt

import pytest

from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.messages.stored import from_text
from habilita.processes.words import words_in
from habilita.models import Notification, ProcessRecord, utcnow
from habilita.support import health
from habilita.support.actions import Acting, SupportActions
from habilita.support.reconcile import ProjectionReconciler
from habilita.support.stuck import ACTIVITY_RETRYING, PROCESS_FAILED, QueueOptions, find_stuck

from .conftest import wait_for, wait_for_step
from .drill import DrillInput, DrillProcess

SUPPORT = Acting(actor="soporte@habilita.co", reason="la empresa sigue con nosotros")


def in_spanish(message) -> str:
    """As the console says it: machine names (statuses, steps) in words."""
    gettext = gettext_for("es")
    return render(message, gettext, words_in(gettext))


async def queue_entry(client, task_queue, workflow_id):
    queue = await find_stuck(client, options=QueueOptions(task_queue=task_queue))
    return next((s for s in queue if s.workflow_id == workflow_id), None)


async def test_a_process_terminated_outside_the_console_is_seen_as_failed_and_support_restarts_it(
        client, support_worker, start_drill, task_queue):
    drill = await start_drill()
    await wait_for_step(drill.id, "collect", status="waiting")
    reconciler = ProjectionReconciler(client, task_queue=task_queue)
    assert await reconciler.reconcile() == []

    await drill.terminate(reason="limpieza desde la interfaz de Temporal")

    async def projected():
        await reconciler.reconcile()
        record = ProcessRecord.get_by_id(drill.id)
        return record if record.status == "terminated" else None
    record = await wait_for(projected, "the termination in the projection", seconds=30)
    assert record.waiting_on == "" and record.completed_at is not None
    assert "limpieza desde la interfaz de Temporal" in in_spanish(from_text(record.last_error))
    assert ProcessRecord.select().where(health.needs_support(utcnow()) & (ProcessRecord.workflow_id == drill.id)).exists()

    entry = await queue_entry(client, task_queue, drill.id)
    assert entry is not None and entry.signals == {PROCESS_FAILED}
    reason = in_spanish(entry.reasons[0].message)
    assert reason.startswith("Terminado en el paso"), reason
    assert "terminado fuera de la consola" in reason

    result = await SupportActions(client).reset_to_step(drill.id, "collect", SUPPORT)
    assert result.ok, in_spanish(result.message)
    await wait_for_step(drill.id, "collect", status="waiting")
    assert await queue_entry(client, task_queue, drill.id) is None
    # The restarted process goes on from where it stood.
    await client.get_workflow_handle(drill.id).execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))
    await wait_for_step(drill.id, "confirm", status="waiting")
    # A later pass does not take the old run's end for the new run's.
    await reconciler.reconcile()
    assert ProcessRecord.get_by_id(drill.id).status == "waiting"


async def test_a_failure_no_retry_can_mend_fails_the_step_at_once_with_its_reason(
        client, support_worker, start_drill, task_queue):
    drill = await start_drill(impossible_check=True)
    reconciler = ProjectionReconciler(client, task_queue=task_queue)

    async def failed():
        await reconciler.reconcile()
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == drill.id)
        return record if record is not None and record.status == "failed" else None
    record = await wait_for(failed, "the process to fail", seconds=30)

    described = await drill.describe()
    assert described.status.name == "FAILED"
    history = [e async for e in drill.fetch_history_events()]
    assert sum(e.HasField("activity_task_started_event_attributes") for e in history) == 1, "tried once, not retried"
    entry = await queue_entry(client, task_queue, drill.id)
    assert entry.signals == {PROCESS_FAILED}
    reason = in_spanish(entry.reasons[0].message)
    assert "Fallido en el paso" in reason and "cannot be read" in reason, reason
    assert record.retry_attempt == 0


@pytest.mark.parametrize("locally", [False, True], ids=["activity", "local_activity"])
async def test_an_activity_retrying_while_the_process_waits_on_staff_is_in_the_queue_and_notified(
        client, support_worker, start_drill, dian_faults, task_queue, locally):
    """A local activity (the worker's own short writes) retries unseen by Temporal's description: the
    worker's own word on it puts it in the queue."""
    dian_faults(fail_always=True, fail_status=503)
    drill = await start_drill(ask_dian_while_collecting=True, ask_dian_locally=locally)

    async def retrying():
        entry = await queue_entry(client, task_queue, drill.id)
        return entry if entry is not None and ACTIVITY_RETRYING in entry.signals else None
    entry = await wait_for(retrying, "the retry in the queue", seconds=30)
    assert entry.waiting_on == "staff" and entry.step == "collect"
    reason = in_spanish(next(r.message for r in entry.reasons if r.signal == ACTIVITY_RETRYING))
    assert "se está reintentando" in reason and "503" in reason, reason

    await wait_for(lambda: Notification.get_or_none(Notification.kind == "retrying"), "the notice", seconds=30)
    notice = Notification.get(Notification.kind == "retrying")
    assert drill.id in in_spanish(from_text(notice.body))

    dian_faults()  # DIAN answers again: the retry succeeds and the process leaves the queue

    async def recovered():
        return await queue_entry(client, task_queue, drill.id) is None
    await wait_for(recovered, "the process to leave the queue", seconds=30)
    record = ProcessRecord.get_by_id(drill.id)
    assert (record.retry_attempt, record.retrying_activity, record.retrying_since) == (0, "", None)


def test_needs_support_is_the_queue_s_sql_rule(db):
    now = utcnow()
    old = now - dt.timedelta(days=4)
    rows = {
        "fine": dict(status="waiting", waiting_on="staff", step_entered_at=now),
        "overdue": dict(status="waiting", waiting_on="staff", step_entered_at=old),
        "resolution-not-yet": dict(status="waiting", waiting_on="company", step_entered_at=old,
                                   current_step="numbering_resolution"),
        "failed": dict(status="failed"),
        "terminated": dict(status="terminated"),
        "cancelled": dict(status="cancelled"),
        "retrying": dict(status="waiting", waiting_on="company", retry_attempt=2, retrying_activity="notify"),
        "done-retrying": dict(status="completed", retry_attempt=2),
    }
    for workflow_id, values in rows.items():
        ProcessRecord.create(workflow_id=workflow_id, process_type="einvoicing",
                             **{"current_step": "voucher_type", **values})
    flagged = {r.workflow_id for r in ProcessRecord.select().where(health.needs_support(now))}
    assert flagged == {"overdue", "failed", "terminated", "retrying"}
    for record in ProcessRecord.select():
        kind, why = health.health_of(record, now)
        assert (why is not None) == (record.workflow_id in flagged), record.workflow_id


def test_a_retry_is_written_only_for_a_process_of_the_list_and_cleared_only_once_marked(db):
    from habilita.activities.health import clear_retry, record_retry

    ProcessRecord.create(workflow_id="listed", process_type="einvoicing", current_step="voucher_type",
                         status="running")
    at = utcnow()
    record_retry("an-order-workflow", "record_order", 2, "database is locked", at)  # no row: nothing, no error
    record_retry("listed", "notify", 2, "database is locked", at)
    clear_retry("listed", "project")  # another activity's success leaves the mark
    record = ProcessRecord.get_by_id("listed")
    assert (record.retrying_activity, record.retry_attempt, record.retrying_since) == ("notify", 2, at)
    assert ProcessRecord.select().count() == 1

    clear_retry("listed", "notify")
    record = ProcessRecord.get_by_id("listed")
    assert (record.retrying_activity, record.retry_attempt, record.retrying_since) == ("", 0, None)
