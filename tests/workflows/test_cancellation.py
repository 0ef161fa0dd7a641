"""A cancelled process says so: support's cancel reaches the projection of the
process and of the child step it was in, instead of leaving them "waiting"."""
from __future__ import annotations

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError

from habilita.models import ProcessRecord

from .conftest import wait_for_step
from .test_einvoicing_end_to_end import register, start_p1


async def test_cancelling_p1_in_its_certificate_step_projects_both_as_cancelled(
        client, task_queue, worker, company, portal, settings):
    handle = await start_p1(client, task_queue, company, settings)
    await register(handle, portal, company, provider_nit=settings.provider_nit)
    child = f"{handle.id}-certificate"
    await wait_for_step(child, "choose_path", status="waiting")

    await handle.cancel()

    with pytest.raises(WorkflowFailureError):
        await handle.result()
    assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
    await wait_for_step(handle.id, "certificate", status="cancelled")
    await wait_for_step(child, "choose_path", status="cancelled")
    assert ProcessRecord.get_by_id(handle.id).waiting_on == ""
