"""`habilita accounting ...`: drive P3 (the accounting integration) from the shell.

The process is named by its company (``--company``). Each step command is one
person's action, made from P3's declaration and sent as the same update the
console sends; a refusal prints each refused field's problem and exits 1.
"""
from __future__ import annotations

import click

from habilita.processes import ACCOUNTING, ACCOUNTING_SYNC
from habilita.processes.refusals import WRONG_STEP, Refusal

from .common import COMPANY_HELP, add_start_command, company_of, load, run_with_processes, show
from .steps import step_commands


async def _workflow_of(processes, settings, tax_id: str, owner) -> str:
    """P3's workflow for the company, or the sync it runs now for the sync's own steps."""
    workflow_id = ACCOUNTING.workflow_id(company_of(tax_id))
    if not owner.child_id_field:
        return workflow_id
    current = await processes.status(ACCOUNTING, workflow_id)
    running = getattr(current, owner.child_id_field, "") if current.step == "sync" else ""
    if not running:
        raise Refusal(WRONG_STEP, message=f"no sync is running: the process is at step {current.step!r}")
    return running


@click.group("accounting", context_settings={"help_option_names": ["-h", "--help"]})
def accounting_group() -> None:
    """P3: connect a company's e-invoicing to its accounting."""


for _command in step_commands((ACCOUNTING, ACCOUNTING_SYNC),
                              target=click.Option(["--company", "tax_id"], required=True, help=COMPANY_HELP),
                              locate=_workflow_of):
    accounting_group.add_command(_command)


add_start_command(accounting_group, ACCOUNTING,
                  "Start the integration process for the company (or show the one running).")


@accounting_group.command("status")
@click.option("--company", "tax_id", required=True, help=COMPANY_HELP)
def status(tax_id: str) -> None:
    """Where the process stands, and the running sync's progress."""
    from habilita.workflows.accounting_sync import AccountingSync

    settings = load()
    workflow_id = ACCOUNTING.workflow_id(company_of(tax_id))

    async def ask(processes):
        current = await processes.status(ACCOUNTING, workflow_id)
        progress = None
        if current.step == "sync" and current.current_sync_id:
            progress = await processes.handle(current.current_sync_id).query(AccountingSync.progress)
        return current, progress

    current, progress = run_with_processes(settings, ask)
    show(settings, current)
    if progress is not None:
        show(settings, progress, prefix="sync_progress.")
