"""P4 once connected: edits, pause and resume bump the settings the orders read; the order side's stop shows the
process as needing support until it resumes; disconnecting ends it; continuing as new keeps everything."""
from __future__ import annotations

import asyncio

import pytest
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError

from habilita.channels.configuration import (
    STOP_CREDENTIALS_REFUSED,
    InvoicingResumed,
    InvoicingStopped,
    settings_from_json,
)
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.messages.stored import from_text
from habilita.models import ProcessRecord, utcnow
from habilita.processes.words import words_in
from habilita.support.health import health_of, needs_support
from habilita.support.stuck import PROCESS_BLOCKED, QueueOptions, find_stuck
from habilita.workflows.channel_connection import (
    Disconnect,
    PauseConnection,
    ResumeConnection,
    SalesChannelConnection,
)
from tests.channels_connection.conftest import ACTOR, P4, WAREHOUSE
from tests.channels_connection.stand_ins import StandInReconciliation
from tests.harness import terminate


def spanish(message) -> str:
    gettext = gettext_for("es")
    return render(message, gettext, words_in(gettext))


async def until(check, seconds: float = 20):
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def test_pause_resume_and_edits_bump_the_settings_the_orders_read(p4, worker):
    await p4.connected()
    assert p4.row().settings_version == 2

    paused = await p4.handle.execute_update(SalesChannelConnection.pause_connection, PauseConnection(ACTOR))
    assert (paused.version, paused.state) == (3, "paused")
    await p4.wait_step("paused")
    stored = settings_from_json(p4.row().settings_json)
    assert (p4.row().state, stored.version, stored.paused) == ("paused", 3, True)
    with pytest.raises(WorkflowUpdateFailedError):  # already paused
        await p4.handle.execute_update(SalesChannelConnection.pause_connection, PauseConnection(ACTOR))

    edited = await p4.configure(warehouse_id="1271", default_phone="3001234567")  # an edit while paused
    assert edited.version == 4
    resumed = await p4.handle.execute_update(SalesChannelConnection.resume_connection, ResumeConnection(ACTOR))
    assert (resumed.version, resumed.state) == (5, "connected")
    await p4.wait_step("connected")
    ruled = await p4.set_rules(exchange_rate="4100.50", invoice_currency="USD", product_warehouse_id=WAREHOUSE)
    assert ruled.version == 6

    row = p4.row()
    stored = settings_from_json(row.settings_json)
    assert (row.state, row.settings_version, stored.version, stored.paused) == ("connected", 6, 6, False)
    assert (stored.configuration.warehouse_id, stored.configuration.default_phone) == ("1271", "3001234567")
    assert (stored.rules.exchange_rate, stored.rules.invoice_currency) == ("4100.50", "USD")
    assert (await p4.status()).settings_version == 6


async def test_a_stop_from_the_order_side_needs_support_until_invoicing_resumes(p4, worker):
    await p4.connected()
    record = ProcessRecord.get_by_id(p4.workflow_id)
    assert health_of(record, utcnow())[1] is None

    await p4.handle.signal(SalesChannelConnection.invoicing_stopped,
                           InvoicingStopped(STOP_CREDENTIALS_REFUSED, {"order_id": "2000001234"}))
    await until(lambda: ProcessRecord.get_by_id(p4.workflow_id).last_error.startswith('{"code": "blocked.'))

    record = ProcessRecord.get_by_id(p4.workflow_id)
    kind, why = health_of(record, utcnow())
    assert kind == "blocked"
    assert spanish(why) == ("la facturación automática está detenida: el ERP rechaza el usuario API y la Access Key "
                            "de la conexión; verifíquelos en el ERP")
    assert ProcessRecord.select().where(needs_support(utcnow()) & (ProcessRecord.workflow_id == p4.workflow_id)).exists()
    (stuck,) = [s for s in await find_stuck(None, options=QueueOptions(signals=(PROCESS_BLOCKED,)))
                if s.workflow_id == p4.workflow_id]
    assert stuck.signals == {PROCESS_BLOCKED} and "automatic invoicing is stopped" in stuck.why
    assert from_text(p4.row().invoicing_stopped_reason).code == STOP_CREDENTIALS_REFUSED
    assert (await p4.status()).invoicing_stopped.code == STOP_CREDENTIALS_REFUSED

    # A pause and a resume project the step again: the stop stays until the order side says otherwise.
    await p4.handle.execute_update(SalesChannelConnection.pause_connection, PauseConnection(ACTOR))
    await p4.wait_step("paused")
    await p4.handle.execute_update(SalesChannelConnection.resume_connection, ResumeConnection(ACTOR))
    await p4.wait_step("connected")
    await until(lambda: health_of(ProcessRecord.get_by_id(p4.workflow_id), utcnow())[0] == "blocked")

    await p4.handle.signal(SalesChannelConnection.invoicing_resumed, InvoicingResumed())
    await until(lambda: ProcessRecord.get_by_id(p4.workflow_id).last_error == "")
    assert health_of(ProcessRecord.get_by_id(p4.workflow_id), utcnow()) == ("waiting", None)
    assert p4.row().invoicing_stopped_reason == ""
    assert (await p4.status()).invoicing_stopped is None


async def test_disconnecting_ends_the_process_and_its_reconciliation(p4, worker):
    await p4.connected()
    child = p4.client.get_workflow_handle(p4.workflow_id + "-reconcile")
    await until_running(child)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p4.handle.execute_update(SalesChannelConnection.disconnect, Disconnect(ACTOR, " "))
    assert "reason" in str(refused.value.cause)

    saved = await p4.handle.execute_update(SalesChannelConnection.disconnect, Disconnect(ACTOR, "cierre de la tienda"))
    assert saved.state == "disconnected"
    assert await p4.handle.result() == "disconnected"
    record = ProcessRecord.get_by_id(p4.workflow_id)
    assert (record.status, record.current_step) == ("completed", "disconnected")
    row = p4.row()
    assert (row.state, row.settings_version) == ("disconnected", 3)
    for _ in range(200):
        if (await child.describe()).status == WorkflowExecutionStatus.TERMINATED:
            break
        await asyncio.sleep(0.05)
    assert (await child.describe()).status == WorkflowExecutionStatus.TERMINATED


async def until_running(handle):
    for _ in range(200):
        try:
            await handle.query(StandInReconciliation.started_with)
            return
        except (RPCError, WorkflowQueryFailedError):  # not started yet
            await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} never ran")


async def test_continuing_as_new_keeps_the_settings_and_one_reconciliation(client, task_queue, company, erp_account,
                                                                           worker):
    p4 = P4(client, task_queue, company, renew_after_events=80)
    try:
        await p4.connected()
        first_run = (await p4.handle.describe()).run_id
        for phone in ("3001111111", "3002222222", "3003333333", "3004444444", "3005555555", "3006666666"):
            await p4.configure(default_phone=phone)
        for _ in range(400):
            described = await client.get_workflow_handle(p4.workflow_id).describe()
            if described.run_id != first_run and described.status == WorkflowExecutionStatus.RUNNING:
                break
            await asyncio.sleep(0.05)
        assert described.run_id != first_run, "the connection continued as new"
        current = client.get_workflow_handle(p4.workflow_id)
        p4.handle = current
        status = await p4.wait_step("connected")
        assert (status.settings_version, status.configuration.default_phone) == (8, "3006666666")
        assert status.offers["price_list_id"], "the ERP's catalogs are carried"
        child = client.get_workflow_handle(p4.workflow_id + "-reconcile")
        for _ in range(400):  # the old run's child is terminated as the run closes; the new run starts its own
            if (await p4.status()).reconciliation_id:
                break
            await asyncio.sleep(0.05)
        await until_running(child)
        described_child = await child.describe()
        assert described_child.status == WorkflowExecutionStatus.RUNNING
        assert described_child.parent_run_id == described.run_id, "the new run's own reconciliation"
        assert (await p4.configure(default_phone="3007777777")).version == 9
        assert settings_from_json(p4.row().settings_json).configuration.default_phone == "3007777777"
    finally:
        await terminate(client, [p4.workflow_id, p4.workflow_id + "-reconcile"])
