"""P3 for a Chilean company: its RUT, its 6-digit plan, and VAT to its own accounts."""
from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from habilita.activities.accounting import create_accounting_company
from habilita.demo.accounting import generate_documents
from habilita.messages import Problem
from habilita.models import Company
from habilita.models.accounting import VoucherLine
from habilita.workflows.accounting_sync import SyncTuning

from .conftest import FIRST_DAY, P3
from .test_sync import assert_each_document_posted_once_and_balanced

CL_DEFAULTS = dict(sales_auxiliary="110310", sales_detail="310115", purchases_auxiliary="210210",
                   purchases_detail="410235", payments="", collections="")


@pytest.fixture
def chilean(db):
    return Company.create(country="CL", tax_id="76086428", check_digit="5", legal_name="Los Andes SpA")


@pytest.fixture
def chilean_ledger(chilean):
    return create_accounting_company(country="CL", tax_id=chilean.tax_id, check_digit=chilean.check_digit,
                                     name="Los Andes SpA (contabilidad)")


@pytest.fixture
def chilean_p3(client, task_queue, chilean):
    return P3(client, task_queue, chilean, SyncTuning(page_size=100, pages_per_call=3))


async def test_a_rut_with_a_wrong_check_digit_is_refused_at_its_field(chilean_p3, worker, chilean_ledger):
    await chilean_p3.start()

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await chilean_p3.request(check_digit="K")

    assert [Problem.from_detail(d) for d in refused.value.cause.details] == [Problem(
        "holder_check_digit", "tax_id_check_digit", {"kind": "RUT", "number": "76086428", "expected": "5", "given": "K"})]
    assert (await chilean_p3.status()).step == "request"


async def test_a_chilean_company_syncs_with_its_plan_and_posts_vat_to_its_own_accounts(
        chilean_p3, worker, chilean_ledger, chilean):
    generate_documents(chilean, count=200, first_day=FIRST_DAY)
    await chilean_p3.start()
    found = await chilean_p3.request()
    assert found.display_tax_id == "76086428-5"
    await chilean_p3.wait_step("accept")
    await chilean_p3.accept(chilean_ledger.id)
    saved = await chilean_p3.set_defaults(**CL_DEFAULTS)
    assert (saved.sales_vat, saved.purchases_vat) == ("210710", "110710")

    result = await chilean_p3.sync_and_wait()

    assert result.posted == 200
    assert_each_document_posted_once_and_balanced(200)
    used = {code for (code,) in VoucherLine.select(VoucherLine.account_code).distinct().tuples()}
    assert used == {"110310", "310115", "210710", "210210", "410235", "110710"}
    assert not VoucherLine.select().where(VoucherLine.account_code.startswith("24")).exists()
