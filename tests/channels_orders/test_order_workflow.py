"""One order, one workflow, one invoice: duplicates, a finished workflow notified again, the rules' outcomes,
lines priced 0, SKUs the ERP does not know and a person's "Facturar", refusals that stop invoicing."""
from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateFailedError

from habilita.activities.channel_orders import (
    InvoiceNow,
    OrderNotified,
    OrderStart,
    notify_order,
    send_invoice_now,
)
from habilita.channels.configuration import STOP_CREDENTIALS_REFUSED, ReconcileStart
from habilita.messages.stored import from_text
from habilita.models import ChannelConnection
from habilita.workflows.channel_order import ChannelOrderInvoicing
from habilita.workflows.channel_reconciliation import ChannelReconciliation
from tests.channels_orders.conftest import (
    COMPANY_NIT,
    USERNAME,
    make_connection,
    order_worker,
    terminate_orders,
)
from tests.channels_orders.stand_ins import ConnectionStandIn


def reason_of(row) -> str:
    message = from_text(row.reason)
    return message.code if message else row.reason


async def test_five_notifications_of_a_sale_give_one_invoice_that_adds_up(running):
    hub = running
    order_id = hub.create_order(notify=5, shipping_cost="8900", items=[
        {"seller_sku": "TERM-500", "title": "Termo acero 500 ml", "quantity": 2, "unit_price": "62000"},
        {"seller_sku": "AUD-BT-01", "title": "Audífonos", "quantity": 1, "unit_price": "129900",
         "product_code": "P-3001"},
        {"seller_sku": "", "title": "Café", "quantity": 1, "unit_price": "28500", "barcode": "7701234000059"}])

    await hub.order_states([order_id], "invoiced", seconds=30)
    await asyncio.wait_for(hub.handle(order_id).result(), timeout=20)

    (invoice,) = hub.invoices()
    row = hub.rows()[order_id]
    assert row.invoice_id == invoice["id"] and row.invoice_number == invoice["name"]
    assert reason_of(row) == "order.invoiced" and row.notifications == 5
    assert [i["code"] for i in invoice["items"]] == ["TERM-500", "P-3001", "CAFE250", "ENVIO"]
    # Marketplace prices include IVA: the invoice's total is what the buyer paid (to the cent), paid in full.
    assert abs(Decimal(str(invoice["total"])) - Decimal(2) * 62000 - 129900 - 28500 - 8900) <= Decimal("0.02")
    assert invoice["payments"][0]["value"] == invoice["total"]
    assert invoice["date"] == invoice["payments"][0]["due_date"]


async def test_a_finished_order_notified_again_starts_a_run_that_creates_no_second_invoice(running):
    hub = running
    order_id = hub.create_order()
    await hub.order_states([order_id], "invoiced", seconds=30)
    handle = hub.handle(order_id)
    first = await asyncio.wait_for(handle.result(), timeout=20)

    for _ in range(2):  # the marketplace's late duplicates, and the reconciliation's
        await notify_order(hub.client, task_queue=hub.task_queue, connection_id=hub.connection.id,
                           company_tax_id=hub.company_tax_id, order_id=order_id, notice=OrderNotified())
        again = await asyncio.wait_for(hub.handle(order_id).result(), timeout=20)
        assert again.state == "invoiced" and again.invoice.invoice_id == first.invoice.invoice_id

    assert hub.invoices_by_order() == {order_id: 1}
    assert hub.rows()[order_id].notifications == 3


async def test_each_rule_says_why_an_order_is_skipped_or_waits(running):
    hub = running
    cancelled = hub.create_order(status="cancelled")
    excluded = hub.create_order(source_channel="mshops")
    fulfillment = hub.create_order(logistic_type="fulfillment")
    unpaid = hub.create_order(status="payment_required")

    rows = await hub.wait_for(lambda r: all(o in r and r[o].state in ("skipped", "waiting") and r[o].reason for o in
                                            (cancelled, excluded, fulfillment, unpaid)), seconds=30)
    assert {o: (rows[o].state, reason_of(rows[o])) for o in (cancelled, excluded, fulfillment, unpaid)} == {
        cancelled: ("skipped", "order.cancelled"), excluded: ("skipped", "order.channel_excluded"),
        fulfillment: ("skipped", "order.fulfillment_excluded"), unpaid: ("waiting", "order.state_not_selected")}
    assert from_text(rows[excluded].reason).params == {"channel": "mshops", "selected": ["marketplace"]}

    # The unpaid order waits for its next change: paid, it is invoiced.
    hub.marketplace.marketplace.change_order(unpaid, status="paid")
    await hub.order_states([unpaid], "invoiced", seconds=30)
    assert hub.invoices_by_order() == {unpaid: 1}


async def test_a_line_priced_zero_is_refused_before_the_erp_sees_the_order(running):
    hub = running
    order_id = hub.create_order(items=[
        {"seller_sku": "CAM-ALG-M", "title": "Camiseta", "quantity": 1, "unit_price": "45900"},
        {"seller_sku": "CUAD-100", "title": "Cuaderno de regalo", "quantity": 1, "unit_price": "0"}])

    rows = await hub.order_states([order_id], "error", seconds=30)
    reason = from_text(rows[order_id].reason)
    assert reason.code == "order.line_without_price"
    assert reason.params == {"line": 2, "sku": "CUAD-100", "title": "Cuaderno de regalo"}
    guard = hub.erp.state.guard
    assert not guard._windows.get(COMPANY_NIT) and USERNAME not in guard._histories, \
        "the ERP saw a request for an order it should never have been sent"
    assert hub.invoices() == []


async def test_unknown_skus_wait_in_error_until_a_person_fixes_them_and_clicks_once_or_twice(running):
    hub = running
    orders = [hub.create_order(items=[
        {"seller_sku": "CAM-ALG-M", "title": "Camiseta", "quantity": 1, "unit_price": "45900"},
        {"seller_sku": f"NUEVO-{n}", "title": f"Producto nuevo {n}", "quantity": 1, "unit_price": "19900"}])
        for n in range(10)]
    rows = await hub.order_states(orders, "error", seconds=40)
    for n, order_id in enumerate(orders):
        reason = from_text(rows[order_id].reason)
        assert reason.code == "order.sku_unknown"
        assert [s["params"]["sku"] for s in reason.params["skus"]] == [f"NUEVO-{n}"]
    assert hub.invoices() == []

    handles = {o: hub.handle(o) for o in orders}
    # A correction to a code the ERP does not have either is refused, naming the SKU; nothing is sent.
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handles[orders[0]].execute_update(
            ChannelOrderInvoicing.invoice_now, InvoiceNow(actor="ana@example.co", sku_overrides=(("NUEVO-0", "NO-EXISTE"),)))
    assert refused.value.cause.details[0] == {"field": "sku_overrides", "code": "order_sku_still_unknown",
                                              "params": {"sku": "NUEVO-0", "code": "NO-EXISTE"}}
    assert hub.rows()[orders[0]].state == "error"

    # Half are fixed by pointing the SKU at an existing ERP product, half by creating it in the ERP.
    hub.erp.admin.add_products([{"code": f"NUEVO-{n}", "name": f"Producto nuevo {n}", "price": 19900}
                                for n in range(5, 10)])
    for n, order_id in enumerate(orders):
        overrides = ((f"NUEVO-{n}", "CUAD-100"),) if n < 5 else ()
        request = InvoiceNow(actor="ana@example.co", sku_overrides=overrides)
        first, second = await asyncio.gather(handles[order_id].execute_update(ChannelOrderInvoicing.invoice_now, request),
                                             handles[order_id].execute_update(ChannelOrderInvoicing.invoice_now, request))
        assert first.state == second.state == "invoiced"
        assert first.invoice.invoice_id == second.invoice.invoice_id
        # A click once the workflow has ended (update-with-start, as the console sends it) answers the same.
        await handles[order_id].result()
        third = await send_invoice_now(hub.client, task_queue=hub.task_queue, connection_id=hub.connection.id,
                                       company_tax_id=hub.company_tax_id, order_id=order_id, request=request)
        assert third.state == "invoiced" and third.invoice.invoice_id == first.invoice.invoice_id

    assert hub.invoices_by_order() == {o: 1 for o in orders}
    rows = hub.rows()
    assert all(rows[o].state == "invoiced" and reason_of(rows[o]) == "order.invoiced_by" for o in orders)
    assert json.loads(rows[orders[0]].sku_overrides) == {"NUEVO-0": "CUAD-100"}
    codes = {i["observations"].split()[1]: [item["code"] for item in i["items"]] for i in hub.invoices()}
    assert codes[orders[0]] == ["CAM-ALG-M", "CUAD-100"] and codes[orders[9]] == ["CAM-ALG-M", "NUEVO-9"]
    assert USERNAME not in hub.erp.state.guard._blocked


async def test_a_refusal_of_the_erp_is_sent_once_and_left_for_a_person(running):
    hub = running
    hub.set_rules(document_type_id="99999")  # a document type the ERP does not have
    order_id = hub.create_order(notify=3)

    rows = await hub.order_states([order_id], "error", seconds=30)
    reason = from_text(rows[order_id].reason)
    assert reason.code == "order.erp_refused" and "invalid_reference" in reason.params["code"]
    await asyncio.sleep(1)  # more notifications do not send it again
    hub.marketplace.marketplace.notify(order_id, 2)
    await asyncio.sleep(2)
    errors = sum(hub.erp.state.guard._histories[USERNAME])
    assert errors == 1 and hub.rows()[order_id].attempts == 1


async def test_refused_credentials_put_the_order_in_error_and_stop_the_connections_invoicing(
        hub, company, client, task_queue):
    stand_in_id = f"connection-stand-in-{task_queue}"
    ChannelConnection.delete().where(ChannelConnection.id == hub.connection.id).execute()
    hub.connection = make_connection(company, access_key="not-the-key", workflow_id=stand_in_id)
    async with order_worker(client, hub.settings, task_queue):
        stand_in = await client.start_workflow(ConnectionStandIn.run, id=stand_in_id, task_queue=task_queue)
        order_id = hub.create_order()
        rows = await hub.order_states([order_id], "error", seconds=30)
        assert reason_of(rows[order_id]) == "order.erp_credentials_refused"
        for _ in range(100):
            stopped = await stand_in.query(ConnectionStandIn.stopped)
            if stopped:
                break
            await asyncio.sleep(0.1)
        assert [s.code for s in stopped] == [STOP_CREDENTIALS_REFUSED]
        await terminate_orders(hub)


async def test_orders_of_a_paused_connection_wait_and_the_reconciliation_wakes_them_once_it_resumes(running):
    hub = running
    ChannelConnection.update(state="paused").where(ChannelConnection.id == hub.connection.id).execute()
    orders = [hub.create_order() for _ in range(3)]
    rows = await hub.order_states(orders, "waiting", seconds=30)
    assert {reason_of(rows[o]) for o in orders} == {"order.connection_paused"}

    ChannelConnection.update(state="connected").where(ChannelConnection.id == hub.connection.id).execute()
    await hub.client.start_workflow(
        ChannelReconciliation.run, ReconcileStart(connection_id=hub.connection.id,
                                                  workflow_id=hub.connection.workflow_id),
        id=f"{hub.connection.workflow_id}-reconcile", task_queue=hub.task_queue)
    await hub.order_states(orders, "invoiced", seconds=30)
    assert hub.invoices_by_order() == {o: 1 for o in orders}


async def test_an_order_in_error_continues_as_new_with_its_state_and_is_still_invoiced_once(running):
    hub = running
    order_id = hub.create_order(notify=0, items=[
        {"seller_sku": "NUEVO-X", "title": "Producto nuevo", "quantity": 1, "unit_price": "19900"}])
    handle = await hub.client.start_workflow(
        ChannelOrderInvoicing.run, OrderStart(connection_id=hub.connection.id, company_tax_id=hub.company_tax_id,
                                              order_id=order_id, continue_as_new_after=40),
        id=hub.workflow_id(order_id), task_queue=hub.task_queue, start_signal="notified",
        start_signal_args=[OrderNotified()])
    await hub.order_states([order_id], "error", seconds=30)
    first_run = (await handle.describe()).run_id
    for _ in range(12):
        await handle.signal(ChannelOrderInvoicing.notified, OrderNotified(source="reconciliation"))
        await asyncio.sleep(0.15)
    latest = hub.handle(order_id)
    for _ in range(100):
        if (await latest.describe()).run_id != first_run:
            break
        await asyncio.sleep(0.1)
    assert (await latest.describe()).run_id != first_run, "the run did not continue as new"
    status = await latest.query(ChannelOrderInvoicing.status)
    assert status.state == "error" and status.reason.code == "order.sku_unknown"

    outcome = await latest.execute_update(ChannelOrderInvoicing.invoice_now, InvoiceNow(
        actor="ana@example.co", sku_overrides=(("NUEVO-X", "CUAD-100"),)))
    assert outcome.state == "invoiced" and hub.invoices_by_order() == {order_id: 1}
    assert hub.rows()[order_id].notifications == 13
