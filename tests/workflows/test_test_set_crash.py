"""A worker killed in the middle of a call to DIAN: support sees it within seconds, the next worker
finishes the test set, and DIAN sees each document once.

The first worker is `habilita worker` in its own process; SIGKILL gives it
no chance to finish anything. The kill lands after the zip was sent and
before DIAN decided the set, while the worker waits on a slow status query:
the simulator keeps answering "in process", and slowly, until the worker is dead.
Without heartbeats the lost query would be retried only after its
three-minute timeout; with them, within the heartbeat timeout.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time

import requests

from temporalio.api.enums.v1 import PendingActivityState

from habilita.support.stuck import ACTIVITY_RETRYING, QueueOptions, find_stuck
from habilita.worker import build_worker
from habilita.models import ProcessRecord, TestSetBatch, TestSetDocument
from habilita.workflows.certificate import CertificateActivation, CertificatePathChoice
from habilita.workflows.einvoicing import EInvoicingEnablement, TestSetStart

from .conftest import SMALL_SET, TEST_ENCRYPTION_KEY, wait_for_step
from .test_einvoicing_end_to_end import ACTOR, REPRESENTATIVE, register, start_p1


def worker_process(client, settings, task_queue) -> subprocess.Popen:
    """`habilita worker` in its own process, on this test's server, database, queue and simulators."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "HABILITA_VAR": str(settings.var_dir),
           "TEMPORAL_ADDRESS": client.service_client.config.target_host, "TEMPORAL_NAMESPACE": client.namespace,
           "TEMPORAL_TASK_QUEUE": task_queue, "HABILITA_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
           "SECRET_KEY": "test-secret-key", "DIAN_URL": settings.dian_url, "BILLING_URL": settings.billing_url}
    return subprocess.Popen([sys.executable, "-m", "habilita.cli", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def set_faults(portal, **switches) -> None:
    requests.put(portal.url + "/_faults", json=switches, timeout=10).raise_for_status()


async def wait_until(check, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.05)):
        if process.poll() is not None:
            raise AssertionError(f"the worker exited early: {process.stderr.read().decode()[-2000:]}")
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never saw: {what}")


async def test_a_test_set_finishes_after_its_worker_is_killed_and_dian_sees_each_document_once(
        client, settings, task_queue, db, company, portal, billing_simulator):
    requests.post(f"{billing_simulator}/certificate-payments/{company.tax_id}", timeout=10).raise_for_status()
    first = worker_process(client, settings, task_queue)
    try:
        handle = await start_p1(client, task_queue, company, settings)
        await register(handle, portal, company)
        child = client.get_workflow_handle(handle.id + "-certificate")
        await wait_for_step(child.id, "choose_path")
        await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "own"))
        await wait_for_step(child.id, "representative", status="waiting")
        await child.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
        await wait_for_step(handle.id, "test_set", status="waiting")
        set_faults(portal, in_process_forever=True)
        await handle.execute_update(EInvoicingEnablement.start_test_set, TestSetStart(ACTOR, company.display_tax_id))
        test_set = client.get_workflow_handle(handle.id + "-test-set")

        async def zip_sent() -> bool:
            record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == test_set.id)
            return record is not None and record.current_step == "validating"

        await wait_until(zip_sent, first, "the zip sent and the set still in process")
        set_faults(portal, in_process_forever=True, delay_seconds=15)

        async def inside_a_status_query() -> bool:
            # A poll started before the delay was switched on is answered at once: the worker may already
            # have finished it and be sleeping until the next poll, with no activity left to lose. A poll
            # still running two seconds after it started is the slow one (its answer takes 15 s).
            pending = (await test_set.describe()).raw_description.pending_activities
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            return any(p.activity_type.name == "poll_batch" and p.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
                       and now - p.last_started_time.ToDatetime() > dt.timedelta(seconds=2)
                       for p in pending)

        await wait_until(inside_a_status_query, first, "the worker inside a slow status query")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed_at = time.monotonic()

    # Support sees the lost query in the queue, with why, before any worker is back.
    async def in_the_queue():
        queue = await find_stuck(client, options=QueueOptions(task_queue=task_queue, signals=(ACTIVITY_RETRYING,)))
        return next((s for s in queue if s.workflow_id == test_set.id), None)
    entry = None
    while entry is None and time.monotonic() - killed_at < 40:
        entry = await in_the_queue()
        await asyncio.sleep(0.5)
    assert entry is not None, "the lost status query never reached the support queue"
    assert "Heartbeat" in entry.why or "heartbeat" in entry.why, entry.why

    assert [b.state for b in TestSetBatch.select().where(TestSetBatch.workflow_id == test_set.id)] == ["sent"]
    assert {d.status for d in TestSetDocument.select().where(TestSetDocument.workflow_id == test_set.id)} == {"sent"}
    assert ProcessRecord.get_by_id(test_set.id).status != "completed", "the kill did not land before DIAN decided"
    seen_before_the_kill = portal.received()
    assert len(seen_before_the_kill) == sum(SMALL_SET)

    set_faults(portal, in_process_forever=False, delay_seconds=0)
    async with build_worker(client, settings, task_queue=task_queue):
        await wait_for_step(test_set.id, "accepted", status="completed", seconds=90)
        await wait_for_step(handle.id, "numbering_resolution", status="waiting")
    assert time.monotonic() - killed_at < 75, "the lost query waited for its timeout, not its heartbeat"

    documents = TestSetDocument.select().where(TestSetDocument.workflow_id == test_set.id)
    assert {d.status for d in documents} == {"accepted"}
    received = portal.received()
    assert len(received) == sum(SMALL_SET)
    assert [r["times_seen"] for r in received] == [1] * sum(SMALL_SET)
