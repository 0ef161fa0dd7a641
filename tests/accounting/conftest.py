"""P3 fixtures: the company's accounting counterpart and a driver for the process's steps."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
from temporalio.service import RPCError

from habilita.activities.accounting import create_accounting_company
from habilita.demo.accounting import generate_documents
from habilita.models import ProcessRecord
from habilita.workflows.accounting import (
    AcceptIntegration, AccountingIntegration, ConnectAndSync, RequestIntegration, SetDefaultAccounts,
    StartAccountingIntegration,
)
from habilita.workflows.accounting_sync import AccountingSync, SyncTuning

ACTOR = "ana@example.co"
FIRST_DAY = dt.date(2024, 1, 1)
CO_DEFAULTS = dict(sales_auxiliary="130500", sales_detail="413500", purchases_auxiliary="220500",
                   purchases_detail="620500", payments="111005", collections="110505")


@pytest.fixture
def ledger(company):
    """The company as accounting knows it, with Colombia's PUC."""
    return create_accounting_company(country="CO", tax_id=company.tax_id, check_digit=company.check_digit,
                                     name=f"{company.legal_name} (contabilidad)")


@pytest.fixture
def documents(company):
    """Fill ``company`` with ``count`` documents of 2024; returns how many."""
    def make(count: int, **kwargs) -> int:
        return generate_documents(company, count=count, first_day=FIRST_DAY, days=kwargs.pop("days", 365), **kwargs)
    return make


class P3:
    """Drives one AccountingIntegration through its updates, as the admin would."""

    def __init__(self, client, task_queue, company, tuning: SyncTuning):
        self.client, self.task_queue, self.company, self.tuning = client, task_queue, company, tuning
        self.handle = None

    async def start(self):
        self.handle = await self.client.start_workflow(
            AccountingIntegration.run,
            StartAccountingIntegration(company_id=self.company.id, company_tax_id=self.company.display_tax_id,
                                       country=self.company.country, started_by=ACTOR, tuning=self.tuning),
            id=f"accounting-{uuid.uuid4()}", task_queue=self.task_queue)
        await self.wait_step("request")
        return self.handle

    async def status(self):
        return await self.handle.query(AccountingIntegration.status)

    async def wait_step(self, step: str, timeout: float = 30):
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            status = await self.status()
            record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == self.handle.id)
            # The query moves first; the projection follows once its activity has run.
            if status.step == step and record is not None and record.current_step == step:
                return status
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"never reached step {step!r}; the process is at {status.step!r}")
            await asyncio.sleep(0.05)

    async def request(self, tax_id=None, check_digit=None):
        return await self.handle.execute_update(AccountingIntegration.request_integration, RequestIntegration(
            ACTOR, tax_id or self.company.tax_id, check_digit or self.company.check_digit))

    async def accept(self, accounting_company_id: int):
        await self.handle.execute_update(AccountingIntegration.accept_integration,
                                         AcceptIntegration(ACTOR, accounting_company_id))
        return await self.wait_step("default_accounts")

    async def set_defaults(self, **overrides):
        result = await self.handle.execute_update(AccountingIntegration.set_default_accounts,
                                                  SetDefaultAccounts(actor=ACTOR, **{**CO_DEFAULTS, **overrides}))
        await self.wait_step("connect")
        return result

    async def connected(self, ledger):
        await self.start()
        await self.request()
        await self.wait_step("accept")
        await self.accept(ledger.id)
        await self.set_defaults()

    async def sync(self, date_from="2024-01-01", date_to="2024-12-31", resync=False):
        started = await self.handle.execute_update(AccountingIntegration.connect_and_sync,
                                                   ConnectAndSync(ACTOR, date_from, date_to, resync))
        child = self.client.get_workflow_handle_for(AccountingSync.run, started.sync_workflow_id)
        for _ in range(200):  # the parent starts the child on its next workflow task
            try:
                await child.describe()
                return child
            except RPCError:
                await asyncio.sleep(0.05)
        raise AssertionError(f"the sync {started.sync_workflow_id} never started")

    async def sync_and_wait(self, **kwargs):
        child = await self.sync(**kwargs)
        result = await child.result()
        await self.wait_step("connected")
        return result


@pytest.fixture
def p3(client, task_queue, company):
    return P3(client, task_queue, company, SyncTuning(page_size=100, pages_per_call=3, heartbeat_timeout_seconds=5))
