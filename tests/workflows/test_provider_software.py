"""Provider mode uses the provider's software from settings; a wrong registration can be done again.

The provider's software is registered at the DIAN simulator the way the dev
stack does it on first start, and handed to the worker as settings.
"""
from __future__ import annotations

import asyncio
import uuid

import pytest
import requests

from habilita.activities.enablement import software_pin
from habilita.adapters.secrets_box import SecretBox
from habilita.models import DianSoftware
from habilita.support.actions import Acting, SupportActions
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, StartEnablement
from tests.harness import simulator_env, test_settings

from .conftest import wait_for_step

FIRST_TEST_SET = "8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"
RIGHT_TEST_SET = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"


@pytest.fixture
def provider_software(dian_simulator) -> dict:
    answer = requests.post(f"{dian_simulator.url}/portal/providers", json={"nit": "901000006"}, timeout=10)
    answer.raise_for_status()
    return answer.json()


@pytest.fixture
def settings(tmp_path, dian_simulator, billing_simulator, provider_software):
    return test_settings(tmp_path, **simulator_env(dian_simulator, billing_simulator),
                         PROVIDER_SOFTWARE_ID=provider_software["software_id"],
                         PROVIDER_SOFTWARE_PIN=provider_software["pin"])


def test_the_simulator_registers_a_provider_s_software_once(dian_simulator, provider_software):
    again = requests.post(f"{dian_simulator.url}/portal/providers", json={"nit": "901000006"}, timeout=10).json()
    assert again == provider_software


async def test_provider_mode_registers_with_the_provider_s_software_and_can_be_done_again_after_a_reset(
        client, task_queue, worker, company, settings, provider_software):
    handle = await client.start_workflow(
        EInvoicingEnablement.run,
        StartEnablement(company_id=company.id, company_tax_id=company.display_tax_id, started_by="ana@example.co",
                        provider_nit=settings.provider_nit, provider_software_id=settings.provider_software_id),
        id=f"einvoicing-{uuid.uuid4()}", task_queue=task_queue)
    await wait_for_step(handle.id, "dian_registration")

    facts = await handle.execute_update(
        EInvoicingEnablement.submit_dian_registration,
        DianRegistration(actor="ana@example.co", operation_mode="provider", test_set_id=FIRST_TEST_SET))

    assert facts.software_id == provider_software["software_id"]
    row = DianSoftware.get()
    assert (row.software_id, row.software_owner_nit, row.test_set_id) == (
        provider_software["software_id"], "901000006", FIRST_TEST_SET)
    assert software_pin(SecretBox(settings.encryption_key), row.id) == provider_software["pin"]
    await wait_for_step(handle.id, "certificate")

    # The test set id was wrong: support takes the process back to registration and staff register again.
    result = await SupportActions(client).reset_to_step(
        handle.id, "dian_registration", Acting(actor="soporte@habilita.co", reason="TestSetId equivocado"),
        exclude=("update",))
    assert result.ok
    await wait_for_step(handle.id, "dian_registration")
    await client.get_workflow_handle(handle.id).execute_update(
        EInvoicingEnablement.submit_dian_registration,
        DianRegistration(actor="ana@example.co", operation_mode="provider", test_set_id=RIGHT_TEST_SET))

    await wait_for_step(handle.id, "certificate")
    assert [(r.id, r.test_set_id) for r in DianSoftware.select()] == [(row.id, RIGHT_TEST_SET)]
    status = await client.get_workflow_handle(handle.id).query(EInvoicingEnablement.status)
    assert status.registration.test_set_id == RIGHT_TEST_SET


async def test_a_reset_that_re_applies_the_updates_takes_the_registration_again(
        client, task_queue, worker, company, settings):
    handle = await client.start_workflow(
        EInvoicingEnablement.run,
        StartEnablement(company_id=company.id, company_tax_id=company.display_tax_id, started_by="ana@example.co",
                        provider_nit=settings.provider_nit, provider_software_id=settings.provider_software_id),
        id=f"einvoicing-{uuid.uuid4()}", task_queue=task_queue)
    await wait_for_step(handle.id, "dian_registration")
    await handle.execute_update(
        EInvoicingEnablement.submit_dian_registration,
        DianRegistration(actor="ana@example.co", operation_mode="provider", test_set_id=FIRST_TEST_SET))
    await wait_for_step(handle.id, "certificate")

    result = await SupportActions(client).reset_to_step(
        handle.id, "dian_registration", Acting(actor="soporte@habilita.co", reason="repetir el paso"))

    assert result.ok
    # The registration the person sent after that point is sent again to the new run: no one re-types it.
    new_run = client.get_workflow_handle(handle.id, run_id=result.message.params["run"])
    for _ in range(100):
        status = await new_run.query(EInvoicingEnablement.status)
        if status.registration is not None and status.step == "certificate":
            break
        await asyncio.sleep(0.1)
    assert status.registration.test_set_id == FIRST_TEST_SET and status.step == "certificate"
    assert DianSoftware.select().count() == 1
