"""Support drills: the DIAN simulator over HTTP and a worker that also runs the drill process."""
from __future__ import annotations

import asyncio
import uuid

import pytest
import pytest_asyncio
import requests
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.worker import Worker

from habilita.adapters.dian_client import DianClient
from habilita.dian.certificates import generate_test_certificate
from habilita.worker import WORKFLOWS, build_activities, build_worker
from habilita.models import ProcessRecord
from habilita.simulators.dian.server import make_server
from habilita.workflows import attributes

from .drill import DrillActivities, DrillProcess, DrillStart

SUPPORT_WORKFLOWS = [*WORKFLOWS, DrillProcess]


@pytest.fixture
def dian_sim(tmp_path):
    with make_server(str(tmp_path / "dian-sim.db"), processing_seconds=0) as server:
        yield server


@pytest.fixture
def dian_company(dian_sim, company):
    """The company registered at the simulated DIAN portal: its test set id and a certificate."""
    answer = requests.post(f"{dian_sim.url}/portal/companies", json={
        "nit": company.tax_id, "legal_name": company.legal_name, "mode": "own"}, timeout=10)
    answer.raise_for_status()
    signer = generate_test_certificate(company.tax_id, company.legal_name)
    return answer.json()["test_set_id"], signer


@pytest.fixture
def dian_faults(dian_sim):
    """Switch the simulator's faults: ``dian_faults(fail_always=True)``; ``dian_faults()`` clears them."""
    def switch(**faults):
        if faults:
            requests.post(f"{dian_sim.url}/_faults", json=faults, timeout=10).raise_for_status()
        else:
            requests.delete(f"{dian_sim.url}/_faults", timeout=10).raise_for_status()
    yield switch
    switch()


def build_support_worker(client, settings, task_queue, dian_sim, signer) -> Worker:
    """The real worker (its sandbox and interceptors), with the drill process and its activities added."""
    dian = DianClient(dian_sim.soap_url, signer.private_key, signer.certificate, timeout=5)
    drill = DrillActivities(dian)
    return build_worker(client, settings, task_queue=task_queue, workflows=SUPPORT_WORKFLOWS,
                        activities=[*build_activities(settings), drill.submit_to_dian, drill.create_voucher,
                                    drill.check_note])


@pytest_asyncio.fixture
async def support_worker(client, settings, task_queue, db, dian_sim, dian_company):
    async with build_support_worker(client, settings, task_queue, dian_sim, dian_company[1]) as running:
        yield running


@pytest.fixture
def start_drill(client, task_queue, company, dian_company):
    """Start a drill process for the company; keyword arguments go to ``DrillStart``."""
    async def start(**options):
        return await client.start_workflow(
            DrillProcess.run,
            DrillStart(company_id=company.id, company_tax_id=company.display_tax_id,
                       test_set_id=dian_company[0], **options),
            id=f"drill-{uuid.uuid4()}", task_queue=task_queue)
    return start


async def wait_for(predicate, what: str, *, seconds: float = 15.0):
    """Poll ``predicate`` (sync or async) until it returns a truthy value."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def wait_for_step(workflow_id: str, step: str, *, status: str | None = None, seconds: float = 15.0):
    """Wait until the projection shows ``workflow_id`` at ``step`` (and ``status``)."""
    def arrived():
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        if record and record.current_step == step and (status is None or record.status == status):
            return record
        return None
    return await wait_for(arrived, f"{workflow_id} at step {step}", seconds=seconds)


@pytest_asyncio.fixture(scope="session")
async def sla_env(time_skipping_env):
    """The time-skipping server, with the process search attributes it does not know by default."""
    await time_skipping_env.client.operator_service.add_search_attributes(AddSearchAttributesRequest(
        namespace=time_skipping_env.client.namespace,
        search_attributes={key.name: key.indexed_value_type.value for key in attributes.ALL}))
    return time_skipping_env
