"""The support queue at 100,000 processes of which 1,000 are stuck, and a bulk retry of 100.

Builds a SQLite database with 100,000 ``ProcessRecord`` rows: 98,900 healthy
(finished, or waiting within their SLA), 895 past their SLA, and 105 real
workflows on a local Temporal dev server: 100 whose DIAN upload keeps
failing (the DIAN simulator's fault switch) and 5 whose workflow task
fails. Then, through the console in Flask's test client, signed in as
support: times the queue page (all three signals, a page of 50), and the
"retry now" of the 100 failing processes once DIAN answers again.

    python bench/support_queue.py [--rows 100000] [--runs 30]
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import datetime as dt
import logging
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

# Run as a script (make bench): the drill process lives with the support
# tests, so the project root must be importable, not only the installed packages.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from habilita.adapters.dian_client import DianClient  # noqa: E402
from habilita.console import create_app  # noqa: E402
from habilita.dian.certificates import generate_test_certificate  # noqa: E402
from habilita.adapters.codec import data_converter  # noqa: E402
from habilita.models.database import open_database, upgrade  # noqa: E402
from habilita.devstack.devserver import DevServerConfig  # noqa: E402
from habilita.settings import Settings  # noqa: E402
from habilita.worker import WORKFLOWS, build_activities, workflow_runner  # noqa: E402
from habilita.models import Company, ProcessRecord, User, insert_in_batches, utcnow  # noqa: E402
from habilita.simulators.dian.server import make_server  # noqa: E402
from habilita.support.stuck import (  # noqa: E402
    ActivitySignalCache, QueueOptions, failing_workflow_tasks, find_stuck, retrying_activities, sla_overruns,
)
from tests.support.drill import DrillActivities, DrillInput, DrillProcess, DrillStart  # noqa: E402

PASSWORD = "bench-clave-2024"
RETRYING, BROKEN, OVERDUE = 100, 5, 895
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def populate(healthy: int, overdue: int, company_id: int, seed: int = 11) -> None:
    """Healthy and overdue projections in bulk; none of them has a workflow in Temporal."""
    rng, now = random.Random(seed), utcnow()

    def records():
        for n in range(healthy + overdue):
            late = n >= healthy
            if late:
                status, waiting = "waiting", rng.choice(("staff", "company", "dian"))
                entered = now - dt.timedelta(days=rng.uniform(3.2, 30))
            else:
                status = rng.choices(("completed", "cancelled", "waiting"), weights=(60, 2, 38))[0]
                waiting = rng.choices(("staff", "company", "dian"), weights=(50, 45, 5))[0] if status == "waiting" else ""
                entered = now - dt.timedelta(hours=rng.uniform(0, 40))
            yield {
                "workflow_id": f"einvoicing-bench-{n:06d}", "run_id": "", "process_type": "einvoicing",
                "company": company_id, "current_step": rng.choice(("certificate", "test_set", "voucher_type")),
                "status": status, "waiting_on": waiting, "step_entered_at": entered, "last_error": "", "version": "",
                "started_at": entered, "updated_at": entered, "completed_at": entered if status == "completed" else None,
            }

    insert_in_batches(ProcessRecord, records(), size=5000)


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def sign_in(browser) -> None:
    page = browser.get("/auth/login").get_data(as_text=True)
    answer = browser.post("/auth/login", data={"email": "support@bench.co", "password": PASSWORD,
                                               "csrf_token": _CSRF.search(page).group(1)})
    assert answer.status_code == 302, "the bench's support user could not sign in"


async def wait_until(predicate, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench setup: timed out waiting for {what}")
        await asyncio.sleep(0.5)


async def main(rows: int, runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-support-"))
    key = base64.urlsafe_b64encode(b"b" * 32).decode()
    settings = Settings.from_env({"HABILITA_VAR": str(work / "var"), "DATABASE_URL": f"sqlite:///{work / 'h.db'}",
                                  "HABILITA_ENCRYPTION_KEY": key, "SECRET_KEY": "bench",
                                  "TEMPORAL_TASK_QUEUE": f"bench-support-{uuid.uuid4()}"})
    upgrade(open_database(settings.database_url))
    company = Company.create(country="CO", tax_id="900123456", check_digit="8", legal_name="Bench SAS")
    support_user = User(email="support@bench.co", name="Support")
    support_user.set_roles(["support"])
    support_user.set_password(PASSWORD)
    support_user.save()
    started = time.perf_counter()
    populate(rows - OVERDUE - RETRYING - BROKEN, OVERDUE, company.id)
    print(f"populated {ProcessRecord.select().count():,} projections in {time.perf_counter() - started:.1f} s")

    config = DevServerConfig.load()
    # The 5 broken workflows fail their task on purpose: keep the SDK core's warnings out of the figures.
    quiet = Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(TelemetryFilter(core_level="ERROR",
                                                                                    other_level="ERROR"))))
    env = await WorkflowEnvironment.start_local(data_converter=data_converter(key), runtime=quiet,
                                                dev_server_log_level="error", **config.environment_options())
    with make_server(str(work / "dian.db"), processing_seconds=0) as dian:
        test_set = requests.post(f"{dian.url}/portal/companies", json={
            "nit": company.tax_id, "legal_name": company.legal_name, "mode": "own"}, timeout=10).json()["test_set_id"]
        signer = generate_test_certificate(company.tax_id, company.legal_name)
        drill = DrillActivities(DianClient(dian.soap_url, signer.private_key, signer.certificate, timeout=5))
        requests.post(f"{dian.url}/_faults", json={"fail_always": True}, timeout=10).raise_for_status()
        client = env.client
        async with Worker(client, task_queue=settings.task_queue, workflows=[*WORKFLOWS, DrillProcess],
                          activities=[*build_activities(settings), drill.submit_to_dian, drill.create_voucher],
                          activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=16),
                          workflow_runner=workflow_runner()):
            retrying = await start_drills(client, settings, company, test_set, RETRYING)
            await start_drills(client, settings, company, test_set, BROKEN, break_at="collect")
            for handle in retrying:
                await wait_for_collect(handle.id)
                await handle.execute_update(DrillProcess.provide, DrillInput(actor="ana@bench.co"))
            options = QueueOptions(task_queue=settings.task_queue)

            async def queue_complete():
                return len(await find_stuck(client, options=options)) == OVERDUE + RETRYING + BROKEN
            await wait_until(queue_complete, "1,000 stuck processes in the queue", seconds=120)

            await print_breakdown(client, options)
            app = create_app(settings, temporal_client_factory=_returning(client), test_config={"TESTING": True})
            browser = app.test_client()
            await asyncio.to_thread(sign_in, browser)
            samples = await asyncio.to_thread(time_queue_page, browser, runs)

            requests.delete(f"{dian.url}/_faults", timeout=10).raise_for_status()
            form_page = await asyncio.to_thread(browser.get, "/admin/support/")
            token = _CSRF.search(form_page.get_data(as_text=True)).group(1)
            started = time.perf_counter()
            answer = await asyncio.to_thread(browser.post, "/admin/support/run", data={
                "csrf_token": token, "action": "retry", "reason": "DIAN is back", "workflow_id": [h.id for h in retrying]})
            bulk_seconds = time.perf_counter() - started
            summary = re.search(r'data-done="(\d+)" data-refused="(\d+)" data-total="(\d+)"',
                                answer.get_data(as_text=True))
            if not summary or int(summary.group(3)) != RETRYING:
                raise RuntimeError(f"bulk retry did not report {RETRYING} results: {answer.status_code}")
            # A process whose own next attempt came between DIAN's recovery
            # and the click has nothing left to retry: refused, and says so.
            print(f"bulk retry: {summary.group(1)} retried, {summary.group(2)} refused (already running again)")

            async def all_moved_on():
                return ProcessRecord.select().where((ProcessRecord.workflow_id << [h.id for h in retrying])
                                                    & (ProcessRecord.current_step == "confirm")).count() == RETRYING
            await wait_until(all_moved_on, "the retried processes to reach the next step", seconds=120)
            moved_seconds = time.perf_counter() - started
            app.extensions["habilita"].bridge.close()
    await env.shutdown()

    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    print(f"queue page ({runs} loads, {OVERDUE + RETRYING + BROKEN} stuck of {rows:,}): "
          f"p50 {p50:.1f} ms p95 {p95:.1f} ms max {max(samples):.1f} ms")
    print(f"bulk retry of {RETRYING}: {bulk_seconds:.1f} s for the action, "
          f"{moved_seconds:.1f} s until every process reached its next step")
    print(f"support queue: p50 {p50:.1f} ms p95 {p95:.1f} ms; bulk retry of {RETRYING}: {bulk_seconds:.1f} s")


async def print_breakdown(client, options: QueueOptions, runs: int = 5) -> None:
    """Where the queue's time goes: each signal alone, best of ``runs``."""
    parts = {"SLA (SQL)": lambda: asyncio.to_thread(sla_overruns, utcnow()),
             "workflow tasks failing (visibility)": lambda: failing_workflow_tasks(client, options),
             "activities retrying (visibility + describe)": lambda: retrying_activities(client, options),
             "whole queue, activity signal cached": lambda: find_stuck(client, options=options, cache=warm)}
    warm = ActivitySignalCache(ttl_seconds=600)
    await find_stuck(client, options=options, cache=warm)
    for name, part in parts.items():
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            await part()
            best = min(best, (time.perf_counter() - started) * 1000)
        print(f"  {name}: {best:.1f} ms")


async def start_drills(client, settings, company, test_set: str, count: int, **options) -> list:
    return [await client.start_workflow(
        DrillProcess.run, DrillStart(company_id=company.id, company_tax_id=company.display_tax_id,
                                     test_set_id=test_set, **options),
        id=f"drill-bench-{uuid.uuid4()}", task_queue=settings.task_queue) for _ in range(count)]


async def wait_for_collect(workflow_id: str) -> None:
    async def there():
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        return record is not None and record.current_step == "collect"
    await wait_until(there, f"{workflow_id} at its first step", seconds=60)


def time_queue_page(browser, runs: int) -> list[float]:
    first = browser.get("/admin/support/")
    if first.status_code != 200:
        raise RuntimeError(f"the queue page answered {first.status_code}")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        browser.get("/admin/support/")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _returning(client):
    async def factory():
        return client
    return factory


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    arguments = parser.parse_args()
    # The 100 failing uploads are expected: their tracebacks would only cost CPU here.
    for noisy in ("temporalio", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    asyncio.run(main(arguments.rows, arguments.runs))
