"""`habilita channels ...`: drive P4 (a company's sales-channel connection to its ERP) from the shell.

The process is named by its company (``--company``). Each step command is one
person's action, made from P4's declaration and sent as the same update the
console sends (the access key is asked without echo and sealed before the
update leaves); a refusal prints each refused field's problem and exits 1.
"""
from __future__ import annotations

import click

from habilita.processes import CHANNELS

from .common import COMPANY_HELP, add_start_command, company_of, load, run_with_processes, show
from .steps import step_commands


async def _workflow_of(processes, settings, tax_id: str, owner) -> str:
    """The company's connection process."""
    return CHANNELS.workflow_id(company_of(tax_id))


@click.group("channels", context_settings={"help_option_names": ["-h", "--help"]})
def channels_group() -> None:
    """P4: connect a company's sales channels to its ERP, with or without automatic invoicing."""


for _command in step_commands((CHANNELS,), target=click.Option(["--company", "tax_id"], required=True,
                                                               help=COMPANY_HELP),
                              locate=_workflow_of):
    channels_group.add_command(_command)


add_start_command(channels_group, CHANNELS,
                  "Start the connection process for the company (or show the one running).")


@channels_group.command("status")
@click.option("--company", "tax_id", required=True, help=COMPANY_HELP)
def status(tax_id: str) -> None:
    """Where the connection stands and the settings in force (never the access key)."""
    settings = load()
    workflow_id = CHANNELS.workflow_id(company_of(tax_id))
    current = run_with_processes(settings, lambda processes: processes.status(CHANNELS, workflow_id))
    show(settings, current)
