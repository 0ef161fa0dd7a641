"""Resetting a finished P1 to a step repeats neither a DIAN submission nor a voucher."""
from __future__ import annotations

from habilita.models import ProcessRecord, TestSetDocument, VoucherType
from habilita.support.actions import Acting, SupportActions
from habilita.workflows.einvoicing import EInvoicingEnablement, TestSetStart
from habilita.workflows.numbering import DianConfirmation
from habilita.workflows.voucher import VoucherTypeSetup

from tests.workflows.conftest import wait_for_step
from tests.workflows.test_einvoicing_end_to_end import ACTOR, finished_own_p1

ACTING = Acting(actor="sofia@habilita.co", reason="voucher numbering to be redone")


def vouchers_of(company) -> int:
    return VoucherType.select().where(VoucherType.company == company.id).count()


async def configure_vouchers_again(handle):
    await wait_for_step(handle.id, "voucher_type", status="waiting")
    (resolution,) = (await handle.query(EInvoicingEnablement.status)).resolutions
    await handle.execute_update(EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup(
        actor=ACTOR, resolution_id=resolution.resolution_id, prefix="SETP", next_number=resolution.range_from))


async def test_a_reset_to_the_voucher_step_creates_no_second_voucher(
        client, task_queue, worker, company, portal, settings, billing_simulator):
    handle, _ = await finished_own_p1(client, task_queue, company, portal, settings, billing_simulator)
    assert vouchers_of(company) == 3

    result = await SupportActions(client).reset_to_step(handle.id, "voucher_type", ACTING, exclude=("update",))

    assert result.ok, result.message
    await configure_vouchers_again(handle)
    assert await client.get_workflow_handle(handle.id).result() == "enabled"
    assert vouchers_of(company) == 3


async def test_a_reset_to_the_test_set_sends_dian_no_document_twice(
        client, task_queue, worker, company, portal, settings, billing_simulator):
    handle, _ = await finished_own_p1(client, task_queue, company, portal, settings, billing_simulator)
    sent = [(r["track_id"], r["times_seen"]) for r in portal.received()]
    assert sent and all(times == 1 for _, times in sent)
    ledger = TestSetDocument.select().count()

    result = await SupportActions(client).reset_to_step(handle.id, "test_set", ACTING, exclude=("update",))

    assert result.ok, result.message
    await wait_for_step(handle.id, "test_set", status="waiting")
    await handle.execute_update(EInvoicingEnablement.start_test_set, TestSetStart(ACTOR, company.display_tax_id))
    # The staff's confirmations were not re-applied: DIAN already has the range and the prefix.
    await wait_for_step(handle.id, "numbering_resolution", status="waiting", seconds=60)
    await handle.execute_update(EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(ACTOR))
    await configure_vouchers_again(handle)
    assert await client.get_workflow_handle(handle.id).result() == "enabled"
    assert [(r["track_id"], r["times_seen"]) for r in portal.received()] == sent
    assert TestSetDocument.select().count() == ledger
    assert vouchers_of(company) == 3
    assert ProcessRecord.get_by_id(handle.id).status == "completed"
