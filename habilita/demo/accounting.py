"""P3 demo: a company with a year of electronic documents, waiting to be integrated.

``generate_documents`` is also what the tests and ``bench/sync.py`` use to
fill a range: deterministic for a seed, inserted in bulk.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from temporalio.client import Client

from habilita.activities.accounting import create_accounting_company
from habilita.dian.checkdigit import nit_check_digit
from habilita.models import Company, database_proxy, insert_in_batches
from habilita.models.accounting import AccountingCompany, ElectronicDocument
from habilita.processes import ACCOUNTING
from habilita.processes.client import ProcessClient
from habilita.settings import Settings

DEMO_COMPANY = ("CO", "860512780", "Distribuidora Andina S.A.", "Cali")
DEMO_DOCUMENTS = 3_000
VAT_RATE = Decimal("0.19")
CENT = Decimal("0.01")
INSERT_BATCH = 500


@dataclass(frozen=True)
class AccountingDemo:
    company_id: int
    accounting_company_id: int
    documents: int
    workflow_id: str


def generate_documents(company: Company, *, count: int, first_day: dt.date, days: int = 365, seed: int = 7,
                       number_offset: int = 0) -> int:
    """Insert ``count`` documents spread over ``days`` days from ``first_day``:
    mostly sales invoices, some credit notes, a quarter purchases; returns how many."""
    rng = random.Random(seed)  # nosec B311 # repeatable demo data, never a secret
    customers = [str(800_000_000 + rng.randrange(100_000_000)) for _ in range(200)]
    suppliers = [str(900_000_000 + rng.randrange(100_000_000)) for _ in range(50)]
    fields = [ElectronicDocument.company, ElectronicDocument.direction, ElectronicDocument.doc_type,
              ElectronicDocument.number, ElectronicDocument.issue_date, ElectronicDocument.counterparty_tax_id,
              ElectronicDocument.counterparty_name, ElectronicDocument.net, ElectronicDocument.tax,
              ElectronicDocument.total, ElectronicDocument.created_at]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    def rows():
        for n in range(number_offset + 1, number_offset + count + 1):
            kind = rng.random()
            if kind < 0.70:
                direction, doc_type, party, prefix = "issued", "invoice", rng.choice(customers), "FE"
            elif kind < 0.75:
                direction, doc_type, party, prefix = "issued", "credit_note", rng.choice(customers), "NC"
            else:
                direction, doc_type, party, prefix = "received", "invoice", rng.choice(suppliers), "FP"
            net = Decimal(rng.randrange(10_000, 5_000_000)).quantize(CENT)
            tax = (net * VAT_RATE).quantize(CENT) if rng.random() < 0.9 else Decimal("0.00")
            day = first_day + dt.timedelta(days=(n - number_offset - 1) * days // max(count, 1))
            yield (company.id, direction, doc_type, f"{prefix}{n:07d}", day, party, f"Tercero {party}",
                   net, tax, net + tax, now)

    # Inserted as generated, so 100,000 documents never sit in memory at once; all of them or none.
    with database_proxy.atomic():
        return insert_in_batches(ElectronicDocument, rows(), size=INSERT_BATCH, fields=fields)


def demo_company() -> Company:
    country, tax_id, name, city = DEMO_COMPANY
    company = Company.get_or_none((Company.country == country) & (Company.tax_id == tax_id))
    if company is None:
        company = Company.create(country=country, tax_id=tax_id, check_digit=nit_check_digit(tax_id),
                                 legal_name=name, city=city, email=f"contabilidad@{tax_id}.example.co")
    return company


async def seed_accounting_demo(client: Client, settings: Settings) -> AccountingDemo:
    """Seed the P3 demo (safe to run again): the company, its accounting
    counterpart with the PUC, last year's documents, and the integration
    process waiting at its first step."""
    company = demo_company()
    ledger = AccountingCompany.get_or_none((AccountingCompany.company == company)
                                           | ((AccountingCompany.country == company.country)
                                              & (AccountingCompany.tax_id == company.tax_id)))
    if ledger is None:
        ledger = create_accounting_company(country=company.country, tax_id=company.tax_id,
                                           check_digit=company.check_digit, name=company.legal_name)
    year = dt.date.today().year - 1
    documents = ElectronicDocument.select().where(ElectronicDocument.company == company).count()
    if documents == 0:
        documents = generate_documents(company, count=DEMO_DOCUMENTS, first_day=dt.date(year, 1, 1), days=365)
    handle = await ProcessClient(client, task_queue=settings.task_queue).start(
        ACCOUNTING, company, actor="demo", settings=settings)
    return AccountingDemo(company.id, ledger.id, documents, handle.id)
