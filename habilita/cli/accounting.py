"""`habilita accounting ...`: drive P3 (the accounting integration) from the shell.

Each command is one person's action, sent as the same update the admin
sends; a refusal prints the validator's message per field.
"""
from __future__ import annotations

import asyncio
import dataclasses
import functools
import json

import click
from temporalio.client import WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy

ACTOR = click.option("--actor", required=True, help="Who acts (e-mail), recorded in the audit log.")
COMPANY = click.option("--company", "tax_id", required=True, help="The company's NIT/RUT, without check digit.")


def _context(tax_id: str):
    from habilita.models import Company

    from .common import load_settings, open_db

    settings = load_settings()
    open_db(settings)
    company = Company.get_or_none(Company.tax_id == tax_id.replace(".", "").split("-")[0])
    if company is None:
        raise click.ClickException(f"no company with tax id {tax_id}")
    return settings, company


def _with_client(action):
    """Run ``action(client, settings, company, **options)`` with a Temporal client, turning refusals into messages."""
    @functools.wraps(action)
    def command(tax_id: str, **options):
        from habilita.adapters.temporal import connect

        settings, company = _context(tax_id)

        async def run():
            client = await connect(settings, identity="habilita-cli")
            return await action(client, settings, company, **options)
        try:
            result = asyncio.run(run())
        except WorkflowUpdateFailedError as refused:
            cause = refused.cause
            lines = [f"  {d['field']}: {d['message']}" for d in getattr(cause, "details", ()) if isinstance(d, dict)
                     and "field" in d]
            raise click.ClickException("refused: " + ("\n" + "\n".join(lines) if lines else str(cause)))
        if result is not None:
            click.echo(json.dumps(dataclasses.asdict(result) if dataclasses.is_dataclass(result) else result,
                                  indent=2, ensure_ascii=False, default=str))
    return command


def _handle(client, company):
    from habilita.workflows.accounting import AccountingIntegration

    from habilita.demo.accounting import integration_workflow_id

    return client.get_workflow_handle_for(AccountingIntegration.run, integration_workflow_id(company))


@click.group("accounting", context_settings={"help_option_names": ["-h", "--help"]})
def accounting_group() -> None:
    """P3: connect a company's e-invoicing to its accounting."""


@accounting_group.command("start")
@COMPANY
@ACTOR
@_with_client
async def start(client, settings, company, actor):
    """Start the integration process for the company (or show the one running)."""
    from habilita.workflows.accounting import AccountingIntegration, StartAccountingIntegration
    from habilita.workflows.accounting_sync import SyncTuning

    from habilita.demo.accounting import integration_workflow_id

    handle = await client.start_workflow(
        AccountingIntegration.run,
        StartAccountingIntegration(company.id, company.display_tax_id, company.country, actor,
                                   SyncTuning(page_size=settings.accounting_page_size)),
        id=integration_workflow_id(company), task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary=f"Integración contable: {company.legal_name}")
    return {"workflow_id": handle.id}


@accounting_group.command("status")
@COMPANY
@_with_client
async def status(client, settings, company):
    """Where the process stands, and the running sync's progress."""
    from habilita.workflows.accounting import AccountingIntegration
    from habilita.workflows.accounting_sync import AccountingSync

    current = await _handle(client, company).query(AccountingIntegration.status)
    report = dataclasses.asdict(current)
    if current.step == "sync" and current.current_sync_id:
        progress = await client.get_workflow_handle_for(AccountingSync.run, current.current_sync_id).query(
            AccountingSync.progress)
        report["sync_progress"] = dataclasses.asdict(progress)
    return report


@accounting_group.command("request")
@COMPANY
@click.option("--holder", required=True, help="The contract holder's NIT/RUT with check digit, e.g. 900123456-8.")
@ACTOR
@_with_client
async def request(client, settings, company, holder, actor):
    """Step 1: request the integration for the contract holder's tax id."""
    from habilita.workflows.accounting import AccountingIntegration, RequestIntegration

    number, _, digit = holder.strip().rpartition("-")
    return await _handle(client, company).execute_update(
        AccountingIntegration.request_integration, RequestIntegration(actor, number or holder, digit))


@accounting_group.command("hide-company")
@COMPANY
@click.option("--accounting-company-id", type=int, required=True, help="The duplicate to hide.")
@click.option("--reason", required=True, help="Why this one is hidden.")
@ACTOR
@_with_client
async def hide_company(client, settings, company, accounting_company_id, reason, actor):
    """Hide one of the accounting companies that share the holder's tax id."""
    from habilita.workflows.accounting import AccountingIntegration, HideAccountingCompany

    return await _handle(client, company).execute_update(
        AccountingIntegration.hide_accounting_company, HideAccountingCompany(actor, accounting_company_id, reason))


@accounting_group.command("accept")
@COMPANY
@click.option("--accounting-company-id", type=int, required=True, help="The accounting company of the request.")
@ACTOR
@_with_client
async def accept(client, settings, company, accounting_company_id, actor):
    """Step 2: accept the pending request in accounting (Integrated: yes)."""
    from habilita.workflows.accounting import AcceptIntegration, AccountingIntegration

    return await _handle(client, company).execute_update(
        AccountingIntegration.accept_integration, AcceptIntegration(actor, accounting_company_id))


@accounting_group.command("create-account")
@COMPANY
@click.option("--code", required=True, help="The new account's code, e.g. 41350001.")
@click.option("--name", required=True, help="The new account's name.")
@ACTOR
@_with_client
async def create_account(client, settings, company, code, name, actor):
    """Step 3: add a missing account to the company's chart."""
    from habilita.workflows.accounting import AccountingIntegration, CreateChartAccount

    return await _handle(client, company).execute_update(
        AccountingIntegration.create_chart_account, CreateChartAccount(actor, code, name))


@accounting_group.command("defaults")
@COMPANY
@click.option("--sales-auxiliary", required=True)
@click.option("--sales-detail", required=True)
@click.option("--purchases-auxiliary", required=True)
@click.option("--purchases-detail", required=True)
@click.option("--payments", default="")
@click.option("--collections", default="")
@click.option("--sales-vat", default="", help="Defaults to the country's generated-VAT account.")
@click.option("--purchases-vat", default="", help="Defaults to the country's deductible-VAT account.")
@ACTOR
@_with_client
async def defaults(client, settings, company, actor, **accounts):
    """Step 3: the default sales and purchases accounts."""
    from habilita.workflows.accounting import AccountingIntegration, SetDefaultAccounts

    return await _handle(client, company).execute_update(
        AccountingIntegration.set_default_accounts, SetDefaultAccounts(actor=actor, **accounts))


@accounting_group.command("sync")
@COMPANY
@click.option("--from", "date_from", required=True, help="First day, e.g. 2024-01-01.")
@click.option("--to", "date_to", required=True, help="Last day, inclusive.")
@ACTOR
@_with_client
async def sync(client, settings, company, date_from, date_to, actor):
    """Step 4: connect and post every document of the range."""
    from habilita.workflows.accounting import AccountingIntegration, ConnectAndSync

    return await _handle(client, company).execute_update(
        AccountingIntegration.connect_and_sync, ConnectAndSync(actor, date_from, date_to))


@accounting_group.command("change-detail")
@COMPANY
@click.option("--document-id", type=int, required=True, help="The document whose detail account changes.")
@click.option("--account", required=True, help="The detail account to post it to.")
@ACTOR
@_with_client
async def change_detail(client, settings, company, document_id, account, actor):
    """During a sync: post one document's detail line to another account."""
    from habilita.workflows.accounting import AccountingIntegration
    from habilita.workflows.accounting_sync import AccountingSync, ChangeDetailAccount

    current = await _handle(client, company).query(AccountingIntegration.status)
    if current.step != "sync":
        raise click.ClickException(f"no sync is running: the process is at step {current.step!r}")
    return await client.get_workflow_handle_for(AccountingSync.run, current.current_sync_id).execute_update(
        AccountingSync.change_detail_account, ChangeDetailAccount(actor, document_id, account))
