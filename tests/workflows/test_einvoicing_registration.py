"""P1 step 1: DIAN registration, through its update, on the local dev server."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio.client import WorkflowUpdateFailedError

from habilita.messages import Problem
from habilita.models import AuditEvent, ProcessRecord
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, StartEnablement

TEST_SET_ID = "8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"
SOFTWARE_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


async def start(client, task_queue, company):
    return await client.start_workflow(
        EInvoicingEnablement.run,
        StartEnablement(company_id=company.id, company_tax_id=company.display_tax_id, started_by="ana@example.co"),
        id=f"einvoicing-{uuid.uuid4()}", task_queue=task_queue,
    )


async def wait_for_step(handle, step):
    """Wait until the workflow stands at ``step`` and its projection says so."""
    for _ in range(200):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == handle.id)
        if record is not None and record.current_step == step:
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached step {step}; projection: {record and record.current_step}")


async def test_registration_moves_the_process_to_the_certificate_step(client, task_queue, worker, company):
    handle = await start(client, task_queue, company)
    await wait_for_step(handle, "dian_registration")

    facts = await handle.execute_update(
        EInvoicingEnablement.submit_dian_registration,
        DianRegistration(actor="ana@example.co", operation_mode="own_software",
                         test_set_id=TEST_SET_ID, software_id=SOFTWARE_ID, pin="12345"),
    )

    assert facts.test_set_id == TEST_SET_ID
    await wait_for_step(handle, "certificate")
    record = ProcessRecord.get_by_id(handle.id)
    assert (record.current_step, record.status, record.waiting_on) == ("certificate", "waiting", "staff")
    assert record.company_id == company.id
    assert AuditEvent.get(AuditEvent.target_id == handle.id).actor == "ana@example.co"


async def test_a_bad_registration_is_refused_field_by_field_and_changes_nothing(client, task_queue, worker, company):
    handle = await start(client, task_queue, company)
    await wait_for_step(handle, "dian_registration")
    before = ProcessRecord.get_by_id(handle.id).version

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            EInvoicingEnablement.submit_dian_registration,
            DianRegistration(actor="ana@example.co", operation_mode="own_software",
                             test_set_id="not-a-guid", software_id="", pin="12"),
        )

    fields = {p.field: p for p in map(Problem.from_detail, refused.value.cause.details)}
    assert fields == {
        "test_set_id": Problem("test_set_id", "guid",
                               {"value": "not-a-guid", "example": "1b2c3d4e-0000-4a5b-8c9d-0123456789ab"}),
        "software_id": Problem("software_id", "required"),
        "pin": Problem("pin", "exact_digits", {"digits": 5}),
    }
    assert refused.value.cause.type == "InvalidInput" and refused.value.cause.non_retryable
    status = await handle.query(EInvoicingEnablement.status)
    assert status.step == "dian_registration" and status.registration is None
    assert ProcessRecord.get_by_id(handle.id).version == before


async def test_provider_mode_without_the_provider_s_software_configured_is_refused_at_the_software_field(
        client, task_queue, worker, company):
    handle = await start(client, task_queue, company)
    await wait_for_step(handle, "dian_registration")

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            EInvoicingEnablement.submit_dian_registration,
            DianRegistration(actor="ana@example.co", operation_mode="provider", test_set_id=TEST_SET_ID))

    assert [Problem.from_detail(d) for d in refused.value.cause.details] == [
        Problem("software_id", "provider_software_not_configured")]
    assert (await handle.query(EInvoicingEnablement.status)).registration is None
