"""P3 steps 1-3 against the accounting side: request, accept, chart and default accounts.

Every write is keyed on the workflow id (and step), never on the run id: a
support reset starts a new run that must find what the first one wrote.
Refusals a person must act on cross the boundary as non-retryable
``ApplicationError``s whose type names the refusal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.accounting.charts import ChartAccount, ChartError, new_account, posting_problem, standard_chart
from habilita.messages import Message, Problem
from habilita.messages.catalog import in_english
from habilita.messages.stored import as_text
from habilita.models import AuditEvent, Company, database_proxy, insert_in_batches, utcnow
from habilita.models.accounting import Account, AccountingCompany, DefaultAccounts, IntegrationRequest

DUPLICATE_TAX_ID = "DuplicateTaxId"
HOLDER_NOT_FOUND = "HolderNotFound"
ACCOUNT_REFUSED = "AccountRefused"
TAX_ID_LABEL = {"CO": "NIT", "CL": "RUT"}


@dataclass(frozen=True)
class ChartSnapshot:
    accounting_company_id: int
    country: str
    accounts: list[ChartAccount] = field(default_factory=list)


@dataclass(frozen=True)
class HolderLookup:
    workflow_id: str
    company_id: int
    country: str
    holder_tax_id: str
    holder_check_digit: str
    actor: str


@dataclass(frozen=True)
class HolderFound:
    accounting_company_id: int
    name: str
    display_tax_id: str


@dataclass(frozen=True)
class HideCompany:
    workflow_id: str
    accounting_company_id: int
    actor: str
    reason: str


@dataclass(frozen=True)
class Acceptance:
    workflow_id: str
    company_id: int
    accounting_company_id: int
    actor: str


@dataclass(frozen=True)
class NewChartAccount:
    accounting_company_id: int
    code: str
    name: str
    actor: str


@dataclass(frozen=True)
class DefaultsToSave:
    accounting_company_id: int
    actor: str
    sales_auxiliary: str
    sales_detail: str
    sales_vat: str
    purchases_auxiliary: str
    purchases_detail: str
    purchases_vat: str
    payments: str = ""
    collections: str = ""


def create_accounting_company(*, country: str, tax_id: str, check_digit: str, name: str,
                              company: Company | None = None) -> AccountingCompany:
    """Create a company on the accounting side with its country's standard chart."""
    with database_proxy.atomic():
        ledger = AccountingCompany.create(company=company, country=country, tax_id=tax_id,
                                          check_digit=check_digit, name=name)
        seed_chart(ledger)
    return ledger


def seed_chart(ledger: AccountingCompany) -> int:
    """Add the standard chart's accounts the company lacks; returns how many were added."""
    have = {code for (code,) in Account.select(Account.code).where(Account.accounting_company == ledger).tuples()}
    rows = [(ledger.id, a.code, a.name, a.level, a.parent_code, a.postable, utcnow())
            for a in standard_chart(ledger.country) if a.code not in have]
    fields = [Account.accounting_company, Account.code, Account.name, Account.level, Account.parent_code,
              Account.postable, Account.created_at]
    with database_proxy.atomic():
        return insert_in_batches(Account, rows, size=500, fields=fields)


def chart_of(ledger_id: int) -> dict[str, ChartAccount]:
    """The company's chart as the pure domain sees it: code -> account."""
    query = (Account.select(Account.code, Account.name, Account.level, Account.parent_code, Account.postable)
             .where(Account.accounting_company == ledger_id).order_by(Account.code).tuples())
    return {code: ChartAccount(code, name, level, parent, bool(postable))
            for code, name, level, parent, postable in query}


def refuse(message: str, kind: str, *details) -> ApplicationError:
    return ApplicationError(message, *details, type=kind, non_retryable=True)


class AccountingActivities:
    """Steps 1-3 of the integration; each call is safe to retry."""

    @activity.defn
    def find_holder(self, lookup: HolderLookup) -> HolderFound:
        """Find the one visible accounting company with the holder's tax id and
        record the pending request for it."""
        label = TAX_ID_LABEL.get(lookup.country, "tax id")
        display = f"{lookup.holder_tax_id}-{lookup.holder_check_digit}"
        matches = AccountingCompany.visible_with_tax_id(lookup.country, lookup.holder_tax_id)
        if not matches:
            raise refuse(f"no company in accounting has {label} {display}; create it in accounting, "
                         f"or check the {label} of the contract holder", HOLDER_NOT_FOUND,
                         Problem("holder_tax_id", "holder_not_found", {"kind": label, "tax_id": display}).as_detail())
        if len(matches) > 1:
            names = "; ".join(f"{m.name} (id {m.id})" for m in matches)
            shared = Problem("holder_tax_id", "holder_shared", {
                "count": len(matches), "kind": label, "tax_id": display,
                "companies": [{"code": "company_choice", "params": {"name": m.name, "id": m.id}} for m in matches]})
            # Besides the problem, one detail per company: the workflow offers them to hide.
            raise refuse(
                f"{len(matches)} companies in accounting share {label} {display}: {names}. The integration "
                f"cannot tell which one to post to; hide all but one of them and request again",
                DUPLICATE_TAX_ID, shared.as_detail(),
                *[{"accounting_company_id": m.id, "name": m.name} for m in matches])
        ledger = matches[0]
        with database_proxy.atomic():
            IntegrationRequest.insert(
                workflow_id=lookup.workflow_id, company=lookup.company_id, accounting_company=ledger.id,
                holder_tax_id=lookup.holder_tax_id, holder_check_digit=lookup.holder_check_digit,
                status="pending", requested_by=lookup.actor, requested_at=utcnow(),
            ).on_conflict(
                conflict_target=[IntegrationRequest.workflow_id],
                update={IntegrationRequest.accounting_company: ledger.id,
                        IntegrationRequest.holder_tax_id: lookup.holder_tax_id,
                        IntegrationRequest.holder_check_digit: lookup.holder_check_digit,
                        IntegrationRequest.requested_by: lookup.actor},
            ).execute()
            AuditEvent.record(actor=lookup.actor, action="accounting_request", target_type="process",
                              target_id=lookup.workflow_id, detail=as_text(Message("audit.holder_found", {
                                  "kind": label, "tax_id": display, "company": str(ledger)})),
                              source_key=f"{lookup.workflow_id}:request")
        return HolderFound(ledger.id, ledger.name, ledger.display_tax_id)

    @activity.defn
    def hide_company(self, hide: HideCompany) -> None:
        """Hide an accounting company from the integration (it stays in accounting)."""
        with database_proxy.atomic():
            ledger = AccountingCompany.get_or_none(AccountingCompany.id == hide.accounting_company_id)
            if ledger is None:
                raise refuse(f"no accounting company with id {hide.accounting_company_id}", HOLDER_NOT_FOUND,
                             Problem("accounting_company_id", "accounting_company_unknown",
                                     {"id": hide.accounting_company_id}).as_detail())
            if not ledger.hidden:
                ledger.hidden, ledger.hidden_reason = True, hide.reason[:300]
                ledger.hidden_by, ledger.hidden_at = hide.actor, utcnow()
                ledger.save()
            AuditEvent.record(actor=hide.actor, action="accounting_company_hidden", target_type="accounting_company",
                              target_id=str(ledger.id), reason=hide.reason, detail=str(ledger),
                              source_key=f"accounting_company:{ledger.id}:hidden")

    @activity.defn
    def accept_request(self, acceptance: Acceptance) -> ChartSnapshot:
        """Mark the request accepted, link the companies, and return the chart to configure."""
        with database_proxy.atomic():
            request = IntegrationRequest.get_or_none(IntegrationRequest.workflow_id == acceptance.workflow_id)
            if request is None or request.accounting_company_id != acceptance.accounting_company_id:
                raise refuse(f"there is no pending request of this process for accounting company "
                             f"{acceptance.accounting_company_id}", HOLDER_NOT_FOUND,
                             Problem("accounting_company_id", "no_pending_request",
                                     {"id": acceptance.accounting_company_id}).as_detail())
            if request.status != "accepted":
                request.status, request.accepted_by, request.accepted_at = "accepted", acceptance.actor, utcnow()
                request.save()
            ledger = AccountingCompany.get_by_id(acceptance.accounting_company_id)
            ledger.company = acceptance.company_id
            ledger.save()
            seed_chart(ledger)
            AuditEvent.record(actor=acceptance.actor, action="accounting_accept", target_type="process",
                              target_id=acceptance.workflow_id,
                              detail=as_text(Message("audit.integrated", {"company": str(ledger)})),
                              source_key=f"{acceptance.workflow_id}:accept")
        return ChartSnapshot(ledger.id, ledger.country, list(chart_of(ledger.id).values()))

    @activity.defn
    def create_account(self, new: NewChartAccount) -> ChartAccount:
        """Add an account to the company's chart; retrying after success returns the same account."""
        ledger = AccountingCompany.get_by_id(new.accounting_company_id)
        with database_proxy.atomic():
            chart = chart_of(ledger.id)
            existing = chart.get(new.code.strip())
            if existing is not None and existing.name == " ".join(new.name.split()):
                return existing
            try:
                account = new_account(ledger.country, new.code, new.name, chart)
            except ChartError as exc:
                raise refuse(str(exc), ACCOUNT_REFUSED, exc.problem.as_detail())
            Account.create(accounting_company=ledger, code=account.code, name=account.name, level=account.level,
                           parent_code=account.parent_code, postable=account.postable, created_by=new.actor)
        return account

    @activity.defn
    def save_default_accounts(self, defaults: DefaultsToSave) -> None:
        """Store the default accounts after checking each against the chart as it is now."""
        chart = chart_of(defaults.accounting_company_id)
        problems = [Problem(name, problem.code, problem.params) for name, code in _codes(defaults).items()
                    if code and (problem := posting_problem(code, chart))]
        if problems:
            raise refuse("; ".join(f"{p.field}: {in_english(p)}" for p in problems), ACCOUNT_REFUSED,
                         *[p.as_detail() for p in problems])
        values = {name: code for name, code in _codes(defaults).items()}
        with database_proxy.atomic():
            DefaultAccounts.insert(accounting_company=defaults.accounting_company_id, updated_by=defaults.actor,
                                   updated_at=utcnow(), **values).on_conflict(
                conflict_target=[DefaultAccounts.accounting_company],
                update={**{getattr(DefaultAccounts, k): v for k, v in values.items()},
                        DefaultAccounts.updated_by: defaults.actor, DefaultAccounts.updated_at: utcnow()},
            ).execute()


def _codes(defaults: DefaultsToSave) -> dict[str, str]:
    return {name: getattr(defaults, name) for name in (
        "sales_auxiliary", "sales_detail", "sales_vat", "purchases_auxiliary", "purchases_detail",
        "purchases_vat", "payments", "collections")}
