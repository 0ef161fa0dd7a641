"""A worker killed in the middle of a sync: the next one resumes, and no document is posted twice."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from habilita.worker import build_worker
from habilita.models.accounting import ElectronicDocument, Voucher
from habilita.workflows.accounting_sync import AccountingSync, SyncTuning

from tests.harness import TEST_ENCRYPTION_KEY
from .conftest import P3
from .test_sync import assert_each_document_posted_once_and_balanced

DOCUMENTS = 3000


def worker_process(client, settings, task_queue) -> subprocess.Popen:
    """`habilita worker` in its own process, on this test's server, database and task queue."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "HABILITA_VAR": str(settings.var_dir),
           "TEMPORAL_ADDRESS": client.service_client.config.target_host, "TEMPORAL_NAMESPACE": client.namespace,
           "TEMPORAL_TASK_QUEUE": task_queue, "HABILITA_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
           "SECRET_KEY": "test-secret-key"}
    return subprocess.Popen([sys.executable, "-m", "habilita.cli", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def wait_for_vouchers(at_least: int, process: subprocess.Popen, timeout: float = 60) -> int:
    deadline = asyncio.get_running_loop().time() + timeout
    while (count := Voucher.select().count()) < at_least:
        if process.poll() is not None:
            raise AssertionError(f"the worker exited early: {process.stderr.read().decode()[-2000:]}")
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"only {count} vouchers after {timeout}s")
        await asyncio.sleep(0.02)
    return count


async def test_a_sync_resumes_after_its_worker_is_killed_and_posts_every_document_once(
        client, settings, task_queue, db, company, ledger, documents):
    documents(DOCUMENTS)
    p3 = P3(client, task_queue, company, SyncTuning(page_size=100, pages_per_call=5, heartbeat_timeout_seconds=3,
                                                    pause_between_pages_ms=40))
    first = worker_process(client, settings, task_queue)
    try:
        await p3.connected(ledger)
        sync = await p3.sync()
        await wait_for_vouchers(300, first)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    posted_before_the_crash = Voucher.select().count()
    assert 0 < posted_before_the_crash < DOCUMENTS, "the sync was not killed in its middle"

    async with build_worker(client, settings, task_queue=task_queue):
        result = await asyncio.wait_for(sync.result(), timeout=120)
        progress = await sync.query(AccountingSync.progress)

    assert result.posted == DOCUMENTS and result.documents_in_range == DOCUMENTS
    assert progress.cursor == ElectronicDocument.select().order_by(ElectronicDocument.id.desc()).first().id
    assert_each_document_posted_once_and_balanced(DOCUMENTS)
