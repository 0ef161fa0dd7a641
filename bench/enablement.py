"""Bench P1: N complete electronic-invoicing enablements, driven like staff would, at once.

    .venv/bin/python bench/enablement.py [--flows 30] [--rounds 3] [--profile]

Each flow is a company going from DIAN registration to "ready to invoice":
a driver answers every human step through its update as soon as the
projection shows the step waiting (own and loaned certificates alternate;
the test set is 2 invoices, 1 credit note, 1 debit note). The DIAN and
billing simulators run as separate processes on loopback, as `habilita dev`
starts them (``python -m habilita.simulators.dian`` / ``python -m habilita.simulators.billing``),
so their CPU does not share this process's GIL; the worker runs in this
process, built by ``habilita.worker.build_worker`` (its workflows in the
sandbox, imported once per worker: ``habilita.workflow_sandbox``), against a
fresh local dev server with the same SQLite pragmas as `make run`.

**Per-step cost**, precisely: the wall time of a round of flows divided by
the number of activities its flows' workflows completed (every
``ActivityTaskCompleted``, and every local activity's marker: the
projections, audit entries, notifications and the other short writes of
our own database, in the histories of the parents and their certificate and
test-set children), divided by the wall time per activity of
``bench.temporal_baseline.bare_activity_rate`` measured on the same server in
the same run. A ratio of 1 means an enablement step costs what a no-op
activity costs; what it adds on top is the real work (signing, PDFs, DIAN
and billing over HTTP, SQLite writes), the updates, the driver's waits and
the timers of the test set's polling. The baseline is the median of the
bare runs of 20 workflows at once (three before the flows, one between two
rounds, two after, so a change in the machine's other load during the run
weighs on both sides), which keep both cores busy; the default of
30 flows does the same (with 10, a flow's own floor of about 3 s, mostly the
test set's first poll a second after sending, is half the run and the
machine idles). Before the measure, ``WARM_UP_FLOWS`` flows (one with its own
certificate, one with a loaned one) run through the same worker and
simulators, and are not counted: what a process does once, on its first use
(the letter's font faces prepared, ~0.8 s; the DIAN simulator's XSD schemas
compiled, ~1.4 s; modules imported), is not the cost of a step, and a worker
runs for days. The bare runs' one such cost, their first run's imports,
weighs on one run of several, and the baseline is their median.

**Rounds.** One run of 30 flows lasts ~12 s, and on two shared cores the
same code gave per-step ratios from 1.26 to 1.77 in one morning: a single
round says little. The flows run in ``--rounds`` rounds (3 by default; new
companies each round, the same worker, whose sticky cache keeps the earlier
rounds' finished runs as a worker in service would), each round's ratio
against the same baseline, and the figure is their median; every round's
ratio is printed.

``CPU per activity`` says which side the cost is on: the Temporal server's
CPU and this process's (worker and driver) per completed activity, each
against the same figure of the bare runs. The flows also
send updates (the staff's answers), which cost a workflow task each: a
second ratio prices the same activities and updates at their bare rates
(``bare_update_rate``, also measured in the run). Above a ratio of 1.5, and
with ``--profile``, the bench prints where the activity time goes (queue wait
and run time per activity type, from the histories, which costs the run
nothing); ``--profile`` also samples where this process's threads (worker and
driver, not the simulators) stand, every 5 ms. The sampler walks every
thread's stack under the GIL, ~2 ms of this process's CPU per activity (a
tenth of it) that the bare runs do not pay, so it runs only when asked and the
last line says so. Ends with exactly one line, which says whether the worker
ran its workflows in the sandbox (read from the worker's configuration) and
the command that measured it:

    enablement: 3 rounds of 30 flows, 2.27 flows/s (per-step ratio 1.44 vs bare activity, median of 1.42, 1.44, 1.61; workflow sandbox on, after 2 warm-up flows): .venv/bin/python bench/enablement.py --flows 30 --rounds 3
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from temporal_baseline import (
    CpuMeter, bare_activity_rate, bare_update_rate, dev_server, dev_server_pid, median_rate,
)

from parts.flows import Console, Stack, bench_settings, every_flow, outside_systems
from parts.p1 import make_companies

from habilita.support.narrate import LOCAL_ACTIVITY_MARKER


@dataclass
class Profile:
    """Seconds spent per activity type: waiting in the task queue, and running."""

    queued: dict = field(default_factory=lambda: defaultdict(float))
    running: dict = field(default_factory=lambda: defaultdict(float))
    count: dict = field(default_factory=lambda: defaultdict(int))

    def lines(self, top: int = 8) -> list[str]:
        order = sorted(self.running, key=lambda k: self.running[k] + self.queued[k], reverse=True)[:top]
        return [f"  {name:<32} {self.count[name]:>4} runs  run {self.running[name]:7.2f} s  "
                f"queued {self.queued[name]:7.2f} s" for name in order]


WARM_UP_FLOWS = 2  # one own certificate, one loaned: every path's one-time costs, run before the measure
ROOT = str(Path(__file__).resolve().parent.parent) + os.sep
IDLE = {"wait", "select", "poll", "accept", "get", "_worker", "sleep", "recv_into", "readinto", "serve_forever",
        "_run_once", "run_forever", "_wait_for_tstate_lock", "join"}


class Sampler:
    """Every few milliseconds, where each busy thread stands: the innermost frame in
    our code (or the library it is in), so the profile says which part costs time.
    Not ``enabled``, it samples nothing and costs nothing."""

    def __init__(self, every: float = 0.005, *, enabled: bool = True) -> None:
        self.samples: dict = defaultdict(int)
        self.enabled = enabled
        self._every = every

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self._every):
            for ident, frame in sys._current_frames().items():
                if ident != me and frame.f_code.co_name not in IDLE:
                    self.samples[self._place(frame)] += 1

    @staticmethod
    def _place(frame) -> str:
        library = ""
        while frame is not None:
            path = frame.f_code.co_filename
            if path.startswith(ROOT) and "/.venv/" not in path:
                return f"{path[len(ROOT):]}:{frame.f_code.co_name}" + (f" ({library})" if library else "")
            if not library and "site-packages/" in path:
                library = path.split("site-packages/")[1].split("/")[0]
            frame = frame.f_back
        return library or "other"

    def __enter__(self) -> "Sampler":
        """Sample until the block ends; entered again (the next round), it adds to the same samples."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="sampler")
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self.enabled:
            self._thread.join()

    def lines(self, top: int = 12) -> list[str]:
        total = sum(self.samples.values()) or 1
        ranked = sorted(self.samples.items(), key=lambda kv: kv[1], reverse=True)[:top]
        return [f"  {100 * n / total:5.1f}%  {place}" for place, n in ranked]


@dataclass
class Steps:
    """What the flows' histories completed: activities (local ones included) and updates."""

    activities: int = 0
    updates: int = 0


async def count_steps(client, workflow_id: str, steps: Steps, profile: Profile) -> None:
    """Add one workflow's completed activities and updates to ``steps``, and activity times to ``profile``."""
    scheduled, started = {}, {}
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        at = event.event_time.ToDatetime()
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[event.event_id] = (event.activity_task_scheduled_event_attributes.activity_type.name, at)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started[event.activity_task_started_event_attributes.scheduled_event_id] = at
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            sid = event.activity_task_completed_event_attributes.scheduled_event_id
            name, queued_at = scheduled[sid]
            profile.count[name] += 1
            profile.queued[name] += (started[sid] - queued_at).total_seconds()
            profile.running[name] += (at - started[sid]).total_seconds()
            steps.activities += 1
        elif (event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
              and event.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER):
            steps.activities += 1  # a projection or another short write, run within the workflow task
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            steps.updates += 1


@dataclass
class Round:
    """One round of flows: their workflow ids and seconds each, the round's wall time, and what they completed."""

    done: list
    elapsed: float
    steps: Steps = field(default_factory=Steps)

    @property
    def per_step(self) -> float:
        return self.elapsed / self.steps.activities


async def run(args) -> str:
    from habilita.adapters.codec import data_converter
    from habilita.models.database import open_database, upgrade
    from habilita.worker import build_worker

    var = Path(tempfile.mkdtemp(prefix="bench-enablement-"))
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    with outside_systems(var) as (dian_url, billing_url):
        settings = bench_settings(var, key, dian_url, billing_url)
        upgrade(open_database(settings.database_url))
        warm_up = make_companies(WARM_UP_FLOWS, first_nit=900_100_000)
        async with dev_server(data_converter(key)) as env:
            bare_cpu, flows_cpu = CpuMeter(dev_server_pid()), CpuMeter(dev_server_pid())
            with bare_cpu:
                # The baseline is noisy on two cores shared with others: three runs before the flows,
                # one between two rounds and two after them, the median of them all.
                bare_runs = [await bare_activity_rate(env.client) for _ in range(3)]
            bare_update = median_rate([await bare_update_rate(env.client) for _ in range(3)])
            stack = Stack(settings, dian_url, billing_url, env.client, f"bench-{uuid.uuid4()}", Console())
            worker = build_worker(env.client, settings, task_queue=stack.queue)
            sandboxed = isinstance(worker.config(active_config=True).get("workflow_runner"), SandboxedWorkflowRunner)
            sampler, rounds = Sampler(enabled=args.profile), []
            async with worker, stack.console:
                await every_flow(stack, warm_up)
                for number in range(args.rounds):
                    if number:
                        with bare_cpu:
                            bare_runs.append(await bare_activity_rate(env.client))
                    companies = make_companies(args.flows, first_nit=900_200_000 + number * 100_000)
                    with sampler, flows_cpu:
                        began = time.perf_counter()
                        done = await every_flow(stack, companies)
                        rounds.append(Round(done, time.perf_counter() - began))
            with bare_cpu:
                bare_runs += [await bare_activity_rate(env.client) for _ in range(2)]
            bare_rate = median_rate(bare_runs)
            profile = Profile()
            for one in rounds:
                for workflow_id, _ in one.done:
                    for suffix in ("", "-certificate", "-test-set"):
                        await count_steps(env.client, workflow_id + suffix, one.steps, profile)
    per_bare = 1 / bare_rate
    activities = sum(r.steps.activities for r in rounds)
    updates = sum(r.steps.updates for r in rounds)
    flows = sum(len(r.done) for r in rounds)
    elapsed = sum(r.elapsed for r in rounds)
    latencies = sorted(seconds for r in rounds for _, seconds in r.done)
    ratios = [r.per_step / per_bare for r in rounds]
    ratio = statistics.median(ratios)
    print(f"bare activity: {bare_rate:.1f}/s ({per_bare * 1000:.1f} ms each, median of {len(bare_runs)}: "
          + ", ".join(f"{r.per_second:.0f}" for r in bare_runs) + ")")
    for number, one in enumerate(rounds, 1):
        print(f"round {number}: {len(one.done)} flows in {one.elapsed:.1f} s: {one.steps.activities} activities "
              f"({one.steps.activities / len(one.done):.0f} per flow), {one.per_step * 1000:.1f} ms each "
              f"(ratio {one.per_step / per_bare:.2f})")
    print(f"one flow takes {latencies[len(latencies) // 2]:.1f} s (median), {latencies[-1]:.1f} s at most")
    bare_count = sum(r.ops for r in bare_runs)
    print("CPU per activity: " + ", ".join(
        f"{name} {1000 * ours / activities:.1f} ms ({ours / activities / (bare / bare_count):.1f}x bare)"
        for name, ours, bare in (("Temporal server", flows_cpu.server, bare_cpu.server),
                                 ("worker and driver", flows_cpu.ours, bare_cpu.ours))))
    bare_mix = activities / bare_rate + updates / bare_update
    print(f"the same steps on bare Temporal: {activities} activities and {updates} updates "
          f"({bare_update:.1f} bare updates/s) = {bare_mix:.1f} s; ratio {elapsed / bare_mix:.1f} counting the updates")
    if args.profile or ratio > 1.5:
        print("activity time by type (summed over the flows, which overlap):")
        print("\n".join(profile.lines()))
        if sampler.enabled:
            print("where busy threads stood (samples every 5 ms, this process: worker and driver):")
            print("\n".join(sampler.lines()))
        else:
            print("where this process's threads stood: run with --profile to sample them")
    command = (f".venv/bin/python bench/enablement.py --flows {args.flows} --rounds {args.rounds}"
               + (" --profile" if args.profile else ""))
    return (f"enablement: {len(rounds)} round{'s' if len(rounds) != 1 else ''} of {args.flows} flows, "
            f"{flows / elapsed:.2f} flows/s "
            f"(per-step ratio {ratio:.2f} vs bare activity, median of " + ", ".join(f"{r:.2f}" for r in ratios)
            + f"; workflow sandbox {'on' if sandboxed else 'OFF'}, after {WARM_UP_FLOWS} warm-up flows"
            f"{', threads sampled' if sampler.enabled else ''}): {command}")


def at_least_one(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=at_least_one, default=30,
                        help="complete enablements to run at once, each round")
    parser.add_argument("--rounds", type=at_least_one, default=3, help="rounds of flows; the figure is their median")
    parser.add_argument("--profile", action="store_true",
                        help="print activity time by type, and sample where this process's threads stand")
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
