"""P3: connect a company's e-invoicing to its accounting (seed 004).

Steps: ``request`` (the contract holder's tax id) -> ``accept`` (in
accounting) -> ``default_accounts`` -> ``connect`` (choose a date range) ->
``sync`` (a child posts the range) -> ``connected`` (ready for another range).
A person acts through the updates below; each validator rejects bad input
before it reaches history, against the chart of accounts the workflow holds.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError

from habilita.messages.problem_codes import tax_id_problem
from habilita.states import Offered, ProcessStatus, WaitingOn

from .accounting_sync import AccountingSync, SyncJob, SyncResult, SyncTuning, refusal_from
from .inputs import Problems, expect_step, told_by, wrong_step
from .process import AuditEntry, ProcessTracker, projecting_the_end

with workflow.unsafe.imports_passed_through():
    from habilita.accounting.charts import STANDARD_VAT, ChartAccount, ChartError, new_account, posting_problem
    from habilita.activities.accounting import (
        DUPLICATE_TAX_ID, Acceptance, AccountingActivities, DefaultsToSave, HideCompany, HolderFound, HolderLookup,
        NewChartAccount,
    )
    from habilita.activities.accounting_sync import SyncScope
    from habilita.dian.checkdigit import validate_nit, validate_rut
    from habilita.messages import Message
    from habilita.dian.errors import InvalidTaxId

PROCESS_TYPE = "accounting"
class Step(StrEnum):
    """P3's steps, in order; ``CONNECTED`` waits for the next date range to sync."""

    REQUEST = "request"
    ACCEPT = "accept"
    DEFAULT_ACCOUNTS = "default_accounts"
    CONNECT = "connect"
    SYNC = "sync"
    CONNECTED = "connected"


STEPS = tuple(Step)
CONFIGURABLE = (Step.DEFAULT_ACCOUNTS, Step.CONNECT, Step.CONNECTED)
QUICK = timedelta(seconds=60)
HANDLER_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=5), maximum_attempts=5)
REQUIRED_DEFAULTS = ("sales_auxiliary", "sales_detail", "purchases_auxiliary", "purchases_detail")
OPTIONAL_DEFAULTS = ("payments", "collections", "sales_vat", "purchases_vat")


@dataclass(frozen=True)
class RequestIntegration:
    """Step 1: the RUT/NIT of the contract holder, with its check digit."""

    actor: str
    holder_tax_id: str
    holder_check_digit: str


@dataclass(frozen=True)
class HideAccountingCompany:
    """Hide one of the accounting companies that share the holder's tax id."""

    actor: str
    accounting_company_id: int
    reason: str


@dataclass(frozen=True)
class AcceptIntegration:
    """Step 2: in accounting, accept the pending request (Integrated: yes)."""

    actor: str
    accounting_company_id: int


@dataclass(frozen=True)
class SetDefaultAccounts:
    """Step 3: sales and purchases accounts; VAT accounts default to the country's standard ones."""

    actor: str
    sales_auxiliary: str
    sales_detail: str
    purchases_auxiliary: str
    purchases_detail: str
    payments: str = ""
    collections: str = ""
    sales_vat: str = ""
    purchases_vat: str = ""


@dataclass(frozen=True)
class CreateChartAccount:
    """Step 3, when the account needed is missing: add it to the company's chart."""

    actor: str
    code: str
    name: str


@dataclass(frozen=True)
class ConnectAndSync:
    """Step 4: post every document dated from ``date_from`` to ``date_to`` (ISO dates, inclusive).

    A range that overlaps one already synced is refused unless ``resync`` says the person means it
    (documents added later to a closed range): posting is idempotent, so nothing is posted twice.
    """

    actor: str
    date_from: str
    date_to: str
    resync: bool = False


@dataclass(frozen=True)
class CompanyChoice:
    accounting_company_id: int
    name: str


@dataclass(frozen=True)
class SyncStarted:
    sync_workflow_id: str


@dataclass(frozen=True)
class StartAccountingIntegration:
    company_id: int
    company_tax_id: str
    country: str
    started_by: str
    tuning: SyncTuning = SyncTuning()
    carried: "IntegrationState | None" = None


@dataclass(frozen=True)
class SyncedRange:
    """A date range the process synced: what a new range must not overlap."""

    date_from: str
    date_to: str
    posted: int
    synced_by: str
    synced_on: str


@dataclass(frozen=True)
class IntegrationState:
    """Everything the process knows; carried across continue-as-new."""

    holder: HolderFound | None = None
    duplicates: list[CompanyChoice] = field(default_factory=list)
    accepted: bool = False
    chart: list[ChartAccount] = field(default_factory=list)
    defaults: DefaultsToSave | None = None
    syncs: int = 0
    current_sync_id: str = ""
    last_sync: SyncResult | None = None
    synced: list[SyncedRange] = field(default_factory=list)


@dataclass(frozen=True)
class IntegrationStatus:
    step: str
    status: str
    waiting_on: str
    holder: HolderFound | None
    duplicates: list[CompanyChoice]
    defaults: DefaultsToSave | None
    chart_accounts: int
    syncs: int
    current_sync_id: str
    last_sync: SyncResult | None
    synced: list[SyncedRange] = field(default_factory=list)
    # What the step's form offers to pick: the accounting companies found for the holder.
    offers: dict[str, list[Offered]] = field(default_factory=dict)


def check_holder(country: str, data: RequestIntegration) -> None:
    """Reject a request whose tax id or check digit is wrong, field by field."""
    problems = Problems.acting(data.actor)
    number = (data.holder_tax_id or "").replace(".", "").replace(" ", "").strip()
    digit = (data.holder_check_digit or "").strip().upper()
    if problems.require("holder_tax_id", number) and problems.require("holder_check_digit", digit):
        try:
            validate_rut(f"{number}-{digit}") if country == "CL" else validate_nit(number, digit)
        except InvalidTaxId as exc:
            problems.extend([tax_id_problem(exc, number_field="holder_tax_id",
                                            check_digit_field="holder_check_digit")])
    problems.raise_if_any()


def check_range(data: ConnectAndSync, today: dt.date) -> tuple[dt.date, dt.date]:
    """Reject a range that is malformed, reversed or reaches into the future."""
    problems = Problems.acting(data.actor)
    days = {}
    for name in ("date_from", "date_to"):
        value = (getattr(data, name) or "").strip()
        if problems.require(name, value):
            try:
                days[name] = dt.date.fromisoformat(value)
            except ValueError:
                problems.add(name, "not_a_date", value=value, example="2024-01-31")
    for name, day in days.items():
        if day > today:
            problems.add(name, "date_in_future", date=day.isoformat(), today=today.isoformat())
    if len(days) == 2 and days["date_from"] > days["date_to"]:
        problems.add("date_to", "range_reversed", first=days["date_from"].isoformat(),
                     last=days["date_to"].isoformat())
    problems.raise_if_any()
    return days["date_from"], days["date_to"]


def check_overlap(data: ConnectAndSync, synced: list[SyncedRange]) -> None:
    """Refuse a range that overlaps one already synced, naming the synced range and what was posted there."""
    for done in synced:
        if data.date_from.strip() <= done.date_to and done.date_from <= data.date_to.strip():
            problems = Problems.acting(data.actor)
            problems.add("date_from", "range_overlaps", first=done.date_from, last=done.date_to,
                         posted=done.posted, by=done.synced_by, on=done.synced_on)
            problems.raise_if_any()


def check_defaults(data: SetDefaultAccounts, chart: dict[str, ChartAccount], country: str) -> None:
    """Every mandatory account given; every account given (or standard VAT) takes postings."""
    problems = Problems.acting(data.actor)
    for name in REQUIRED_DEFAULTS:
        if problems.require(name, getattr(data, name)):
            if problem := posting_problem(getattr(data, name).strip(), chart):
                problems.add(name, problem.code, **problem.params)
    for name in OPTIONAL_DEFAULTS:
        code = (getattr(data, name) or "").strip()
        if not code and name.endswith("_vat"):
            code = STANDARD_VAT[country][name.removesuffix("_vat")]
        if code and (problem := posting_problem(code, chart)):
            problems.add(name, problem.code, **problem.params)
    problems.raise_if_any()


@workflow.defn
class AccountingIntegration:
    @workflow.init
    def __init__(self, start: StartAccountingIntegration) -> None:
        # Set before any update is validated: an update may arrive with the start.
        self._start = start
        self._state = start.carried or IntegrationState()
        self._chart = {a.code: a for a in self._state.chart}
        self._tracker: ProcessTracker | None = None
        self._pending: ConnectAndSync | None = None
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, start: StartAccountingIntegration) -> str:
        return await projecting_the_end(lambda: self._tracker, self._run(start))

    async def _run(self, start: StartAccountingIntegration) -> str:
        self._tracker = ProcessTracker(process_type=PROCESS_TYPE, company_id=start.company_id,
                                       company_tax_id=start.company_tax_id)
        for step, reached in ((Step.REQUEST, lambda: self._state.holder is not None),
                              (Step.ACCEPT, lambda: self._state.accepted),
                              (Step.DEFAULT_ACCOUNTS, lambda: self._state.defaults is not None)):
            if not reached():
                await self._tracker.enter(step, waiting_on=WaitingOn.STAFF)
                await workflow.wait_condition(reached)
        await self._tracker.enter(Step.CONNECTED if self._state.syncs else Step.CONNECT, waiting_on=WaitingOn.STAFF)
        while True:
            await workflow.wait_condition(lambda: self._pending is not None)
            await self._sync(self._pending)
            self._pending = None
            await self._tracker.enter(Step.CONNECTED, waiting_on=WaitingOn.STAFF)
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carry())

    async def _sync(self, request: ConnectAndSync) -> None:
        await self._tracker.enter(Step.SYNC)
        scope = SyncScope(self._start.company_id, self._state.holder.accounting_company_id,
                          request.date_from, request.date_to)
        try:
            result = await workflow.execute_child_workflow(
                AccountingSync.run, SyncJob(scope=scope, requested_by=request.actor, tuning=self._start.tuning),
                id=self._state.current_sync_id, static_summary=f"post {request.date_from} to {request.date_to}")
        except ChildWorkflowError as error:
            await self._tracker.failed_attempt(Message("sync.failed", {
                "first": request.date_from, "last": request.date_to, "error": told_by(error)}))
            return
        self._state = replace(self._state, last_sync=result, synced=[*self._state.synced, SyncedRange(
            result.date_from, result.date_to, result.posted, request.actor, workflow.now().date().isoformat())])
        await self._tracker.audit(AuditEntry(actor=request.actor, action="accounting_sync",
                                             target_id=workflow.info().workflow_id, detail=result.message))

    def _carry(self) -> StartAccountingIntegration:
        state = replace(self._state, chart=list(self._chart.values()))
        return StartAccountingIntegration(self._start.company_id, self._start.company_tax_id, self._start.country,
                                          self._start.started_by, self._start.tuning, state)

    async def _run_activity(self, method, arg):
        """Run an activity for a person's action; its refusal fails only that action."""
        async with self._lock:
            try:
                return await workflow.execute_activity_method(method, arg, start_to_close_timeout=QUICK,
                                                              retry_policy=HANDLER_RETRY)
            except ActivityError as error:
                raise refusal_from(error) from error

    def _step(self) -> str:
        """The step the state stands at (the projection may still be catching up)."""
        s = self._state
        if s.holder is None:
            return Step.REQUEST
        if not s.accepted:
            return Step.ACCEPT
        if s.defaults is None:
            return Step.DEFAULT_ACCOUNTS
        if self._pending is not None:
            return Step.SYNC
        return Step.CONNECTED if s.syncs else Step.CONNECT

    def _at(self, action: str, *steps: str) -> None:
        expect_step(action, self._step(), *steps)

    # Step 1 ---------------------------------------------------------------
    @workflow.update
    async def request_integration(self, data: RequestIntegration) -> HolderFound:
        number = data.holder_tax_id.replace(".", "").replace(" ", "").strip()
        lookup = HolderLookup(workflow.info().workflow_id, self._start.company_id, self._start.country, number,
                              data.holder_check_digit.strip().upper(), data.actor)
        try:
            found = await self._run_activity(AccountingActivities.find_holder, lookup)
        except ApplicationError as refusal:
            if refusal.type == DUPLICATE_TAX_ID:
                # The offer: staff may hide one of these and request again.
                self._state = replace(self._state, duplicates=[
                    CompanyChoice(d["accounting_company_id"], d["name"]) for d in refusal.details
                    if "accounting_company_id" in d])  # the other detail is the refusal's problem
            raise
        self._state = replace(self._state, holder=found, duplicates=[])
        return found

    @request_integration.validator
    def _validate_request(self, data: RequestIntegration) -> None:
        self._at("request_integration", Step.REQUEST)
        check_holder(self._start.country, data)

    @workflow.update
    async def hide_accounting_company(self, data: HideAccountingCompany) -> list[CompanyChoice]:
        await self._run_activity(AccountingActivities.hide_company, HideCompany(
            workflow.info().workflow_id, data.accounting_company_id, data.actor, data.reason.strip()))
        remaining = [c for c in self._state.duplicates if c.accounting_company_id != data.accounting_company_id]
        self._state = replace(self._state, duplicates=remaining)
        return remaining

    @hide_accounting_company.validator
    def _validate_hide(self, data: HideAccountingCompany) -> None:
        self._at("hide_accounting_company", Step.REQUEST)
        problems = Problems.acting(data.actor)
        problems.require("reason", data.reason, multiline=True)
        offered = {c.accounting_company_id for c in self._state.duplicates}
        if data.accounting_company_id not in offered:
            if offered:
                problems.add("accounting_company_id", "hide_not_offered", offered=sorted(offered))
            else:
                problems.add("accounting_company_id", "hide_nothing_offered")
        problems.raise_if_any()

    # Step 2 ---------------------------------------------------------------
    @workflow.update
    async def accept_integration(self, data: AcceptIntegration) -> CompanyChoice:
        snapshot = await self._run_activity(AccountingActivities.accept_request, Acceptance(
            workflow.info().workflow_id, self._start.company_id, data.accounting_company_id, data.actor))
        self._chart = {a.code: a for a in snapshot.accounts}
        self._state = replace(self._state, accepted=True)
        return CompanyChoice(self._state.holder.accounting_company_id, self._state.holder.name)

    @accept_integration.validator
    def _validate_accept(self, data: AcceptIntegration) -> None:
        self._at("accept_integration", Step.ACCEPT)
        problems = Problems.acting(data.actor)
        if data.accounting_company_id != self._state.holder.accounting_company_id:
            problems.add("accounting_company_id", "request_is_for", name=self._state.holder.name,
                         id=self._state.holder.accounting_company_id)
        problems.raise_if_any()

    # Step 3 ---------------------------------------------------------------
    @workflow.update
    async def create_chart_account(self, data: CreateChartAccount) -> ChartAccount:
        account = await self._run_activity(AccountingActivities.create_account, NewChartAccount(
            self._state.holder.accounting_company_id, data.code.strip(), data.name, data.actor))
        self._chart[account.code] = account
        return account

    @create_chart_account.validator
    def _validate_create_account(self, data: CreateChartAccount) -> None:
        self._at("create_chart_account", *CONFIGURABLE, Step.SYNC)
        problems = Problems.acting(data.actor)
        try:
            new_account(self._start.country, (data.code or "").strip(), data.name, self._chart)
        except ChartError as exc:
            problems.extend([exc.problem])
        problems.raise_if_any()

    @workflow.update
    async def set_default_accounts(self, data: SetDefaultAccounts) -> DefaultsToSave:
        vat = STANDARD_VAT[self._start.country]
        defaults = DefaultsToSave(
            accounting_company_id=self._state.holder.accounting_company_id, actor=data.actor,
            sales_auxiliary=data.sales_auxiliary.strip(), sales_detail=data.sales_detail.strip(),
            sales_vat=data.sales_vat.strip() or vat["sales"],
            purchases_auxiliary=data.purchases_auxiliary.strip(), purchases_detail=data.purchases_detail.strip(),
            purchases_vat=data.purchases_vat.strip() or vat["purchases"],
            payments=data.payments.strip(), collections=data.collections.strip())
        await self._run_activity(AccountingActivities.save_default_accounts, defaults)
        self._state = replace(self._state, defaults=defaults)
        return defaults

    @set_default_accounts.validator
    def _validate_defaults(self, data: SetDefaultAccounts) -> None:
        self._at("set_default_accounts", *CONFIGURABLE)
        check_defaults(data, self._chart, self._start.country)

    # Step 4 ---------------------------------------------------------------
    @workflow.update
    def connect_and_sync(self, data: ConnectAndSync) -> SyncStarted:
        syncs = self._state.syncs + 1
        sync_id = f"{workflow.info().workflow_id}-sync-{syncs}"
        self._state = replace(self._state, syncs=syncs, current_sync_id=sync_id)
        self._pending = data
        return SyncStarted(sync_id)

    @connect_and_sync.validator
    def _validate_connect(self, data: ConnectAndSync) -> None:
        self._at("connect_and_sync", Step.CONNECT, Step.CONNECTED)
        if self._pending is not None:
            wrong_step("connect_and_sync", Step.SYNC)
        # UTC: a date that is still today somewhere in Colombia or Chile is never refused.
        check_range(data, workflow.now().date())
        if not data.resync:
            check_overlap(data, self._state.synced)

    @workflow.query
    def status(self) -> IntegrationStatus:
        s = self._state
        snap = self._tracker.snapshot if self._tracker else None
        step, status, waiting_on = (snap.step, snap.status, snap.waiting_on) if snap else ("", ProcessStatus.RUNNING, "")
        return IntegrationStatus(step=step, status=status, waiting_on=waiting_on, holder=s.holder,
                                 duplicates=list(s.duplicates), defaults=s.defaults, chart_accounts=len(self._chart),
                                 syncs=s.syncs, current_sync_id=s.current_sync_id, last_sync=s.last_sync,
                                 synced=list(s.synced), offers=self._offers())

    def _offers(self) -> dict[str, list[Offered]]:
        """The accounting company a person accepts, or may hide, by its name rather than its id."""
        s = self._state
        if s.holder is not None and not s.accepted:
            return {"accounting_company_id": [Offered(str(s.holder.accounting_company_id), s.holder.name)]}
        if s.duplicates:
            return {"accounting_company_id": [Offered(str(c.accounting_company_id), c.name) for c in s.duplicates]}
        return {}
