"""P2 lets support skip its certificate confirmation with a reason, and nothing else."""
from __future__ import annotations

from habilita.messages import Message
from habilita.models import AuditEvent
from habilita.support.actions import Acting, SupportActions
from tests.workflows.test_support_document import complete_p1, lend_certificate, start_p2

from tests.workflows.conftest import wait_for_step

ACTING = Acting(actor="sofia@habilita.co", reason="the company confirmed the certificate by phone")


async def test_support_skips_the_certificate_confirmation_and_the_process_moves_on(
        client, task_queue, worker, company, portal, settings):
    await complete_p1(client, task_queue, company, portal, settings)
    handle = await start_p2(client, task_queue, company, settings)
    await wait_for_step(handle.id, "certificate", status="waiting")
    await lend_certificate(client, handle.id)
    await wait_for_step(handle.id, "certificate_confirmation", status="waiting")
    actions = SupportActions(client)

    refused = await actions.skip_step(handle.id, "resolution", ACTING)
    skipped = await actions.skip_step(handle.id, "certificate_confirmation", ACTING)

    assert not refused.ok
    assert refused.message == Message("support.refused", {"problems": [Message("support.field_problem", {
        "field": "step", "problem": Message("step_not_skippable", {
            "step": "resolution", "steps": ["certificate_confirmation"]})})]})
    assert skipped.ok, skipped.message
    await wait_for_step(handle.id, "resolution", status="waiting")
    row = AuditEvent.get(AuditEvent.action == "skip certificate_confirmation")
    assert (row.actor, row.reason, row.target_id) == ("sofia@habilita.co", ACTING.reason, handle.id)
    await handle.terminate("test over")
