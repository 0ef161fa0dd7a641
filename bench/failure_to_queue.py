"""From a failure to its row in the support queue, at 10,000 processes.

Builds a SQLite database with 10,000 process projections (healthy, or waiting
within their SLA) and runs, on a local Temporal dev server with the worker as
`habilita worker` runs it (the activity health interceptor and the projection
reconciler every 5 s), three kinds of failure of a small process:

- **terminated** outside the console (as from Temporal's UI);
- **failed** at once by a check that can never succeed (non-retryable);
- **retrying** a DIAN call while the process waits on staff (DIAN answers 503).

For each, the time from the failure to the first ``find_stuck`` that lists
the process with the right signal (ours), and to the first moment Temporal
itself shows it (the baseline: visibility lists the execution as closed, or
``describe`` shows the activity's failed attempt), polled side by side.

    python bench/failure_to_queue.py [--rows 10000] [--each 10]
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import logging
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from habilita.activities.health import ActivityHealth  # noqa: E402
from habilita.adapters.codec import data_converter  # noqa: E402
from habilita.adapters.dian_client import DianClient  # noqa: E402
from habilita.devstack.devserver import DevServerConfig  # noqa: E402
from habilita.dian.certificates import generate_test_certificate  # noqa: E402
from habilita.models import Company, ProcessRecord  # noqa: E402
from habilita.models.database import open_database, upgrade  # noqa: E402
from habilita.settings import Settings  # noqa: E402
from habilita.simulators.dian.server import make_server  # noqa: E402
from habilita.support.reconcile import ProjectionReconciler  # noqa: E402
from habilita.support.stuck import ACTIVITY_RETRYING, PROCESS_FAILED, QueueOptions, find_stuck  # noqa: E402
from habilita.worker import WORKFLOWS, build_activities, workflow_runner  # noqa: E402
from support_queue import percentile, populate  # noqa: E402
from tests.support.drill import DrillActivities, DrillProcess, DrillStart  # noqa: E402

POLL_SECONDS = 0.25


class Watch:
    """When each process was first seen failed: in our queue, and by Temporal itself."""

    def __init__(self) -> None:
        self.failed_at: dict[str, float] = {}
        self.ours: dict[str, float] = {}
        self.temporal: dict[str, float] = {}
        self.kind: dict[str, str] = {}

    def pending(self) -> list[str]:
        return [w for w in self.failed_at if w not in self.ours or w not in self.temporal]


async def temporal_knows(client, workflow_id: str, kind: str) -> bool:
    """The baseline: Temporal's own record shows the failure."""
    if kind == "retrying":
        described = await client.get_workflow_handle(workflow_id).describe()
        return any(p.HasField("last_failure") for p in described.raw_description.pending_activities)
    status = "Terminated" if kind == "terminated" else "Failed"
    found = [e async for e in client.list_workflows(f"WorkflowId = '{workflow_id}' AND ExecutionStatus = '{status}'")]
    return bool(found)


async def poll(client, options: QueueOptions, watch: Watch, expected: int, until: float) -> None:
    wanted = {"terminated": PROCESS_FAILED, "failed": PROCESS_FAILED, "retrying": ACTIVITY_RETRYING}
    while (len(watch.failed_at) < expected or watch.pending()) and time.monotonic() < until:
        queue = {s.workflow_id: s for s in await find_stuck(client, options=options)}
        now = time.monotonic()
        for workflow_id in watch.pending():
            entry = queue.get(workflow_id)
            if workflow_id not in watch.ours and entry is not None and wanted[watch.kind[workflow_id]] in entry.signals:
                watch.ours[workflow_id] = now
            if workflow_id not in watch.temporal and await temporal_knows(client, workflow_id, watch.kind[workflow_id]):
                watch.temporal[workflow_id] = time.monotonic()
        await asyncio.sleep(POLL_SECONDS)


async def main(rows: int, each: int) -> None:
    for noisy in ("temporalio", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    work = Path(tempfile.mkdtemp(prefix="bench-failure-"))
    key = base64.urlsafe_b64encode(b"f" * 32).decode()
    settings = Settings.from_env({"HABILITA_VAR": str(work / "var"), "DATABASE_URL": f"sqlite:///{work / 'h.db'}",
                                  "HABILITA_ENCRYPTION_KEY": key, "SECRET_KEY": "bench",
                                  "TEMPORAL_TASK_QUEUE": f"bench-failure-{uuid.uuid4()}"})
    upgrade(open_database(settings.database_url))
    company = Company.create(country="CO", tax_id="900123456", check_digit="8", legal_name="Bench SAS")
    populate(rows - 3 * each, 0, company.id)
    config = DevServerConfig.load()
    env = await WorkflowEnvironment.start_local(data_converter=data_converter(key), dev_server_log_level="error",
                                                **config.environment_options())
    client, queue = env.client, settings.task_queue
    options = QueueOptions(task_queue=queue)
    with make_server(str(work / "dian.db"), processing_seconds=0) as dian:
        test_set = requests.post(f"{dian.url}/portal/companies", json={
            "nit": company.tax_id, "legal_name": company.legal_name, "mode": "own"}, timeout=10).json()["test_set_id"]
        signer = generate_test_certificate(company.tax_id, company.legal_name)
        drill = DrillActivities(DianClient(dian.soap_url, signer.private_key, signer.certificate, timeout=5))
        requests.put(f"{dian.url}/_faults", json={"fail_always": True}, timeout=10).raise_for_status()
        reconciling = asyncio.ensure_future(ProjectionReconciler(client, task_queue=queue).run_forever())
        async with Worker(client, task_queue=queue, workflows=[*WORKFLOWS, DrillProcess],
                          activities=[*build_activities(settings), drill.submit_to_dian, drill.create_voucher,
                                      drill.check_note],
                          activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=16),
                          interceptors=[ActivityHealth()], workflow_runner=workflow_runner()):
            watch = Watch()

            async def start(**options):
                return await client.start_workflow(
                    DrillProcess.run, DrillStart(company_id=company.id, company_tax_id=company.display_tax_id,
                                                 test_set_id=test_set, **options),
                    id=f"drill-{uuid.uuid4()}", task_queue=queue)

            to_terminate = [await start() for _ in range(each)]
            await wait_for_collect([h.id for h in to_terminate])
            started = time.monotonic()
            poller = asyncio.ensure_future(poll(client, options, watch, expected=3 * each, until=started + 180))
            for n in range(each):
                # Failures spread over two reconciler passes, as they come in life: not all just after one.
                await asyncio.sleep(20 / (3 * each))
                handle = to_terminate[n]
                watch.failed_at[handle.id], watch.kind[handle.id] = time.monotonic(), "terminated"
                await handle.terminate(reason="bench")
                for kind, options_of in (("failed", {"impossible_check": True}),
                                         ("retrying", {"ask_dian_while_collecting": True})):
                    moment = time.monotonic()
                    handle = await start(**options_of)
                    watch.failed_at[handle.id], watch.kind[handle.id] = moment, kind
                    await asyncio.sleep(20 / (3 * each))
            await poller
            reconciling.cancel()
    await env.shutdown()

    missing = watch.pending()
    if missing:
        raise RuntimeError(f"{len(missing)} failures never reached the queue or Temporal's record: {missing[:3]}")
    for kind in ("terminated", "failed", "retrying"):
        ours = [watch.ours[w] - watch.failed_at[w] for w in watch.failed_at if watch.kind[w] == kind]
        base = [watch.temporal[w] - watch.failed_at[w] for w in watch.failed_at if watch.kind[w] == kind]
        print(f"  {kind}: ours p50 {statistics.median(ours):.2f} s p95 {percentile(ours, 95):.2f} s; "
              f"Temporal p50 {statistics.median(base):.2f} s")
    ours = [watch.ours[w] - watch.failed_at[w] for w in watch.failed_at]
    base = [watch.temporal[w] - watch.failed_at[w] for w in watch.failed_at]
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"failure to queue: p50 {statistics.median(ours):.2f} s p95 {percentile(ours, 95):.2f} s over "
          f"{len(ours)} failures at {rows:,} processes (ratio {ratio:.1f} vs Temporal's own record)")


async def wait_for_collect(workflow_ids: list[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while ProcessRecord.select().where((ProcessRecord.workflow_id << workflow_ids)
                                       & (ProcessRecord.current_step == "collect")).count() < len(workflow_ids):
        if time.monotonic() > deadline:
            raise RuntimeError("bench setup: the drills never reached their first step")
        await asyncio.sleep(0.2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--each", type=int, default=10, help="failures of each kind")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rows, arguments.each))
