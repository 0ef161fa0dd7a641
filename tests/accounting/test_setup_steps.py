"""P3 steps 1-3 on the local dev server: each refusal says what is wrong and changes nothing."""
from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from habilita.activities.accounting import create_accounting_company
from habilita.messages import Problem
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.models import AuditEvent, ProcessRecord
from habilita.models.accounting import AccountingCompany, DefaultAccounts, IntegrationRequest
from habilita.workflows.accounting import (
    AccountingIntegration, ConnectAndSync, CreateChartAccount, HideAccountingCompany, SetDefaultAccounts,
)

from .conftest import ACTOR, CO_DEFAULTS


def fields_of(refused) -> dict[str, Problem]:
    """Each refused field's problem, as the update's failure details carry it (other details are data)."""
    return {p.field: p for p in map(Problem.from_detail, refused.value.cause.details) if p.code}


async def test_request_accept_and_defaults_bring_the_process_to_connect(p3, worker, ledger, company):
    await p3.start()

    found = await p3.request()
    assert (found.accounting_company_id, found.display_tax_id) == (ledger.id, "900123456-8")
    await p3.wait_step("accept")
    assert IntegrationRequest.get(IntegrationRequest.workflow_id == p3.handle.id).status == "pending"
    await p3.accept(ledger.id)
    saved = await p3.set_defaults()

    assert (saved.sales_vat, saved.purchases_vat) == ("240805", "240810")
    stored = DefaultAccounts.get(DefaultAccounts.accounting_company == ledger)
    assert (stored.sales_auxiliary, stored.sales_detail, stored.payments) == ("130500", "413500", "111005")
    assert IntegrationRequest.get(IntegrationRequest.workflow_id == p3.handle.id).accepted_by == ACTOR
    assert AccountingCompany.get_by_id(ledger.id).company_id == company.id
    record = ProcessRecord.get_by_id(p3.handle.id)
    assert (record.process_type, record.current_step, record.waiting_on) == ("accounting", "connect", "staff")
    assert {e.action for e in AuditEvent.select()} >= {"accounting_request", "accounting_accept"}


async def test_a_wrong_check_digit_is_refused_before_anything_is_recorded(p3, worker, ledger):
    await p3.start()
    before = ProcessRecord.get_by_id(p3.handle.id).version

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p3.request(check_digit="3")

    assert fields_of(refused) == {"holder_check_digit": Problem("holder_check_digit", "tax_id_check_digit", {
        "kind": "NIT", "number": "900123456", "expected": "8", "given": "3"})}
    assert (await p3.status()).holder is None
    assert ProcessRecord.get_by_id(p3.handle.id).version == before
    assert not IntegrationRequest.select().exists()


async def test_two_accounting_companies_with_the_holders_tax_id_stop_the_request_until_one_is_hidden(
        p3, worker, ledger, company):
    twin = create_accounting_company(country="CO", tax_id=company.tax_id, check_digit=company.check_digit,
                                     name="Panadería La Espiga (copia 2019)")
    await p3.start()

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p3.request()

    message = str(refused.value.cause)
    assert "2 companies in accounting share NIT 900123456-8" in message and "hide all but one" in message
    assert fields_of(refused) == {"holder_tax_id": Problem("holder_tax_id", "holder_shared", {
        "count": 2, "kind": "NIT", "tax_id": "900123456-8", "companies": [
            {"code": "company_choice", "params": {"name": c.name, "id": c.id}} for c in (ledger, twin)]})}
    status = await p3.status()
    assert (status.step, status.holder) == ("request", None)
    assert [c.accounting_company_id for c in status.duplicates] == [ledger.id, twin.id]
    assert not IntegrationRequest.select().exists()

    remaining = await p3.handle.execute_update(AccountingIntegration.hide_accounting_company,
                                               HideAccountingCompany(ACTOR, twin.id, "copia vieja del 2019"))
    assert [c.accounting_company_id for c in remaining] == [ledger.id]
    assert AccountingCompany.get_by_id(twin.id).hidden
    assert AuditEvent.get(AuditEvent.action == "accounting_company_hidden").reason == "copia vieja del 2019"
    assert (await p3.request()).accounting_company_id == ledger.id


async def test_hiding_needs_a_reason_and_one_of_the_companies_offered(p3, worker, ledger):
    await p3.start()
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p3.handle.execute_update(AccountingIntegration.hide_accounting_company,
                                       HideAccountingCompany(ACTOR, ledger.id, ""))
    assert fields_of(refused) == {"reason": Problem("reason", "required"),
                                  "accounting_company_id": Problem("accounting_company_id", "hide_nothing_offered")}
    assert not AccountingCompany.get_by_id(ledger.id).hidden


async def to_default_accounts(p3, ledger):
    await p3.start()
    await p3.request()
    await p3.wait_step("accept")
    await p3.accept(ledger.id)


@pytest.mark.parametrize("changes, field, code, params", [
    ({"sales_auxiliary": ""}, "sales_auxiliary", "required", {}),
    ({"purchases_detail": " "}, "purchases_detail", "required", {}),
    ({"sales_detail": "41359999"}, "sales_detail", "account_not_in_chart", {"code": "41359999"}),
    ({"sales_detail": "4135"}, "sales_detail", "account_not_postable", {"code": "4135", "level": "account"}),
    ({"collections": "11"}, "collections", "account_not_postable", {"code": "11", "level": "group"}),
])
async def test_default_accounts_must_be_given_and_take_postings(p3, worker, ledger, changes, field, code, params):
    await to_default_accounts(p3, ledger)
    before = ProcessRecord.get_by_id(p3.handle.id).version

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p3.handle.execute_update(AccountingIntegration.set_default_accounts,
                                       SetDefaultAccounts(actor=ACTOR, **{**CO_DEFAULTS, **changes}))

    (problem,) = fields_of(refused).values()
    assert (problem.field, problem.code) == (field, code)
    assert params.items() <= problem.params.items()
    assert (await p3.status()).defaults is None
    assert not DefaultAccounts.select().exists()
    assert ProcessRecord.get_by_id(p3.handle.id).version == before


async def test_a_missing_account_is_created_in_the_chart_from_the_same_step(p3, worker, ledger):
    await to_default_accounts(p3, ledger)

    account = await p3.handle.execute_update(AccountingIntegration.create_chart_account,
                                             CreateChartAccount(ACTOR, "41350001", "Ventas de pan"))
    await p3.set_defaults(sales_detail="41350001")

    assert (account.level, account.postable) == ("auxiliary", True)
    assert DefaultAccounts.get(DefaultAccounts.accounting_company == ledger).sales_detail == "41350001"
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p3.handle.execute_update(AccountingIntegration.create_chart_account,
                                       CreateChartAccount(ACTOR, "41350001", "Otra vez"))
    assert fields_of(refused) == {"code": Problem("code", "account_exists", {"code": "41350001", "name": "Ventas de pan"})}


@pytest.mark.parametrize("date_from, date_to, field, code, params", [
    ("2024-12-31", "2024-01-01", "date_to", "range_reversed", {"first": "2024-12-31", "last": "2024-01-01"}),
    ("2024-01-01", "2999-01-01", "date_to", "date_in_future", {"date": "2999-01-01"}),
    ("2024-13-01", "2024-12-31", "date_from", "not_a_date", {"value": "2024-13-01", "example": "2024-01-31"}),
])
async def test_a_bad_range_is_refused_and_nothing_syncs(p3, worker, ledger, date_from, date_to, field, code, params):
    await p3.connected(ledger)

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p3.handle.execute_update(AccountingIntegration.connect_and_sync, ConnectAndSync(ACTOR, date_from, date_to))

    problem = fields_of(refused)[field]
    assert problem.code == code and params.items() <= problem.params.items()
    status = await p3.status()
    assert (status.step, status.syncs, status.current_sync_id) == ("connect", 0, "")


async def test_a_range_that_overlaps_a_synced_one_is_refused_with_what_was_synced_there_unless_resynced(
        p3, worker, ledger):
    await p3.connected(ledger)
    await p3.sync_and_wait(date_from="2024-01-01", date_to="2024-01-31")

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p3.sync(date_from="2024-01-15", date_to="2024-02-15")

    problem = fields_of(refused)["date_from"]
    assert problem.code == "range_overlaps"
    assert problem.params["first"] == "2024-01-01" and problem.params["last"] == "2024-01-31"
    assert "el rango se cruza con el del 2024-01-01 al 2024-01-31" in render(problem, gettext_for("es"))
    await p3.sync_and_wait(date_from="2024-02-01", date_to="2024-02-29")  # next to it: accepted
    await p3.sync_and_wait(date_from="2024-01-15", date_to="2024-02-15", resync=True)  # meant: accepted
