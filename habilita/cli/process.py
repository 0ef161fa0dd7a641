"""`habilita process`: start the enablement processes, read where they stand,
and act on their human steps from a terminal.

Every action is the same update the admin console sends, with the acting
person in ``--actor``; a refusal prints the validator's message per field and
exits with status 1, and nothing is recorded.
"""
from __future__ import annotations

import asyncio
import dataclasses
import sys

import click
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from habilita.models.database import open_database
from habilita.settings import Settings

PROCESS_TYPES = {"einvoicing": "einvoicing", "support-document": "support_document"}


@click.group("process")
def process_group() -> None:
    """Enablement processes (P1 e-invoicing, P2 support document): start, status, list, human steps."""


def load() -> Settings:
    """Settings from the environment, with the database bound."""
    settings = Settings.from_env()
    open_database(settings.database_url)
    return settings


def run_with_client(settings: Settings, operation):
    """Run ``operation(client)`` on a fresh event loop; a CLI call is one short conversation."""
    from habilita.adapters.temporal import connect

    async def run():
        return await operation(await connect(settings, identity="habilita-process-cli"))

    try:
        return asyncio.run(run())
    except RPCError as exc:
        raise click.ClickException(f"Temporal refused: {exc}") from exc


def actor_option(command):
    return click.option("--actor", required=True, help="Who acts (e-mail), recorded in the audit log.")(command)


def show(value) -> None:
    """Print an update's or query's answer: a dataclass or mapping as lines, anything else as is."""
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        for key, item in value.items():
            click.echo(f"{key}: {item}")
    elif value is not None:
        click.echo(str(value))


def send_update(workflow_id: str, update, argument) -> None:
    """Send ``update`` to ``workflow_id``; print the answer, or each refused field and exit 1."""
    settings = load()

    async def act(client):
        return await client.get_workflow_handle(workflow_id).execute_update(update, argument)

    try:
        answer = run_with_client(settings, act)
    except WorkflowUpdateFailedError as exc:
        refuse(exc)
    show(answer)


def refuse(exc: WorkflowUpdateFailedError) -> None:
    cause = exc.cause
    details = [d for d in getattr(cause, "details", ()) or () if isinstance(d, dict) and "field" in d]
    if details:
        for detail in details:
            click.echo(f"{detail['field']}: {detail['message']}", err=True)
    else:
        click.echo(f"refused: {getattr(cause, 'message', None) or cause or exc}", err=True)
    sys.exit(1)


@process_group.command("start")
@click.argument("process", type=click.Choice(sorted(PROCESS_TYPES)))
@click.option("--company", "tax_id", required=True, help="The company's tax id (NIT without check digit).")
@actor_option
def start(process: str, tax_id: str, actor: str) -> None:
    """Start PROCESS for a company (or show the one already running); prints its workflow id."""
    from habilita.models import Company

    from habilita.processes import start_process

    settings = load()
    company = Company.get_or_none((Company.country == "CO") & (Company.tax_id == tax_id.split("-")[0].strip()))
    if company is None:
        raise click.ClickException(f"no Colombian company with tax id {tax_id}")
    handle = run_with_client(settings, lambda client: start_process(
        client, settings, PROCESS_TYPES[process], company, actor=actor))
    click.echo(handle.id)


@process_group.command("status")
@click.argument("workflow_id")
def status(workflow_id: str) -> None:
    """Where WORKFLOW_ID stands: the workflow's own status query, then its projection."""
    from habilita.models import ProcessRecord

    settings = load()
    answer = run_with_client(settings, lambda client: client.get_workflow_handle(workflow_id).query("status"))
    show(answer)
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    if record is not None:
        click.echo(f"projection: {record.process_type} at {record.current_step} ({record.status}"
                   + (f", waiting on {record.waiting_on}" if record.waiting_on else "") + ")")


@process_group.command("list")
@click.option("--type", "process_type", default="", help="Only this process type (einvoicing, support_document...).")
@click.option("--step", default="", help="Only processes at this step.")
@click.option("--status", "status_", default="", help="Only this status (running, waiting, completed...).")
@click.option("--limit", default=100, show_default=True, help="At most this many rows, latest first.")
def list_processes(process_type: str, step: str, status_: str, limit: int) -> None:
    """List processes from their projection, most recently updated first."""
    from habilita.models import ProcessRecord

    load()
    query = ProcessRecord.select()
    if process_type:
        query = query.where(ProcessRecord.process_type == process_type.replace("-", "_"))
    if step:
        query = query.where(ProcessRecord.current_step == step)
    if status_:
        query = query.where(ProcessRecord.status == status_)
    rows = list(query.order_by(ProcessRecord.updated_at.desc()).limit(limit))
    for r in rows:
        click.echo(f"{r.workflow_id}\t{r.process_type}\t{r.current_step}\t{r.status}\t{r.waiting_on or '-'}")
    click.echo(f"{len(rows)} process(es)")

