"""Two workers share the work: P1 flows per second with one worker process and with two, and one killed mid-call.

    .venv/bin/python bench/workers.py [--flows 30] [--drill-flows 6]

Every worker is `habilita worker` in its own process (``python -m
habilita.cli worker``), on one task queue of a fresh local dev server, with
the DIAN and billing simulators in processes of their own and one SQLite
database; the bench process only drives the flows, as staff would (see
``parts/flows.py``: own and loaned certificates alternate, a test set of 2
invoices, 1 credit and 1 debit note).

1. ``--flows`` complete P1 flows at once with one worker, then as many with
   two: flows per second, the CPU each worker, the Temporal server and the
   whole machine spent meanwhile (a second worker only adds throughput where
   the first one, not the machine, was the limit: on two cores shared by the
   server, the simulators and the driver, the machine is), and the share of
   the flows' activities each worker ran (the histories' identities).
2. The drill: ``--drill-flows`` flows with two workers, DIAN keeping every
   test set "in process" until they all wait on it; then each status query
   takes 10 s, and once the first worker is inside one it is killed with
   SIGKILL and DIAN answers again. Its status queries heartbeat (every 5 s,
   ``HEARTBEAT_TIMEOUT`` 20 s): the server gives up on them and the second
   worker runs them again. The figure is the time from the kill to the
   last of them starting on the survivor (the histories' retry attempts).
   Nothing lost: every flow ends enabled; nothing repeated: DIAN saw each
   document once.

Ends with exactly one line:

    workers: 1.93 flows/s with one worker, 2.30 with two (ratio 1.19, 30 flows each); a killed worker's 2 DIAN calls resumed on the other after 21.8 s (heartbeat timeout 20 s), 6 flows enabled, each document seen once
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os
import signal
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import requests
from temporalio.api.enums.v1 import EventType, PendingActivityState

from temporal_baseline import cpu_seconds, dev_server, dev_server_pid

from parts.flows import Console, Stack, bench_settings, every_flow, outside_systems
from parts.p1 import make_companies
from parts.worker_process import machine_cpu_seconds, running_worker, start_worker, stop, worker_env

CHILDREN = ("", "-certificate", "-test-set")
SLOW_STATUS_SECONDS = 10


@dataclass
class Throughput:
    flows: int
    seconds: float
    ran_by: Counter
    cpu: dict  # CPU seconds spent during the flows: by each worker, the Temporal server, the whole machine

    @property
    def per_second(self) -> float:
        return self.flows / self.seconds


async def flows_at_once(stack: Stack, companies) -> tuple[list[str], float]:
    began = time.perf_counter()
    done = await every_flow(stack, companies)
    return [workflow_id for workflow_id, _ in done], time.perf_counter() - began


async def activity_starts(client, workflow_ids: list[str]):
    """Every ``ActivityTaskStarted`` of the flows and their children: (workflow id, event, its scheduling)."""
    for parent in workflow_ids:
        for suffix in CHILDREN:
            scheduled = {}
            async for event in client.get_workflow_handle(parent + suffix).fetch_history_events():
                if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                    scheduled[event.event_id] = event.activity_task_scheduled_event_attributes
                elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                    started = event.activity_task_started_event_attributes
                    yield parent + suffix, event, scheduled[started.scheduled_event_id]


async def throughput(stack: Stack, companies, workers: list) -> Throughput:
    processes = {f"worker {n}": w.pid for n, w in enumerate(workers, 1)}
    processes["Temporal server"] = dev_server_pid()
    before = {name: cpu_seconds(pid) for name, pid in processes.items()}
    machine = machine_cpu_seconds()
    ids, seconds = await flows_at_once(stack, companies)
    cpu = {name: cpu_seconds(pid) - before[name] for name, pid in processes.items()}
    cpu[f"the whole machine ({os.cpu_count()} cores, everyone's)"] = machine_cpu_seconds() - machine
    ran_by = Counter()
    async for _, event, _ in activity_starts(stack.client, ids):
        ran_by[event.activity_task_started_event_attributes.identity] += 1
    return Throughput(len(ids), seconds, ran_by, cpu)


def identity_of(process) -> str:
    """How `habilita worker` names itself (``habilita.worker.worker_identity``), by its pid."""
    return f"habilita-worker {process.pid}@"


def set_faults(dian_url: str, method: str, **switches) -> None:
    requests.request(method, f"{dian_url}/_faults", json=switches, timeout=10).raise_for_status()


async def until(check, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench: never saw {what}")
        await asyncio.sleep(0.2)


@dataclass
class Drill:
    in_flight: int
    resumed_after: float
    flows: int
    documents: int
    seen_more_than_once: int


async def kill_drill(stack: Stack, companies, dian_url: str, env: dict, var: Path) -> Drill:
    """Two workers; the first killed inside DIAN status queries; how long until they ran on the second."""
    from habilita.models import ProcessRecord
    from habilita.processes import EINVOICING
    from habilita.workflows.test_set import ID_SUFFIX as TEST_SET_SUFFIX

    client = stack.client
    first = start_worker(env, log=var / "drill-first.log")
    second = start_worker(env, log=var / "drill-second.log")
    try:
        set_faults(dian_url, "PUT", in_process_forever=True)
        flows = every_flow(stack, companies)
        test_sets = [EINVOICING.workflow_id(c) + TEST_SET_SUFFIX for c in companies]

        async def all_waiting_on_dian() -> bool:
            return ProcessRecord.select().where(ProcessRecord.workflow_id.in_(test_sets)
                                                & (ProcessRecord.current_step == "validating")).count() == len(test_sets)

        await until(all_waiting_on_dian, "every test set waiting on DIAN", seconds=180)
        set_faults(dian_url, "POST", delay_seconds=SLOW_STATUS_SECONDS)
        on_first: set[tuple[str, str]] = set()

        async def first_inside_a_status_query() -> bool:
            on_first.clear()
            for workflow_id in test_sets:
                for pending in (await client.get_workflow_handle(workflow_id).describe()).raw_description.pending_activities:
                    if (pending.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
                            and pending.last_worker_identity.startswith(identity_of(first))):
                        on_first.add((workflow_id, pending.activity_id))
            return bool(on_first)

        await until(first_inside_a_status_query, "the first worker inside a slow DIAN status query", seconds=60)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = datetime.now(timezone.utc)
        set_faults(dian_url, "DELETE")
        ids = [workflow_id for workflow_id, _ in await asyncio.wait_for(flows, timeout=240)]
    finally:
        stop(first)
        stop(second)
    resumed = []
    async for workflow_id, event, scheduled in activity_starts(client, ids):
        started = event.activity_task_started_event_attributes
        if (workflow_id, scheduled.activity_id) in on_first:
            assert started.attempt >= 2 and not started.identity.startswith(identity_of(first)), started
            resumed.append((event.event_time.ToDatetime(timezone.utc) - killed_at).total_seconds())
    assert len(resumed) == len(on_first), f"{len(on_first)} calls were in flight on the killed worker, {len(resumed)} resumed"
    received = requests.get(f"{dian_url}/_received", timeout=10).json()
    return Drill(in_flight=len(on_first), resumed_after=max(resumed), flows=len(ids), documents=len(received),
                 seen_more_than_once=sum(r["times_seen"] > 1 for r in received))


async def run(args) -> str:
    from habilita.activities.heartbeat import HEARTBEAT_TIMEOUT
    from habilita.adapters.codec import data_converter
    from habilita.models.database import open_database, upgrade

    var = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    with outside_systems(var) as (dian_url, billing_url):
        settings = bench_settings(var, key, dian_url, billing_url)
        upgrade(open_database(settings.database_url))
        async with dev_server(data_converter(key)) as server:
            def stack(queue: str) -> Stack:
                return Stack(settings, dian_url, billing_url, server.client, queue, Console())

            one_stack, two_stack, drill_stack = (stack(f"bench-workers-{uuid.uuid4()}") for _ in range(3))
            with running_worker(worker_env(settings, server.client, one_stack.queue), log=var / "one.log") as alone:
                async with one_stack.console:
                    one = await throughput(one_stack, make_companies(args.flows, first_nit=900_400_000), [alone])
            two_env = worker_env(settings, server.client, two_stack.queue)
            with running_worker(two_env, log=var / "two-a.log") as a, running_worker(two_env, log=var / "two-b.log") as b:
                async with two_stack.console:
                    two = await throughput(two_stack, make_companies(args.flows, first_nit=900_500_000), [a, b])
            async with drill_stack.console:
                drill = await kill_drill(drill_stack, make_companies(args.drill_flows, first_nit=900_600_000), dian_url,
                                         worker_env(settings, server.client, drill_stack.queue), var)
    for name, run_ in (("one worker", one), ("two workers", two)):
        print(f"{name}: {run_.flows} flows in {run_.seconds:.1f} s ({run_.per_second:.2f}/s); CPU "
              + ", ".join(f"{who} {100 * spent / run_.seconds:.0f}%" for who, spent in run_.cpu.items()))
    shares = ", ".join(f"{100 * n / sum(two.ran_by.values()):.0f}%" for n in two.ran_by.values())
    print(f"two workers: their activities split {shares}")
    print(f"drill: {drill.in_flight} DIAN status queries in flight on the killed worker, the last resumed on the "
          f"other {drill.resumed_after:.1f} s after the kill; {drill.flows} flows enabled; DIAN saw "
          f"{drill.documents} documents, {drill.seen_more_than_once} of them more than once")
    seen = "each document seen once" if drill.seen_more_than_once == 0 else \
        f"{drill.seen_more_than_once} documents seen more than once"
    return (f"workers: {one.per_second:.2f} flows/s with one worker, {two.per_second:.2f} with two "
            f"(ratio {two.per_second / one.per_second:.2f}, {args.flows} flows each); a killed worker's "
            f"{drill.in_flight} DIAN calls resumed on the other after {drill.resumed_after:.1f} s "
            f"(heartbeat timeout {HEARTBEAT_TIMEOUT.total_seconds():.0f} s), {drill.flows} flows enabled, {seen}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=30, help="complete P1 flows at once, with one worker and with two")
    parser.add_argument("--drill-flows", type=int, default=6, help="flows running when a worker is killed")
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
