"""Bench P1: N complete electronic-invoicing enablements, driven like staff would, at once.

    .venv/bin/python bench/enablement.py [--flows 30] [--profile]

Each flow is a company going from DIAN registration to "ready to invoice":
a driver answers every human step through its update as soon as the
projection shows the step waiting (own and loaned certificates alternate;
the test set is 2 invoices, 1 credit note, 1 debit note). The DIAN and
billing simulators run as separate processes on loopback, as `habilita dev`
starts them (``python -m habilita.simulators.dian`` / ``python -m habilita.simulators.billing``),
so their CPU does not share this process's GIL; the worker runs in this
process, against a fresh local dev server with the same SQLite pragmas as
`make run`.

**Per-step cost**, precisely: the wall time of the whole run divided by the
number of activities the flows' workflows completed (every
``ActivityTaskCompleted``, and every local activity's marker: the
projections, in the histories of the parents and their certificate and
test-set children), divided by the wall time per activity of
``bench.temporal_baseline.bare_activity_rate`` measured on the same server in
the same run. A ratio of 1 means an enablement step costs what a no-op
activity costs; what it adds on top is the real work (signing, PDFs, DIAN
and billing over HTTP, SQLite writes), the updates, the driver's waits and
the timers of the test set's polling. The baseline is the median of three
bare runs of 20 workflows at once, which keep both cores busy; the default of
30 flows does the same (with 10, a flow's own floor of about 3 s, mostly the
test set's first poll a second after sending, is half the run and the
machine idles). ``CPU per activity`` says which side the cost is on: the
Temporal server's CPU and this process's (worker and driver) per completed
activity, each against the same figure of the bare runs. The flows also
send updates (the staff's answers), which cost a workflow task each: a
second ratio prices the same activities and updates at their bare rates
(``bare_update_rate``, also measured in the run). ``--profile`` (automatic
above a ratio of 1.5) prints where the activity time goes (queue wait and run
time per activity type, from the histories) and where this process's threads
(worker and driver, not the simulators) stood, sampled. Ends with exactly one
line:

    enablement: 1.9 flows/s (per-step ratio 1.4 vs bare activity)
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import requests
from temporalio.api.enums.v1 import EventType

from temporal_baseline import (
    CpuMeter, bare_activity_rate, bare_update_rate, dev_server, dev_server_pid, median_rate,
)

ACTOR = "bench@habilita.local"
LOCAL_ACTIVITY_MARKER = "core_local_activity"
SMALL_SET = (2, 1, 1)


@dataclass
class Stack:
    settings: object
    dian_url: str
    billing_url: str
    client: object
    queue: str
    console: Console


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


ROOT = str(Path(__file__).resolve().parent.parent) + os.sep
IDLE = {"wait", "select", "poll", "accept", "get", "_worker", "sleep", "recv_into", "readinto", "serve_forever",
        "_run_once", "run_forever", "_wait_for_tstate_lock", "join"}


class Sampler:
    """Every few milliseconds, where each busy thread stands: the innermost frame in
    our code (or the library it is in), so the profile says which part costs time."""

    def __init__(self, every: float = 0.005) -> None:
        self.samples: dict = defaultdict(int)
        self._every, self._stop = every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="sampler")

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
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def lines(self, top: int = 12) -> list[str]:
        total = sum(self.samples.values()) or 1
        ranked = sorted(self.samples.items(), key=lambda kv: kv[1], reverse=True)[:top]
        return [f"  {100 * n / total:5.1f}%  {place}" for place, n in ranked]


class Console:
    """What staff watching the process list see: every flow's projection, read in one query a tick.

    A driver per flow polling its own row would cost this process one query
    per flow every 50 ms, which is the driver's load, not the product's.
    """

    def __init__(self, every: float = 0.05) -> None:
        self._every = every
        self._awaited: dict[str, list[tuple[str, str, asyncio.Future]]] = defaultdict(list)
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> "Console":
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc) -> None:
        self._task.cancel()

    async def wait_for(self, workflow_id: str, step: str, *, status: str = "waiting", seconds: float = 120) -> None:
        reached = asyncio.get_running_loop().create_future()
        self._awaited[workflow_id].append((step, status, reached))
        try:
            await asyncio.wait_for(reached, seconds)
        except TimeoutError:
            raise TimeoutError(f"{workflow_id} never reached {step} ({status})") from None

    async def _watch(self) -> None:
        from habilita.models import ProcessRecord

        def standing(ids: list[str]) -> dict[str, tuple[str, str]]:
            rows = ProcessRecord.select(ProcessRecord.workflow_id, ProcessRecord.current_step, ProcessRecord.status) \
                .where(ProcessRecord.workflow_id.in_(ids)).tuples()
            return {wid: (step, status) for wid, step, status in rows}

        while True:
            await asyncio.sleep(self._every)
            if not self._awaited:
                continue
            seen = await asyncio.to_thread(standing, list(self._awaited))
            for workflow_id, now in seen.items():
                awaited = self._awaited[workflow_id]
                for entry in [e for e in awaited if (e[0], e[1]) == now or e[2].done()]:
                    awaited.remove(entry)
                    if not entry[2].done():
                        entry[2].set_result(None)
                if not awaited:
                    del self._awaited[workflow_id]


def post(url: str, body: dict | None = None) -> dict:
    response = requests.post(url, json=body or {}, timeout=30)
    response.raise_for_status()
    return response.json()


async def one_flow(stack: Stack, company, *, loan: bool) -> tuple[str, float]:
    """One enablement from registration to enabled; returns its workflow id and seconds."""
    from habilita.activities.representatives import LegalRepresentative
    from habilita.activities.uploads import receive_signed_letter
    from habilita.models import StoredFile
    from habilita.workflows.certificate import (
        CertificateActivation, CertificatePathChoice, LoanContinuation, SignedLetterUpload,
    )
    from habilita.processes import CERTIFICATE, EINVOICING
    from habilita.processes.client import ProcessClient
    from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, TestSetStart
    from habilita.workflows.numbering import DianConfirmation
    from habilita.workflows.voucher import VoucherTypeSetup

    settings, nit, client = stack.settings, company.tax_id, stack.client
    began = time.perf_counter()
    portal = stack.dian_url + "/portal/companies"
    answer = await asyncio.to_thread(post, portal, {"nit": nit, "legal_name": company.legal_name,
                                                    "mode": "provider" if loan else "own",
                                                    "provider_nit": settings.provider_nit if loan else None})
    if not loan:
        await asyncio.to_thread(post, f"{stack.billing_url}/certificate-payments/{nit}")
    processes = ProcessClient(client, task_queue=stack.queue)
    small = replace(settings, test_set_invoices=SMALL_SET[0], test_set_credit_notes=SMALL_SET[1],
                    test_set_debit_notes=SMALL_SET[2])
    handle = await processes.start(EINVOICING, company, actor=ACTOR, settings=small)
    await stack.console.wait_for(handle.id, "dian_registration")
    await processes.send(handle.id, EInvoicingEnablement.submit_dian_registration, DianRegistration(
        actor=ACTOR, operation_mode="provider" if loan else "own_software", test_set_id=answer["test_set_id"],
        software_id=answer["software_id"], pin=answer["pin"]))

    child = processes.handle(CERTIFICATE.child_workflow_id(handle.id))
    await stack.console.wait_for(child.id, "choose_path")
    await processes.send(child.id, CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "loan" if loan else "own"))
    await stack.console.wait_for(child.id, "representative")
    letter = await processes.send(child.id, CertificateActivation.submit_representative, LegalRepresentative(
        actor=ACTOR, full_name="Ana María Gómez", document_type="CC", document_number="52123456",
        email="ana@example.co", phone="3001234567", position="Gerente general"))
    if loan:
        await stack.console.wait_for(child.id, "signed_letter")
        pdf = await asyncio.to_thread(lambda: bytes(StoredFile.get_by_id(letter.stored_file_id).content))
        staged = await asyncio.to_thread(receive_signed_letter, pdf, "carta-firmada.pdf")
        await processes.send(child.id, CertificateActivation.upload_signed_letter,
                                   SignedLetterUpload(ACTOR, staged.stored_file_id, staged.sha256))
        await processes.send(child.id, CertificateActivation.continue_with_loan, LoanContinuation(ACTOR))

    await stack.console.wait_for(handle.id, "test_set")
    await processes.send(handle.id, EInvoicingEnablement.start_test_set, TestSetStart(ACTOR, company.display_tax_id))
    await stack.console.wait_for(handle.id, "numbering_resolution")
    await asyncio.to_thread(post, f"{portal}/{nit}/resolutions", {"kind": "invoice", "test": True})
    await asyncio.to_thread(post, f"{portal}/{nit}/prefixes", {"prefix": "SETT" if loan else "SETP"})
    await processes.send(handle.id, EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(ACTOR))
    await stack.console.wait_for(handle.id, "voucher_type")
    (resolution,) = (await handle.query(EInvoicingEnablement.status)).resolutions
    await processes.send(handle.id, EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup(
        actor=ACTOR, resolution_id=resolution.resolution_id, prefix=resolution.prefix,
        next_number=resolution.range_from))
    if await handle.result() != "enabled":
        raise SystemExit(f"{handle.id} did not end enabled")
    return handle.id, time.perf_counter() - began


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
            steps.activities += 1  # a projection: run by the worker within the workflow task
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            steps.updates += 1


def companies(count: int) -> list:
    from habilita.dian.checkdigit import nit_check_digit
    from habilita.models import Company

    return [Company.create(country="CO", tax_id=str(900_200_000 + i), check_digit=nit_check_digit(str(900_200_000 + i)),
                           legal_name=f"Empresa Bench {i} SAS") for i in range(count)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def simulator(name: str, module: str, *options: str):
    """``python -m <module> --port P <options>`` in its own process; yields its base URL."""
    from habilita.devstack import wait_for_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *options],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port, name=name, timeout=60, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def run(args) -> str:
    from habilita.adapters.codec import data_converter
    from habilita.models.database import open_database, upgrade
    from habilita.settings import Settings
    from habilita.worker import build_worker
    from habilita.simulators.dian.app import SOAP_PATH

    var = Path(tempfile.mkdtemp(prefix="bench-enablement-"))
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    with simulator("dian-sim", "habilita.simulators.dian", "--state", str(var / "dian-sim.db"), "--processing-seconds", "0.2",
                   "--invoice-set", *map(str, SMALL_SET), "--allowed-rejections", "2") as dian_url, \
            simulator("billing-sim", "habilita.simulators.billing") as billing_url:
        settings = Settings.from_env({
            "HABILITA_VAR": str(var), "DATABASE_URL": f"sqlite:///{var / 'bench.db'}",
            "HABILITA_ENCRYPTION_KEY": key, "SECRET_KEY": "bench", "DIAN_URL": dian_url + SOAP_PATH,
            "BILLING_URL": billing_url})
        upgrade(open_database(settings.database_url))
        flows = companies(args.flows)
        async with dev_server(data_converter(key)) as env:
            bare_cpu, flows_cpu = CpuMeter(dev_server_pid()), CpuMeter(dev_server_pid())
            with bare_cpu:
                # The baseline is noisy on two cores: take the median of three runs.
                bare_runs = [await bare_activity_rate(env.client) for _ in range(3)]
            bare_rate = median_rate(bare_runs)
            bare_update = median_rate([await bare_update_rate(env.client) for _ in range(3)])
            stack = Stack(settings, dian_url, billing_url, env.client, f"bench-{uuid.uuid4()}", Console())
            async with build_worker(env.client, settings, task_queue=stack.queue), stack.console:
                with Sampler() as sampler, flows_cpu:
                    began = time.perf_counter()
                    done = await asyncio.gather(*[one_flow(stack, c, loan=i % 2 == 1) for i, c in enumerate(flows)])
                    elapsed = time.perf_counter() - began
            ids, latencies = [d[0] for d in done], sorted(d[1] for d in done)
            profile, steps = Profile(), Steps()
            for workflow_id in ids:
                for suffix in ("", "-certificate", "-test-set"):
                    await count_steps(env.client, workflow_id + suffix, steps, profile)
    activities = steps.activities
    per_step, per_bare = elapsed / activities, 1 / bare_rate
    print(f"bare activity: {bare_rate:.1f}/s ({per_bare * 1000:.1f} ms each, median of 3)")
    print(f"{len(ids)} flows in {elapsed:.1f} s: {activities} activities ({activities / len(ids):.0f} per flow), "
          f"{per_step * 1000:.1f} ms each; one flow takes {latencies[len(latencies) // 2]:.1f} s (median), "
          f"{latencies[-1]:.1f} s at most")
    bare_count = sum(r.ops for r in bare_runs)
    print("CPU per activity: " + ", ".join(
        f"{name} {1000 * ours / activities:.1f} ms ({ours / activities / (bare / bare_count):.1f}x bare)"
        for name, ours, bare in (("Temporal server", flows_cpu.server, bare_cpu.server),
                                 ("worker and driver", flows_cpu.ours, bare_cpu.ours))))
    bare_mix = activities / bare_rate + steps.updates / bare_update
    print(f"the same steps on bare Temporal: {activities} activities and {steps.updates} updates "
          f"({bare_update:.1f} bare updates/s) = {bare_mix:.1f} s; ratio {elapsed / bare_mix:.1f} counting the updates")
    if args.profile or per_step / per_bare > 1.5:
        print("activity time by type (summed over the flows, which overlap):")
        print("\n".join(profile.lines()))
        print("where busy threads stood (samples every 5 ms, this process: worker and driver):")
        print("\n".join(sampler.lines()))
    return f"enablement: {len(ids) / elapsed:.2f} flows/s (per-step ratio {per_step / per_bare:.1f} vs bare activity)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=30, help="complete enablements to run at once")
    parser.add_argument("--profile", action="store_true", help="print activity time by type")
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
