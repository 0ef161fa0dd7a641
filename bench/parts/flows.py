"""P1 driven as staff drive it, from DIAN registration to "ready to invoice", against the simulators.

A flow answers each human step through the process client as soon as the
projection shows the step waiting (``Console``). The DIAN and billing
simulators run as separate processes on loopback, as `habilita dev` starts
them, so their CPU does not share the driver's GIL. Used by
bench/enablement.py (worker in the bench's process), bench/workers.py (worker
processes) and bench/test_set.py (a full-size test set).
"""
from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import requests

from .p1 import ACTOR
from .worker_process import stop

SMALL_SET = (2, 1, 1)
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    settings: object
    dian_url: str
    billing_url: str
    client: object
    queue: str
    console: Console

    @property
    def processes(self):
        """The process client staff act through (the console's and the CLI's)."""
        from habilita.processes.client import ProcessClient

        return ProcessClient(self.client, task_queue=self.queue)


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


_sessions = threading.local()


def post(url: str, body: dict | None = None) -> dict:
    """POST to a simulator, on a connection kept open per thread (as a person's browser keeps one)."""
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = requests.Session()
    response = session.post(url, json=body or {}, timeout=30)
    response.raise_for_status()
    return response.json()


async def one_flow(stack: Stack, company, *, loan: bool) -> tuple[str, float]:
    """One enablement from registration to enabled; returns its workflow id and seconds."""
    began = time.perf_counter()
    handle = await to_the_test_set(stack, company, loan=loan, test_set=SMALL_SET)
    await start_test_set(stack, handle, company)
    await after_the_test_set(stack, handle, company, loan=loan)
    return handle.id, time.perf_counter() - began


def every_flow(stack: Stack, companies) -> asyncio.Future:
    """One flow per company, all at once, own and loaned certificates alternating; each gives
    (workflow id, seconds)."""
    return asyncio.gather(*[one_flow(stack, c, loan=i % 2 == 1) for i, c in enumerate(companies)])


async def to_the_test_set(stack: Stack, company, *, loan: bool, test_set: tuple[int, int, int]):
    """Start P1 and answer its steps until it waits for staff to start a test set of ``test_set``
    (invoices, credit notes, debit notes); its handle."""
    from habilita.activities.representatives import LegalRepresentative
    from habilita.activities.uploads import receive_signed_letter
    from habilita.adapters.secrets_box import SecretBox
    from habilita.models import StoredFile
    from habilita.workflows.certificate import (
        CertificateActivation, CertificatePathChoice, LoanContinuation, SignedLetterUpload,
    )
    from habilita.processes import CERTIFICATE, EINVOICING
    from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement

    settings, nit, processes = stack.settings, company.tax_id, stack.processes
    answer = await asyncio.to_thread(post, stack.dian_url + "/portal/companies", {
        "nit": nit, "legal_name": company.legal_name, "mode": "provider" if loan else "own",
        "provider_nit": settings.provider_nit if loan else None})
    if not loan:
        await asyncio.to_thread(post, f"{stack.billing_url}/certificate-payments/{nit}")
    counts = replace(settings, test_set_invoices=test_set[0], test_set_credit_notes=test_set[1],
                     test_set_debit_notes=test_set[2])
    handle = await processes.start(EINVOICING, company, actor=ACTOR, settings=counts)
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
        box = SecretBox(settings.encryption_key)
        pdf = await asyncio.to_thread(lambda: StoredFile.get_by_id(letter.stored_file_id).read(box))
        staged = await asyncio.to_thread(lambda: receive_signed_letter(pdf, "carta-firmada.pdf", box=box))
        await processes.send(child.id, CertificateActivation.upload_signed_letter,
                             SignedLetterUpload(ACTOR, staged.stored_file_id, staged.sha256))
        await processes.send(child.id, CertificateActivation.continue_with_loan, LoanContinuation(ACTOR))
    await stack.console.wait_for(handle.id, "test_set")
    return handle


async def start_test_set(stack: Stack, handle, company) -> None:
    """Staff start the test set, confirming the NIT."""
    from habilita.workflows.einvoicing import EInvoicingEnablement, TestSetStart

    await stack.processes.send(handle.id, EInvoicingEnablement.start_test_set, TestSetStart(ACTOR, company.display_tax_id))


async def after_the_test_set(stack: Stack, handle, company, *, loan: bool) -> None:
    """The resolution and prefixes at DIAN, then the voucher type: to enabled."""
    from habilita.workflows.einvoicing import EInvoicingEnablement
    from habilita.workflows.numbering import DianConfirmation
    from habilita.workflows.voucher import VoucherTypeSetup

    processes, portal = stack.processes, f"{stack.dian_url}/portal/companies/{company.tax_id}"
    await stack.console.wait_for(handle.id, "numbering_resolution")
    await asyncio.to_thread(post, f"{portal}/resolutions", {"kind": "invoice", "test": True})
    await asyncio.to_thread(post, f"{portal}/prefixes", {"prefix": "SETT" if loan else "SETP"})
    await processes.send(handle.id, EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(ACTOR))
    await stack.console.wait_for(handle.id, "voucher_type")
    (resolution,) = (await handle.query(EInvoicingEnablement.status)).resolutions
    await processes.send(handle.id, EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup(
        actor=ACTOR, resolution_id=resolution.resolution_id, prefix=resolution.prefix,
        next_number=resolution.range_from))
    if await handle.result() != "enabled":
        raise SystemExit(f"{handle.id} did not end enabled")


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
        stop(process, seconds=10)


@contextmanager
def outside_systems(var: Path):
    """The DIAN simulator (the small test set, 0.2 s "in process") and the billing one, each in its own
    process as `habilita dev` starts them; yields their base URLs."""
    with simulator("dian-sim", "habilita.simulators.dian", "--state", str(var / "dian-sim.db"),
                   "--processing-seconds", "0.2", "--invoice-set", *map(str, SMALL_SET),
                   "--allowed-rejections", "2") as dian_url, \
            simulator("billing-sim", "habilita.simulators.billing") as billing_url:
        yield dian_url, billing_url


def bench_settings(var: Path, key: str, dian_url: str, billing_url: str):
    """Development settings on ``var``'s SQLite database, pointed at the simulators."""
    from habilita.settings import Settings
    from habilita.simulators.dian.app import SOAP_PATH

    return Settings.from_env({
        "HABILITA_VAR": str(var), "DATABASE_URL": f"sqlite:///{var / 'bench.db'}",
        "HABILITA_ENCRYPTION_KEY": key, "SECRET_KEY": "bench", "DIAN_URL": dian_url + SOAP_PATH,
        "BILLING_URL": billing_url})
