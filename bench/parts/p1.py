"""P1 processes in bulk: companies, starts through the process client, and their projections."""
from __future__ import annotations

import asyncio
import time
import uuid

from habilita.dian.checkdigit import nit_check_digit
from habilita.models import Company, ProcessRecord, insert_in_batches
from habilita.processes import EINVOICING
from habilita.processes.client import ProcessClient
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement

ACTOR = "bench@habilita.local"


def make_companies(count: int, *, first_nit: int) -> list[Company]:
    """``count`` companies with consecutive NITs from ``first_nit``, inserted in bulk."""
    nits = [str(first_nit + i) for i in range(count)]
    insert_in_batches(Company, ({"country": "CO", "tax_id": nit, "check_digit": nit_check_digit(nit),
                                 "legal_name": f"Empresa Bench {nit} SAS"} for nit in nits), size=2000)
    return list(Company.select().where(Company.tax_id.in_(nits)).order_by(Company.tax_id))


async def start_many(processes: ProcessClient, companies, settings, *, at_once: int = 64) -> list[str]:
    """Start P1 for every company, ``at_once`` starts in flight; their workflow ids."""
    gate = asyncio.Semaphore(at_once)

    async def start(company) -> str:
        async with gate:
            return (await processes.start(EINVOICING, company, actor=ACTOR, settings=settings)).id

    return await asyncio.gather(*[start(c) for c in companies])


def waiting_at(step: str, workflow_ids: list[str] | None = None) -> int:
    """How many processes the projection shows waiting at ``step`` (among ``workflow_ids``)."""
    query = ProcessRecord.select().where((ProcessRecord.current_step == step) & (ProcessRecord.status == "waiting"))
    if workflow_ids is not None:
        query = query.where(ProcessRecord.workflow_id.in_(workflow_ids))
    return query.count()


async def until_waiting(step: str, count: int, *, seconds: float, workflow_ids: list[str] | None = None) -> float:
    """Wait until ``count`` processes wait at ``step``; the seconds it took."""
    began = time.perf_counter()
    while await asyncio.to_thread(waiting_at, step, workflow_ids) < count:
        if time.perf_counter() - began > seconds:
            raise RuntimeError(f"only {waiting_at(step, workflow_ids)} of {count} processes reached {step}")
        await asyncio.sleep(0.25)
    return time.perf_counter() - began


def registration() -> DianRegistration:
    """What DIAN's portal gives a company registering its own software (the validator checks the forms)."""
    return DianRegistration(actor=ACTOR, operation_mode="own_software", test_set_id=str(uuid.uuid4()),
                            software_id=str(uuid.uuid4()), pin="12345")


async def answer_registration(processes: ProcessClient, workflow_id: str) -> float:
    """Send P1's first human step to ``workflow_id``; seconds until its answer came back."""
    began = time.perf_counter()
    await processes.send(workflow_id, EInvoicingEnablement.submit_dian_registration, registration())
    return time.perf_counter() - began
