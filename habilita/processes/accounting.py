"""P3, the accounting integration, and the sync it runs as a child."""
from __future__ import annotations

from habilita.messages import N_
from habilita.workflows import accounting
from habilita.workflows.accounting import (
    AcceptIntegration, AccountingIntegration, ConnectAndSync, CreateChartAccount, HideAccountingCompany,
    RequestIntegration, SetDefaultAccounts, StartAccountingIntegration,
)
from habilita.workflows.accounting import OPTIONAL_DEFAULTS, REQUIRED_DEFAULTS
from habilita.workflows.accounting import Step as P3
from habilita.workflows.accounting_sync import AccountingSync, ChangeDetailAccount, SyncTuning

from .declaration import Action, ProcessDeclaration, Step

# The sync a P3 runs for each date range; its id is in P3's status (``current_sync_id``).
ACCOUNTING_SYNC = ProcessDeclaration(
    process_type="accounting_sync", label=N_("Synchronizing"), workflow=AccountingSync,
    child_id_field="current_sync_id",
    steps=(
        Step(P3.SYNC, N_("Synchronizing"), "system", (
            Action(AccountingSync.change_detail_account, ChangeDetailAccount, "change-detail",
                   options={"account_code": ("--account",)}, pickers={"account_code": "account"},
                   help="While the sync runs: post one document's detail line to another account."),)),
    ),
)


def start_input(company, actor: str, settings) -> StartAccountingIntegration:
    return StartAccountingIntegration(
        company_id=company.id, company_tax_id=company.display_tax_id, country=company.country, started_by=actor,
        tuning=SyncTuning(page_size=settings.accounting_page_size))


CONNECT = Action(AccountingIntegration.connect_and_sync, ConnectAndSync, "sync",
                 options={"date_from": ("--from",), "date_to": ("--to",)},
                 pickers={"date_from": "date", "date_to": "date"},
                 help="Step 4: connect and post every document of the range (never twice).")

ACCOUNTING = ProcessDeclaration(
    process_type=accounting.PROCESS_TYPE, label=N_("Accounting integration"), workflow=AccountingIntegration,
    build_start=start_input, cli_name="accounting",
    steps=(
        Step(P3.REQUEST, N_("Request"), "staff", (
            Action(AccountingIntegration.request_integration, RequestIntegration, "request",
                   tax_id_options={"--holder": ("holder_tax_id", "holder_check_digit")},
                   help="Step 1: request the integration with the contract holder's NIT/RUT and check digit."),
            Action(AccountingIntegration.hide_accounting_company, HideAccountingCompany, "hide-company",
                   offered_when="duplicates",
                   help="Hide one of the accounting companies that share the holder's tax id."),
        )),
        Step(P3.ACCEPT, N_("Acceptance"), "staff", (
            Action(AccountingIntegration.accept_integration, AcceptIntegration, "accept",
                   help="Step 2: accept the pending request in accounting."),)),
        Step(P3.DEFAULT_ACCOUNTS, N_("Default accounts"), "staff", (
            Action(AccountingIntegration.set_default_accounts, SetDefaultAccounts, "defaults",
                   pickers={name: "account" for name in (*REQUIRED_DEFAULTS, *OPTIONAL_DEFAULTS)},
                   help="Step 3: the default sales and purchases accounts."),
            Action(AccountingIntegration.create_chart_account, CreateChartAccount, "create-account",
                   help="Step 3: add a missing account to the company's chart."),
        )),
        Step(P3.CONNECT, N_("Connect"), "staff", (CONNECT,)),
        Step(P3.SYNC, N_("Synchronizing"), "system", child=ACCOUNTING_SYNC),
        Step(P3.CONNECTED, N_("Connected"), "staff", (CONNECT,)),
    ),
)
