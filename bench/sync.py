"""Bench P3's sync: post N documents through the real workflow, then bulk-insert the same rows raw.

    .venv/bin/python bench/sync.py [--documents 100000] [--page-size 1000] [--pages-per-call 5]

Uses a temporary SQLite database (or DATABASE_URL when it points to
PostgreSQL, whose tables it empties) and a local Temporal dev server. Ends
with one line: documents/s, the ratio to a raw bulk insert of the same
voucher rows in one transaction, the worker's peak RSS growth during the
sync, and the largest workflow history of the sync.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")


class PeakRss:
    """Samples this process's RSS in a thread; ``growth`` is the peak above the start."""

    def __init__(self, every: float = 0.05):
        self.start, self.peak, self._every, self._stop = rss_mb(), 0.0, every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self):
        self.peak = self.start
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> float:
        return self.peak - self.start


async def history_lengths(client, workflow_id: str) -> list[int]:
    """Events in each run of ``workflow_id`` (one per continue-as-new)."""
    lengths = []
    async for execution in client.list_workflows(f"WorkflowId = '{workflow_id}'"):
        handle = client.get_workflow_handle(workflow_id, run_id=execution.run_id)
        lengths.append(len([e async for e in handle.fetch_history_events()]))
    return lengths


def raw_bulk_insert(ledger_id: int, company_id: int) -> tuple[float, int]:
    """Insert the vouchers the sync produced, recomputed from the documents, in one
    transaction with explicit ids; returns (seconds, vouchers). Only the insert is timed."""
    from habilita.accounting.posting import voucher_lines, voucher_number
    from habilita.activities.accounting_sync import _documents, side_accounts
    from habilita.models import database_proxy, utcnow
    from habilita.models.accounting import AccountingCompany, DefaultAccounts, ElectronicDocument, Voucher, VoucherLine

    ledger = AccountingCompany.get_by_id(ledger_id)
    accounts = side_accounts(DefaultAccounts.get(DefaultAccounts.accounting_company == ledger), ledger.country)
    ids = [i for (i,) in ElectronicDocument.select(ElectronicDocument.id)
           .where(ElectronicDocument.company == company_id).order_by(ElectronicDocument.id).tuples()]
    vouchers, lines, now = [], [], utcnow()
    for start in range(0, len(ids), 5000):
        for doc in _documents(ids[start:start + 5000]):
            entry = voucher_lines(doc, accounts[doc.direction])
            voucher_id = len(vouchers) + 1
            vouchers.append((voucher_id, ledger.id, doc.id, voucher_number(doc), doc.issue_date,
                             f"{doc.doc_type.replace('_', ' ')} {doc.number}", sum(l.debit for l in entry),
                             "raw", now))
            lines += [(voucher_id, n, l.account_code, l.third_party_tax_id, l.description, l.debit, l.credit)
                      for n, l in enumerate(entry, 1)]
    voucher_fields = [Voucher.id, Voucher.accounting_company, Voucher.document, Voucher.number, Voucher.date,
                      Voucher.description, Voucher.total, Voucher.posted_by, Voucher.created_at]
    line_fields = [VoucherLine.voucher, VoucherLine.line_no, VoucherLine.account_code,
                   VoucherLine.third_party_tax_id, VoucherLine.description, VoucherLine.debit, VoucherLine.credit]
    began = time.perf_counter()
    with database_proxy.atomic():
        for start in range(0, len(vouchers), 3000):
            Voucher.insert_many(vouchers[start:start + 3000], fields=voucher_fields).execute()
        for start in range(0, len(lines), 4000):
            VoucherLine.insert_many(lines[start:start + 4000], fields=line_fields).execute()
    return time.perf_counter() - began, len(vouchers)


async def run(args) -> str:
    from habilita.adapters.codec import data_converter
    from habilita.models.database import open_database, upgrade
    from habilita.demo.accounting import generate_documents
    from habilita.messages.catalog import in_english
    from habilita.devstack.devserver import DevServerConfig
    from habilita.settings import Settings
    from habilita.worker import build_worker
    from habilita.activities.accounting import create_accounting_company
    from habilita.models import Company, database_proxy
    from habilita.models.accounting import Voucher, VoucherLine
    from habilita.workflows.accounting import (
        AcceptIntegration, AccountingIntegration, ConnectAndSync, RequestIntegration, SetDefaultAccounts,
        StartAccountingIntegration,
    )
    from habilita.workflows.accounting_sync import AccountingSync, SyncTuning

    var = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    url = os.environ.get("DATABASE_URL", "")
    url = url if url.startswith("postgres") else f"sqlite:///{var / 'bench.db'}"
    settings = Settings.from_env({"HABILITA_VAR": str(var), "DATABASE_URL": url,
                                  "HABILITA_ENCRYPTION_KEY": key, "SECRET_KEY": "bench"})
    db = open_database(url)
    if url.startswith("postgres"):
        tables = db.get_tables()
        if tables:
            db.execute_sql("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    upgrade(db)
    company = Company.create(country="CO", tax_id="900123456", check_digit="8", legal_name="Bench SAS")
    ledger = create_accounting_company(country="CO", tax_id="900123456", check_digit="8", name="Bench SAS")
    generate_documents(company, count=args.documents, first_day=dt.date(2024, 1, 1), days=365)

    config = DevServerConfig.load()
    env = await WorkflowEnvironment.start_local(data_converter=data_converter(key), **config.environment_options())
    try:
        client, queue = env.client, f"bench-{uuid.uuid4()}"
        async with build_worker(client, settings, task_queue=queue):
            handle = await client.start_workflow(
                AccountingIntegration.run,
                StartAccountingIntegration(company.id, company.display_tax_id, "CO", "bench",
                                           SyncTuning(page_size=args.page_size, pages_per_call=args.pages_per_call)),
                id=f"accounting-bench-{uuid.uuid4()}", task_queue=queue)
            actor = "bench@habilita.local"
            await handle.execute_update(AccountingIntegration.request_integration,
                                        RequestIntegration(actor, "900123456", "8"))
            while (await handle.query(AccountingIntegration.status)).step != "accept":
                await asyncio.sleep(0.05)
            await handle.execute_update(AccountingIntegration.accept_integration, AcceptIntegration(actor, ledger.id))
            while (await handle.query(AccountingIntegration.status)).step != "default_accounts":
                await asyncio.sleep(0.05)
            await handle.execute_update(AccountingIntegration.set_default_accounts, SetDefaultAccounts(
                actor, "130500", "413500", "220500", "620500"))
            while (await handle.query(AccountingIntegration.status)).step != "connect":
                await asyncio.sleep(0.05)
            with PeakRss() as memory:
                began = time.perf_counter()
                started = await handle.execute_update(AccountingIntegration.connect_and_sync,
                                                      ConnectAndSync(actor, "2024-01-01", "2024-12-31"))
                while (await handle.query(AccountingIntegration.status)).step != "connected":
                    await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - began
            result = (await handle.query(AccountingIntegration.status)).last_sync
            histories = await history_lengths(client, started.sync_workflow_id)
            histories += await history_lengths(client, handle.id)
    finally:
        await env.shutdown()
    if result.posted != args.documents:
        raise SystemExit(f"the sync posted {result.posted} of {args.documents} documents: {in_english(result.message)}")

    with database_proxy.atomic():
        VoucherLine.delete().execute()
        Voucher.delete().execute()
    raw_seconds, raw_vouchers = raw_bulk_insert(ledger.id, company.id)
    assert raw_vouchers == args.documents
    rate = args.documents / elapsed
    return (f"sync: {rate:.0f} docs/s (ratio {elapsed / raw_seconds:.2f} vs raw bulk insert), "
            f"peak RSS +{memory.growth:.0f} MB, max history {max(histories)} events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--pages-per-call", type=int, default=10)
    args = parser.parse_args()
    print(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
