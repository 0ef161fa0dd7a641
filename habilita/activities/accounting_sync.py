"""P3 step 4: post the documents of a date range as vouchers, a page at a time.

Each page is one transaction: lock the page's documents, skip those already
posted, bulk-insert one voucher per postable document and its lines. The
unique constraint on ``Voucher.document`` makes every page idempotent, so a
retry, a crash or a re-run of the same range never posts a document twice.
The cursor (last document id done) is heartbeated after every page; a retry
resumes from it.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import peewee
from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.accounting.charts import STANDARD_VAT, posting_problem
from habilita.accounting.errors import Unpostable
from habilita.accounting.posting import DETAIL_LINE_NO, Document, SideAccounts, voucher_lines, voucher_number
from habilita.messages import Message, Problem
from habilita.messages.catalog import in_english
from habilita.models import database_proxy, utcnow
from habilita.models.accounting import (
    AccountingCompany, DefaultAccounts, DetailAccountOverride, ElectronicDocument, Voucher, VoucherLine,
    locked, serialized_transaction,
)

from .accounting import ACCOUNT_REFUSED, chart_of, refuse

DOCUMENT_REFUSED = "DocumentRefused"
NO_DEFAULTS = "NoDefaultAccounts"
# SQLite allows 32,766 bound parameters per statement; a line has 7.
LINE_BATCH = 4000


@dataclass(frozen=True)
class SyncScope:
    company_id: int
    accounting_company_id: int
    date_from: str  # ISO dates: Temporal's JSON converter has no date type
    date_to: str

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromisoformat(self.date_from)

    @property
    def last_day(self) -> dt.date:
        return dt.date.fromisoformat(self.date_to)


@dataclass(frozen=True)
class UnpostableDocument:
    document_id: int
    number: str
    # A str only in syncs that listed it before reasons were messages (kept in carried state).
    reason: Message | str


@dataclass(frozen=True)
class PostPages:
    scope: SyncScope
    posted_by: str  # the sync's workflow id: stable across retries and continue-as-new
    cursor: int
    page_size: int
    max_pages: int
    pause_between_pages_ms: int = 0


@dataclass(frozen=True)
class PagesPosted:
    cursor: int
    done: bool
    posted: int
    already_posted: int
    pages: int
    unpostable: list[UnpostableDocument] = field(default_factory=list)


@dataclass(frozen=True)
class RangeTally:
    documents: int
    with_voucher: int
    posted_by_this_sync: int


@dataclass(frozen=True)
class DetailChange:
    scope: SyncScope
    document_id: int
    account_code: str
    actor: str


@dataclass(frozen=True)
class DetailChangeOutcome:
    document_id: int
    number: str
    account_code: str
    applied: bool
    # What staff read; a str only in outcomes recorded before messages were codes (a sync replays them).
    message: Message | str


def side_accounts(defaults: DefaultAccounts, country: str) -> dict[str, SideAccounts]:
    """The accounts each direction posts to: issued documents are sales, received are purchases."""
    vat = STANDARD_VAT[country]
    return {
        "issued": SideAccounts(defaults.sales_auxiliary, defaults.sales_detail, defaults.sales_vat or vat["sales"]),
        "received": SideAccounts(defaults.purchases_auxiliary, defaults.purchases_detail,
                                 defaults.purchases_vat or vat["purchases"]),
    }


class SyncActivities:
    """Posting documents and per-document changes made during a sync."""

    @activity.defn
    def tally_range(self, scope: SyncScope) -> RangeTally:
        """How many documents the range holds and how many are posted (by anyone, and by ``posted_by``)."""
        docs = ElectronicDocument.in_range(scope.company_id, scope.first_day, scope.last_day)
        posted = Voucher.select().join(ElectronicDocument).where(
            (ElectronicDocument.company == scope.company_id) & ElectronicDocument.issue_date.between(
                scope.first_day, scope.last_day))
        return RangeTally(documents=docs.count(), with_voucher=posted.count(),
                          posted_by_this_sync=posted.where(Voucher.posted_by == activity.info().workflow_id).count())

    @activity.defn
    def post_pages(self, job: PostPages) -> PagesPosted:
        """Post up to ``max_pages`` pages after ``cursor``; heartbeat the cursor after each page."""
        # Each pool thread keeps its own connection, and with it a page cache
        # of up to 32 MB (SQLite): close it, so memory stays bounded.
        with database_proxy.connection_context():
            return self._post_pages(job)

    def _post_pages(self, job: PostPages) -> PagesPosted:
        ledger = AccountingCompany.get_by_id(job.scope.accounting_company_id)
        defaults = DefaultAccounts.get_or_none(DefaultAccounts.accounting_company == ledger)
        if defaults is None:
            told = Message("sync.no_default_accounts", {"company": ledger.name})
            raise refuse(in_english(told), NO_DEFAULTS, {"code": told.code, "params": told.params})
        accounts = side_accounts(defaults, ledger.country)
        resumed = activity.info().heartbeat_details
        cursor = max(job.cursor, resumed[0]) if resumed else job.cursor
        posted = already = pages = 0
        unpostable: list[UnpostableDocument] = []
        while pages < job.max_pages:
            page = self._post_page(job, ledger, accounts, cursor)
            if page is None:
                return PagesPosted(cursor, True, posted, already, pages, unpostable)
            cursor, page_posted, page_already, page_unpostable = page
            posted, already, pages = posted + page_posted, already + page_already, pages + 1
            unpostable += page_unpostable
            activity.heartbeat(cursor)
            if job.pause_between_pages_ms:
                time.sleep(job.pause_between_pages_ms / 1000)
        return PagesPosted(cursor, False, posted, already, pages, unpostable)

    def _post_page(self, job: PostPages, ledger: AccountingCompany, accounts: dict[str, SideAccounts], cursor: int):
        scope = job.scope
        with serialized_transaction():
            ids = [i for (i,) in locked(
                ElectronicDocument.in_range(scope.company_id, scope.first_day, scope.last_day)
                .select(ElectronicDocument.id).where(ElectronicDocument.id > cursor)
                .order_by(ElectronicDocument.id).limit(job.page_size)).tuples()]
            if not ids:
                return None
            # A second statement, so PostgreSQL sees vouchers committed while it waited for the locks.
            posted_ids = {d for (d,) in Voucher.select(Voucher.document).where(Voucher.document.in_(ids)).tuples()}
            overrides = dict(DetailAccountOverride.select(DetailAccountOverride.document,
                                                          DetailAccountOverride.account_code)
                             .where(DetailAccountOverride.document.in_(ids)).tuples())
            todo = [i for i in ids if i not in posted_ids]
            vouchers, lines_by_doc, unpostable = [], {}, []
            now = utcnow()
            for doc in _documents(todo):
                try:
                    lines = voucher_lines(doc, accounts[doc.direction], closed_through=ledger.closed_through,
                                          detail_override=overrides.get(doc.id))
                except Unpostable as exc:
                    unpostable.append(UnpostableDocument(doc.id, doc.number, exc.reason))
                    continue
                lines_by_doc[doc.id] = lines
                vouchers.append((ledger.id, doc.id, voucher_number(doc), doc.issue_date,
                                 f"{doc.doc_type.replace('_', ' ')} {doc.number}"[:200],
                                 sum(line.debit for line in lines), job.posted_by, now))
            if vouchers:
                Voucher.insert_many(vouchers, fields=[
                    Voucher.accounting_company, Voucher.document, Voucher.number, Voucher.date,
                    Voucher.description, Voucher.total, Voucher.posted_by, Voucher.created_at]).execute()
                voucher_ids = dict(Voucher.select(Voucher.document, Voucher.id)
                                   .where(Voucher.document.in_(list(lines_by_doc))).tuples())
                rows = [(voucher_ids[doc_id], n, line.account_code, line.third_party_tax_id, line.description,
                         line.debit, line.credit)
                        for doc_id, lines in lines_by_doc.items() for n, line in enumerate(lines, 1)]
                for start in range(0, len(rows), LINE_BATCH):
                    VoucherLine.insert_many(rows[start:start + LINE_BATCH], fields=[
                        VoucherLine.voucher, VoucherLine.line_no, VoucherLine.account_code,
                        VoucherLine.third_party_tax_id, VoucherLine.description, VoucherLine.debit,
                        VoucherLine.credit]).execute()
        return ids[-1], len(vouchers), len(posted_ids), unpostable

    @activity.defn
    def change_detail_account(self, change: DetailChange) -> DetailChangeOutcome:
        """Set the detail account of one document of the sync, unless it is already posted."""
        scope = change.scope
        code = change.account_code.strip()
        with serialized_transaction():
            doc = locked(ElectronicDocument.select().where(
                (ElectronicDocument.id == change.document_id)
                & (ElectronicDocument.company == scope.company_id))).first()
            if doc is None:
                raise refused_field(DOCUMENT_REFUSED, Problem("document_id", "document_not_of_company",
                                                              {"id": change.document_id}))
            if not scope.first_day <= doc.issue_date <= scope.last_day:
                raise refused_field(DOCUMENT_REFUSED, Problem("document_id", "document_outside_range", {
                    "number": doc.number, "date": doc.issue_date.isoformat(), "first": scope.date_from,
                    "last": scope.date_to}))
            problem = posting_problem(code, chart_of(scope.accounting_company_id))
            if problem:
                raise refused_field(ACCOUNT_REFUSED, Problem("account_code", problem.code, problem.params))
            voucher = Voucher.get_or_none(Voucher.document == doc)
            if voucher is not None:
                detail = (VoucherLine.select(VoucherLine.account_code)
                          .where((VoucherLine.voucher == voucher) & (VoucherLine.line_no == DETAIL_LINE_NO)).scalar())
                return DetailChangeOutcome(doc.id, doc.number, detail, False, Message(
                    "sync.detail_already_posted", {"number": doc.number, "voucher": voucher.number,
                                                   "account": detail}))
            DetailAccountOverride.insert(document=doc, account_code=code, changed_by=change.actor,
                                         changed_at=utcnow()).on_conflict(
                conflict_target=[DetailAccountOverride.document],
                update={DetailAccountOverride.account_code: code, DetailAccountOverride.changed_by: change.actor,
                        DetailAccountOverride.changed_at: utcnow()},
            ).execute()
        return DetailChangeOutcome(doc.id, doc.number, code, True,
                                   Message("sync.detail_changed", {"number": doc.number, "account": code}))


def refused_field(kind: str, problem: Problem) -> ApplicationError:
    """A refusal of one field of the change, its problem in the details (the message: English, for logs)."""
    return refuse(f"{problem.field}: {in_english(problem)}", kind, problem.as_detail())


def _documents(ids: list[int]):
    if not ids:
        return []
    query = (ElectronicDocument.select(
        ElectronicDocument.id, ElectronicDocument.direction, ElectronicDocument.doc_type, ElectronicDocument.number,
        ElectronicDocument.issue_date, ElectronicDocument.counterparty_tax_id, ElectronicDocument.net,
        ElectronicDocument.tax, ElectronicDocument.total)
        .where(ElectronicDocument.id.in_(ids)).order_by(ElectronicDocument.id).tuples())
    return [Document(*row) for row in query]


def accounting_activities() -> list:
    """Every P3 activity (steps 1-4), bound to its object, for the worker to register."""
    from .accounting import AccountingActivities

    setup, sync = AccountingActivities(), SyncActivities()
    return [setup.find_holder, setup.hide_company, setup.accept_request, setup.create_account,
            setup.save_default_accounts, sync.tally_range, sync.post_pages, sync.change_detail_account]
