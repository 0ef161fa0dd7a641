"""Thousands waiting for free: P1 processes waiting at a human step, and a step sent to one of them.

    .venv/bin/python bench/waiting.py [--processes 2000] [--steps 40] [--wait-seconds 60]

`habilita worker` runs in its own process, as in production, against a fresh
local dev server (the SQLite pragmas of `make run`) and a SQLite database.
First, with 10 processes waiting at P1's first human step (DIAN
registration, waiting on staff), the step is sent to each and the time
until its answer comes back is timed (``--steps`` answers, 10 processes
waiting at a time: the answered ones are terminated before the next 10
start). Then ``--processes`` P1 processes are started and left waiting; the
worker's CPU is read over ``--wait-seconds`` of waiting and its resident
memory after them, and the step is sent to ``--steps`` of them drawn at
random. The worker keeps ``habilita.worker.MAX_CACHED_WORKFLOWS`` runs in its
sticky cache: past that, a step sent to a process the worker let go of costs a
replay of its short history first. A step's answer is two activities and
three workflow tasks away; for the server's own part, the same number of
bare Temporal updates (a handler that returns at once, on a worker in this
process) are timed on the same server after each phase, and their p95 ratio
is given too. Starting the processes runs at the dev server's pace (about 30
a second here): the default of 2,000 takes about 2.5 minutes in all,
``--processes 10000`` about 7. Ends with exactly one line:

    waiting: 10,000 processes waiting: worker CPU 0.1% over 60 s, RSS 318 MB; step answered p95 161 ms vs 160 ms with 10 waiting (ratio 1.00; a bare Temporal update's ratio on the same server 0.71)
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from temporalio.worker import Worker

from temporal_baseline import BareUpdates, cpu_seconds, dev_server

from parts.p1 import answer_registration, make_companies, start_many, until_waiting
from parts.worker_process import rss_bytes, running_worker, worker_env

FIRST_STEP = "dian_registration"


async def bare_updates(handle, count: int) -> list[float]:
    """Seconds each of ``count`` bare updates took (Temporal alone: a handler that returns at once)."""
    samples = []
    for n in range(count):
        began = time.perf_counter()
        await handle.execute_update(BareUpdates.touch, n)
        samples.append(time.perf_counter() - began)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


async def answers_with_ten_waiting(processes, settings, steps: int) -> list[float]:
    """Rounds of 10 processes waiting, each answered once; the answered ones end before the next round."""
    samples: list[float] = []
    for round_number in range(-(-steps // 10)):
        companies = make_companies(10, first_nit=800_000_000 + round_number * 10)
        ids = await start_many(processes, companies, settings)
        await until_waiting(FIRST_STEP, 10, seconds=60, workflow_ids=ids)
        for workflow_id in ids[:steps - len(samples)]:
            samples.append(await answer_registration(processes, workflow_id))
        for workflow_id in ids:
            await processes.handle(workflow_id).terminate(reason="bench: the next ten wait")
    return samples


async def run(args) -> str:
    from habilita.adapters.codec import data_converter
    from habilita.models.database import open_database, upgrade
    from habilita.processes.client import ProcessClient
    from habilita.settings import Settings
    from habilita.worker import MAX_CACHED_WORKFLOWS

    var = Path(tempfile.mkdtemp(prefix="bench-waiting-"))
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings = Settings.from_env({"HABILITA_VAR": str(var), "DATABASE_URL": f"sqlite:///{var / 'bench.db'}",
                                  "HABILITA_ENCRYPTION_KEY": key, "SECRET_KEY": "bench"})
    upgrade(open_database(settings.database_url))
    async with dev_server(data_converter(key)) as env:
        queue, bare_queue = f"bench-waiting-{uuid.uuid4()}", f"bench-bare-{uuid.uuid4()}"
        processes = ProcessClient(env.client, task_queue=queue)
        async with Worker(env.client, task_queue=bare_queue, workflows=[BareUpdates]):
            bare = await env.client.start_workflow(BareUpdates.run, id=f"bare-{uuid.uuid4()}", task_queue=bare_queue)
            with running_worker(worker_env(settings, env.client, queue), log=var / "worker.log") as worker:
                few = await answers_with_ten_waiting(processes, settings, args.steps)
                bare_few = await bare_updates(bare, args.steps)
                print(f"with 10 waiting: {len(few)} steps answered, p50 {1000 * statistics.median(few):.0f} ms, "
                      f"p95 {1000 * p95(few):.0f} ms (a bare update: p95 {1000 * p95(bare_few):.0f} ms)")

                companies = make_companies(args.processes, first_nit=900_300_000)
                rss_before = rss_bytes(worker.pid)
                began = time.perf_counter()
                ids = await start_many(processes, companies, settings)
                started = time.perf_counter() - began
                settled = await until_waiting(FIRST_STEP, args.processes, seconds=900)
                print(f"{args.processes:,} processes started in {started:.1f} s, all waiting at {FIRST_STEP} "
                      f"{settled:.1f} s later ({args.processes / (started + settled):.0f} per second)")

                before = cpu_seconds(worker.pid)
                await asyncio.sleep(args.wait_seconds)
                cpu = 100 * (cpu_seconds(worker.pid) - before) / args.wait_seconds
                rss = rss_bytes(worker.pid)
                print(f"over {args.wait_seconds:.0f} s of waiting: worker CPU {cpu:.1f}% of a core, "
                      f"RSS {rss / 2**20:.0f} MB ({rss_before / 2**20:.0f} MB before they started; "
                      f"sticky cache of {MAX_CACHED_WORKFLOWS:,} runs)")

                many = [await answer_registration(processes, workflow_id)
                        for workflow_id in random.Random(7).sample(ids, args.steps)]
                bare_many = await bare_updates(bare, args.steps)
                print(f"with {args.processes:,} waiting: {len(many)} steps answered, "
                      f"p50 {1000 * statistics.median(many):.0f} ms, p95 {1000 * p95(many):.0f} ms "
                      f"(a bare update: p95 {1000 * p95(bare_many):.0f} ms)")
            await bare.signal(BareUpdates.finish)
    return (f"waiting: {args.processes:,} processes waiting: worker CPU {cpu:.1f}% over {args.wait_seconds:.0f} s, "
            f"RSS {rss / 2**20:.0f} MB; step answered p95 {1000 * p95(many):.0f} ms vs {1000 * p95(few):.0f} ms "
            f"with 10 waiting (ratio {p95(many) / p95(few):.2f}; a bare Temporal update's ratio on the same server "
            f"{p95(bare_many) / p95(bare_few):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2_000, help="processes left waiting (10000 for the full figure)")
    parser.add_argument("--steps", type=int, default=40, help="steps answered with 10 waiting, and with all waiting")
    parser.add_argument("--wait-seconds", type=float, default=60, help="how long the worker's CPU is read while all wait")
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
