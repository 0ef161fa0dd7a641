"""The storm with the Temporal server killed in the middle and started again on its database file.

A file-backed dev server of this test's own (free ports, the project's
search attributes, pragmas and dynamic config), the order worker in its own
process and the receiver against it. Once the worker polls, the storm is
played; when a third of its notifications were acknowledged the server is
killed (SIGKILL, as a crash or an OOM kill would end it) and, after a few
seconds down, started again with the same file and ports. Meanwhile the receiver answers 503 within its budget, and this
test's marketplace, which tries each notification once, lists those in its
missed feeds; the worker process keeps polling and carries on once the
server is back, without a restart; the reconciliation catches what the
notifications lost (and the storm's silent orders). At the end: exactly one
invoice per eligible order at the ERP simulator, none for any other.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import signal
import subprocess
import time
from pathlib import Path

import pytest
import pytest_asyncio
import requests
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    DescribeTaskQueueRequest,
    GetSystemInfoRequest,
)
from temporalio.client import Client

from habilita.adapters.codec import data_converter
from habilita.devstack.devserver import DevServerConfig, temporal_binary
from habilita.messages.stored import from_text
from habilita.simulators.marketplace.dispatcher import DeliveryPolicy
from habilita.simulators.marketplace.server import serve_in_thread as serve_marketplace
from habilita.simulators.marketplace.store import Marketplace
from habilita.workflows.channel_reconciliation import ChannelReconciliation
from tests.channels_orders.conftest import SELLER, TOKEN, terminate_orders, worker_process
from tests.channels_orders.test_storm import reconciled, wait_settled
from tests.harness import TEST_ENCRYPTION_KEY, free_port

ORDERS, NOTIFICATIONS, SILENT = 150, 600, 10
# The server is killed once a third of the notifications were acknowledged, and stays down this long.
DOWN_SECONDS = 4.0


class FileBackedServer:
    """``temporal server start-dev`` on a database file and fixed ports, which a test may kill and start again."""

    def __init__(self, folder: Path) -> None:
        config = DevServerConfig.load()
        self.config = dataclasses.replace(config, port=free_port(), ui_port=free_port(),
                                          db_filename=str(folder / "temporal.db"))
        self.address = f"{self.config.ip}:{self.config.port}"
        self.log = folder / "temporal.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def command(self) -> list[str]:
        """The project's dev server command line (temporal-dev.yaml: namespace, search attributes, pragmas,
        dynamic config) on this test's file and ports, without the UI."""
        return self.config.command(temporal_binary(), root=Path("/")) + ["--headless"]

    async def start(self, seconds: float = 30) -> float:
        """Start the server and wait until it answers; the seconds that took."""
        started = time.monotonic()
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)
        self.starts += 1
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the Temporal server exited at start: {self.log.read_text()[-3000:]}")
            try:
                client = await Client.connect(self.address, namespace=self.config.namespace)
                await client.workflow_service.get_system_info(GetSystemInfoRequest())
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=self.config.namespace))
                return time.monotonic() - started
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() - started > seconds:
                    raise AssertionError(f"the Temporal server did not answer within {seconds}s: "
                                         f"{self.log.read_text()[-3000:]}") from None
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def marketplace_simulator():
    """The marketplace with one attempt per notification: each one the receiver answers 503 while Temporal is
    down is lost to the missed feeds at once, so only the reconciliation can bring it back. (With retries
    the storm's backlog goes first, and the retries land after the restart: tests/channels_orders/test_storm.py
    and tests/channels_marketplace cover them.)"""
    server = serve_marketplace(Marketplace(), port=free_port(),
                               policy=DeliveryPolicy(timeout=0.5, retry_delays=(), workers=2))
    yield server
    server.close()


@pytest_asyncio.fixture
async def temporal_server(tmp_path):
    server = FileBackedServer(tmp_path)
    await server.start(seconds=60)
    yield server
    server.stop()


@pytest_asyncio.fixture
async def client(temporal_server) -> Client:
    """This module's Temporal: the file-backed server above, not the session's (the hub and the worker use it)."""
    return await Client.connect(temporal_server.address, namespace=temporal_server.config.namespace,
                                data_converter=data_converter(TEST_ENCRYPTION_KEY))


async def polling(hub, worker, seconds: float = 60) -> None:
    """Wait until the worker process polls the test's task queue (so the storm meets a running worker)."""
    request = DescribeTaskQueueRequest(namespace=hub.client.namespace, task_queue=TaskQueue(name=hub.task_queue),
                                       task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
    deadline = time.monotonic() + seconds
    while not (await hub.client.workflow_service.describe_task_queue(request)).pollers:
        if worker.poll() is not None:
            raise AssertionError(f"the worker exited at start: {worker.stderr.read().decode()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the worker did not poll within {seconds}s")
        await asyncio.sleep(0.1)


async def acknowledged(hub, count: int, worker, seconds: float = 60) -> None:
    """Wait until the marketplace has ``count`` notifications acknowledged by the receiver."""
    deadline = time.monotonic() + seconds
    while sum(n.acknowledged for n in hub.marketplace.marketplace.notifications()) < count:
        if worker.poll() is not None:
            raise AssertionError(f"the worker exited early: {worker.stderr.read().decode()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {count} notifications acknowledged after {seconds}s")
        await asyncio.sleep(0.05)


async def test_a_storm_survives_a_temporal_restart_with_exactly_one_invoice_per_eligible_order(hub,
                                                                                               temporal_server):
    began = time.monotonic()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    worker = worker_process(hub)
    try:
        await polling(hub, worker)
        manifest = requests.post(hub.marketplace.url + "/_admin/storm", timeout=30, json={
            "seed": 43, "orders": ORDERS, "notifications": NOTIFICATIONS, "silent": SILENT, "seller_id": SELLER,
            "token": TOKEN, "now": now.isoformat()}).json()["manifest"]
        to_invoice = manifest["groups"]["to_invoice"]
        silent = set(manifest["groups"]["silent"])
        assert manifest["counts"]["notifications"] == NOTIFICATIONS and len(silent) == SILENT

        await acknowledged(hub, NOTIFICATIONS // 3, worker)
        temporal_server.kill()
        pending_at_kill = hub.marketplace.marketplace.pending()
        at_kill = len(hub.invoices())
        accepted_before = hub.receiver.receiver.counts["accepted"]
        await asyncio.sleep(DOWN_SECONDS)
        unavailable = hub.receiver.receiver.counts["unavailable"]
        accepted_while_down = hub.receiver.receiver.counts["accepted"] - accepted_before
        restart_seconds = await temporal_server.start()
        assert at_kill < len(to_invoice) - SILENT and pending_at_kill > 0, \
            "the server was not killed in the middle of the storm"
        # While the server was down every notification that reached the receiver was answered 503 (the call to
        # Temporal failed within its budget), none accepted.
        assert unavailable > 0 and accepted_while_down <= 4, (unavailable, accepted_while_down)
        assert worker.poll() is None, f"the worker died with the server: {worker.stderr.read().decode()[-3000:]}"

        await wait_settled(hub)
        # Read again now that nothing is queued or in flight: the admin answer lists the notifications before it
        # counts the pending ones, so its list may still hold a delivery in flight.
        sent = [r.admin_entry() for r in hub.marketplace.marketplace.notifications() if not r.held]
        # Not acknowledged: answered 503, or (the server's start is a burst of CPU on a small machine) answered
        # after the marketplace's 500 ms; either way listed in the missed feeds. (The 500 ms rule in steady
        # state: test_storm.py.)
        lost = [n for n in sent if not n["acknowledged"]]
        assert len(lost) >= unavailable and all(
            n["response"]["http_code"] == 503 or n["response"]["req_time"] >= 500 for n in lost), \
            [n["response"] for n in lost if n["response"]["http_code"] != 503][:5]

        # The reconciliation: the silent orders and whatever the marketplace gave up on while Temporal was down.
        reconciliation, want, rows = await reconciled(
            hub, manifest, seconds=max(30.0, 85 - (time.monotonic() - began)))
        progress = await reconciliation.query(ChannelReconciliation.progress)
        # The same worker process did it all: it outlived the server's restart.
        assert worker.poll() is None, f"the worker died: {worker.stderr.read().decode()[-3000:]}"
        await terminate_orders(hub)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
        worker.wait()

    assert temporal_server.starts == 2 and restart_seconds < 30
    assert {o: (rows[o].state, from_text(rows[o].reason).code) for o in want} == want
    # Exactly one invoice per eligible order — the silent ones and those lost while Temporal was down
    # included — and none for any other.
    assert hub.invoices_by_order() == {o: 1 for o in to_invoice}
    assert all(rows[o].invoice_id and rows[o].invoice_number for o in to_invoice)
    assert progress.last.active and progress.signalled >= SILENT
    assert hub.erp.state.guard._blocked == set()
