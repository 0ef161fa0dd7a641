"""Temporal round-trip baselines the other benchmarks divide by.

A *bare activity* is a no-op activity run by a workflow; a *bare update* is
an update whose handler returns at once. Both run on a local dev server with
the same SQLite pragmas as `make run`.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from habilita.devstack.devserver import DevServerConfig


@activity.defn
async def bare_activity(n: int) -> int:
    return n


@workflow.defn
class BareActivities:
    @workflow.run
    async def run(self, count: int) -> int:
        for i in range(count):
            await workflow.execute_activity(bare_activity, i, start_to_close_timeout=timedelta(seconds=30))
        return count


@workflow.defn
class BareUpdates:
    def __init__(self) -> None:
        self._done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._done)

    @workflow.update
    async def touch(self, n: int) -> int:
        return n

    @workflow.signal
    def finish(self) -> None:
        self._done = True


@dataclass(frozen=True)
class Rate:
    ops: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds


@asynccontextmanager
async def dev_server(data_converter: DataConverter | None = None):
    """A fresh dev server on a WAL SQLite file, as `make run` configures it."""
    config = DevServerConfig.load()
    with tempfile.TemporaryDirectory() as folder:
        kwargs = {"data_converter": data_converter} if data_converter else {}
        env = await WorkflowEnvironment.start_local(
            dev_server_database_filename=str(Path(folder) / "temporal.db"), **config.environment_options(), **kwargs)
        try:
            yield env
        finally:
            await env.shutdown()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time process ``pid`` has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dev_server_pid() -> int:
    """The ``temporal server start-dev`` this process started (one at a time)."""
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == os.getpid() and b"start-dev" in (entry / "cmdline").read_bytes():
                return int(entry.name)
        except (ValueError, OSError):
            continue
    raise LookupError("no temporal dev server among this process's children")


@dataclass
class CpuMeter:
    """CPU seconds the dev server and this process (worker, driver) spend inside a ``with`` block."""

    server_pid: int
    server: float = 0.0
    ours: float = 0.0

    def __enter__(self) -> "CpuMeter":
        self._start = (cpu_seconds(self.server_pid), cpu_seconds(os.getpid()))
        return self

    def __exit__(self, *exc) -> None:
        self.server += cpu_seconds(self.server_pid) - self._start[0]
        self.ours += cpu_seconds(os.getpid()) - self._start[1]


def with_converter(client: Client, converter: DataConverter) -> Client:
    config = client.config()
    config["data_converter"] = converter
    return Client(**config)


async def bare_activity_rate(client: Client, *, workflows: int = 20, per_workflow: int = 10) -> Rate:
    """Activities per second: ``workflows`` in parallel, each ``per_workflow`` in sequence."""
    queue = f"bench-{uuid.uuid4()}"
    async with Worker(client, task_queue=queue, workflows=[BareActivities], activities=[bare_activity]):
        started = time.perf_counter()
        await asyncio.gather(*[
            client.execute_workflow(BareActivities.run, per_workflow, id=f"bare-act-{uuid.uuid4()}", task_queue=queue)
            for _ in range(workflows)
        ])
        return Rate(workflows * per_workflow, time.perf_counter() - started)


async def bare_update_rate(client: Client, *, updates: int = 200, parallel: int = 10) -> Rate:
    """Updates per second, ``parallel`` workflows receiving updates in sequence."""
    queue = f"bench-{uuid.uuid4()}"
    async with Worker(client, task_queue=queue, workflows=[BareUpdates]):
        handles = [await client.start_workflow(BareUpdates.run, id=f"bare-upd-{uuid.uuid4()}", task_queue=queue)
                   for _ in range(parallel)]

        async def drive(handle) -> None:
            for i in range(updates // parallel):
                await handle.execute_update(BareUpdates.touch, i)

        started = time.perf_counter()
        await asyncio.gather(*[drive(h) for h in handles])
        elapsed = time.perf_counter() - started
        for handle in handles:
            await handle.signal(BareUpdates.finish)
        return Rate(updates, elapsed)


def median_rate(rates: list[Rate]) -> float:
    return statistics.median(r.per_second for r in rates)
