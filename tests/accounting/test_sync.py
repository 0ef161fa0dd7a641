"""P3 step 4 on the local dev server: one balanced voucher per document, whatever happens."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee
from temporalio.client import WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy

from habilita.activities.accounting_sync import SyncScope
from habilita.messages import Message, Problem
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for

from habilita.models.accounting import AccountingCompany, ElectronicDocument, Voucher, VoucherLine
from habilita.workflows.accounting_sync import AccountingSync, ChangeDetailAccount, SyncJob, SyncTuning

from .conftest import ACTOR, P3


def vouchers_per_document() -> dict[int, int]:
    return dict(Voucher.select(Voucher.document, peewee.fn.COUNT(Voucher.id)).group_by(Voucher.document).tuples())


def unbalanced_vouchers() -> list[int]:
    # Summed here, in Decimal: SQLite's SUM of a NUMERIC column is a float.
    totals: dict[int, list[Decimal]] = {}
    for voucher, debit, credit in VoucherLine.select(VoucherLine.voucher, VoucherLine.debit, VoucherLine.credit).tuples():
        pair = totals.setdefault(voucher, [Decimal(0), Decimal(0)])
        pair[0] += debit
        pair[1] += credit
    return [v for v, (debit, credit) in totals.items() if debit != credit or debit == 0]


def assert_each_document_posted_once_and_balanced(expected: int) -> None:
    counts = vouchers_per_document()
    assert len(counts) == expected and set(counts.values()) == {1}
    assert unbalanced_vouchers() == []
    assert VoucherLine.select(VoucherLine.voucher).distinct().count() == expected


def odd_document(company, number, **values) -> ElectronicDocument:
    fields = dict(company=company, direction="issued", doc_type="invoice", number=number,
                  issue_date=dt.date(2024, 6, 1), counterparty_tax_id="800111222", net=Decimal("1000"),
                  tax=Decimal("190"), total=Decimal("1190"))
    return ElectronicDocument.create(**{**fields, **values})


async def test_a_range_posts_one_balanced_voucher_per_document_and_lists_what_it_cannot_post(
        p3, worker, ledger, company, documents):
    documents(600)
    no_party = odd_document(company, "FEX1", counterparty_tax_id="")
    zero = odd_document(company, "FEX2", net=Decimal(0), tax=Decimal(0), total=Decimal(0))
    closed = odd_document(company, "FEX3", issue_date=dt.date(2023, 12, 31))
    AccountingCompany.update(closed_through=dt.date(2023, 12, 31)).where(AccountingCompany.id == ledger.id).execute()
    await p3.connected(ledger)

    result = await p3.sync_and_wait(date_from="2023-12-01", date_to="2024-12-31")

    assert (result.documents_in_range, result.posted, result.already_posted, result.unpostable_count) == (603, 600, 0, 3)
    reasons = {u.document_id: u.reason for u in result.unpostable}
    assert reasons[no_party.id] == Message("unpostable.no_counterparty")
    assert reasons[zero.id] == Message("unpostable.zero_total")
    assert reasons[closed.id] == Message("unpostable.period_closed", {"date": "2023-12-31", "closed": "2023-12-31"})
    assert render(reasons[closed.id], gettext_for("es")) == (
        "el periodo del 2023-12-31 está cerrado (libros cerrados hasta el 2023-12-31)")
    assert_each_document_posted_once_and_balanced(600)
    sale = Voucher.select().join(ElectronicDocument).where(
        (ElectronicDocument.direction == "issued") & (ElectronicDocument.doc_type == "invoice")
        & (ElectronicDocument.tax > 0)).first()
    assert [l.account_code for l in sale.lines.order_by(VoucherLine.line_no)] == ["130500", "413500", "240805"]
    purchase = Voucher.select().join(ElectronicDocument).where(ElectronicDocument.direction == "received").first()
    assert {l.account_code for l in purchase.lines} <= {"220500", "620500", "240810"}
    assert (await p3.status()).last_sync.posted == 600


async def test_running_the_same_range_again_posts_nothing_and_says_so(p3, worker, ledger, documents):
    documents(300)
    await p3.connected(ledger)
    await p3.sync_and_wait()

    again = await p3.sync_and_wait(resync=True)

    assert (again.posted, again.already_posted) == (0, 300)
    assert again.message == Message("sync.nothing_to_post", {
        "first": "2024-01-01", "last": "2024-12-31", "already": 300, "unpostable": 0})
    assert render(again.message, gettext_for("es")).startswith("No existen documentos contabilizables")
    assert_each_document_posted_once_and_balanced(300)


async def test_staff_change_a_detail_account_during_the_sync_unless_the_document_is_posted(
        client, task_queue, company, worker, ledger, documents):
    documents(600)
    p3 = P3(client, task_queue, company, SyncTuning(page_size=50, pages_per_call=1, pause_between_pages_ms=100))
    await p3.connected(ledger)
    await p3.sync_and_wait(date_from="2024-01-01", date_to="2024-01-31")
    january = ElectronicDocument.select().order_by(ElectronicDocument.id).first()
    last = ElectronicDocument.select().where(ElectronicDocument.direction == "issued") \
        .order_by(ElectronicDocument.id.desc()).first()

    sync = await p3.sync(resync=True)  # the year, January included
    applied = await sync.execute_update(AccountingSync.change_detail_account,
                                        ChangeDetailAccount(ACTOR, last.id, "414000"))
    refused = await sync.execute_update(AccountingSync.change_detail_account,
                                        ChangeDetailAccount(ACTOR, january.id, "414000"))
    result = await sync.result()

    assert applied.applied and refused.applied is False
    assert applied.message == Message("sync.detail_changed", {"number": last.number, "account": "414000"})
    assert refused.account_code in {"413500", "620500"}
    assert refused.message == Message("sync.detail_already_posted", {
        "number": january.number, "voucher": Voucher.get(Voucher.document == january.id).number,
        "account": refused.account_code})
    details = {v.document_id: [l.account_code for l in v.lines.order_by(VoucherLine.line_no)][1]
               for v in Voucher.select().where(Voucher.document.in_([last.id, january.id]))}
    assert details[last.id] == "414000" and details[january.id] != "414000"
    assert result.posted + result.already_posted == 600


async def test_a_detail_account_change_in_the_syncs_first_task_applies(
        client, task_queue, company, worker, ledger, documents):
    # Staff may change an account the moment the sync appears: the change then reaches the workflow in the
    # same task as its start, before the run method has begun.
    documents(100)
    p3 = P3(client, task_queue, company, SyncTuning(page_size=50))
    await p3.connected(ledger)
    last = ElectronicDocument.select().where(ElectronicDocument.direction == "issued") \
        .order_by(ElectronicDocument.id.desc()).get()
    start = WithStartWorkflowOperation(
        AccountingSync.run,
        SyncJob(scope=SyncScope(company.id, ledger.id, "2024-01-01", "2024-12-31"), requested_by=ACTOR,
                tuning=p3.tuning),
        id=f"{p3.handle.id}-first-task-sync", task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL)

    applied = await client.execute_update_with_start_workflow(
        AccountingSync.change_detail_account, ChangeDetailAccount(ACTOR, last.id, "414000"),
        start_workflow_operation=start)
    result = await (await start.workflow_handle()).result()

    assert applied.applied, applied.message
    line = VoucherLine.select().join(Voucher).where((Voucher.document == last.id) & (VoucherLine.line_no == 2)).get()
    assert line.account_code == "414000"
    assert result.posted == 100


async def test_a_detail_account_outside_the_chart_is_refused_during_the_sync(
        client, task_queue, company, worker, ledger, documents):
    documents(400)
    p3 = P3(client, task_queue, company, SyncTuning(page_size=50, pages_per_call=1, pause_between_pages_ms=100))
    await p3.connected(ledger)
    last = ElectronicDocument.select().order_by(ElectronicDocument.id.desc()).first()
    sync = await p3.sync()

    try:
        await sync.execute_update(AccountingSync.change_detail_account, ChangeDetailAccount(ACTOR, last.id, "4140"))
        raise AssertionError("a heading account was accepted as a detail account")
    except WorkflowUpdateFailedError as refused:
        assert [Problem.from_detail(d) for d in refused.cause.details] == [Problem(
            "account_code", "account_not_postable", {"code": "4140", "name": "Hoteles y restaurantes", "level": "account"})]
    await sync.result()
    line = VoucherLine.select().join(Voucher).where((Voucher.document == last.id) & (VoucherLine.line_no == 2)).get()
    assert line.account_code != "4140"


async def test_a_long_sync_continues_as_new_and_keeps_its_history_small(
        client, task_queue, company, worker, ledger, documents):
    documents(1000)
    p3 = P3(client, task_queue, company, SyncTuning(page_size=50, pages_per_call=1, continue_as_new_after_events=30))
    await p3.connected(ledger)

    sync = await p3.sync()
    result = await sync.result()

    progress = await sync.query(AccountingSync.progress)
    assert progress.runs > 2 and result.posted == 1000
    history = [event async for event in sync.fetch_history_events()]
    assert len(history) < 60
    assert_each_document_posted_once_and_balanced(1000)
