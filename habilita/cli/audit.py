"""`habilita audit`: replay a process's history, verify the audit log, export a timeline."""
from __future__ import annotations

import asyncio
import sys

import click

from habilita.models.database import open_database
from habilita.settings import Settings


@click.group("audit")
def audit_group() -> None:
    """Audit: is a history consistent with the code, is the audit log intact, what happened."""


@audit_group.command("verify")
@click.argument("workflow_id")
def verify(workflow_id: str) -> None:
    """Replay every run of WORKFLOW_ID against the current workflow code.

    Exits 1 when the code would decide differently from the stored history.
    """
    from habilita.support.replay import verify_process

    from habilita.adapters.temporal import connect

    settings = Settings.from_env()

    async def run():
        return await verify_process(await connect(settings, identity="habilita-audit"), workflow_id)

    verdict = asyncio.run(run())
    click.echo(verdict.summary())
    for run_verdict in verdict.runs:
        click.echo(f"  run {run_verdict.run_id}: " + ("consistent" if run_verdict.consistent else run_verdict.problem))
    sys.exit(0 if verdict.consistent else 1)


@audit_group.command("verify-log")
def verify_log() -> None:
    """Check the audit log's hash chain; exits 1 naming every changed or missing row."""
    from habilita.models import AuditEvent

    open_database(Settings.from_env().database_url)
    problems = AuditEvent.verify_chain()
    count = AuditEvent.select().count()
    if not problems:
        click.echo(f"audit log intact: {count} events, hash chain unbroken")
        return
    click.echo(f"audit log TAMPERED: {len(problems)} problem(s) in {count} events", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


@audit_group.command("export")
@click.argument("workflow_id")
@click.option("--format", "export_format", type=click.Choice(["json", "csv", "temporal-json"]), default="json",
              show_default=True, help="The timeline as JSON or CSV, or Temporal's original history JSON.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def export(workflow_id: str, export_format: str, output: str | None) -> None:
    """Export the timeline of WORKFLOW_ID (its history and our audit events)."""
    from habilita.csv_cells import inert_record
    from habilita.support.timeline import build_timeline, export_timeline, original_history_json

    from habilita.adapters.temporal import connect

    settings = Settings.from_env()
    open_database(settings.database_url)

    async def run() -> str:
        client = await connect(settings, identity="habilita-audit")
        if export_format == "temporal-json":
            return await original_history_json(client, workflow_id)
        entries = await build_timeline(client, workflow_id)
        if export_format == "csv":
            entries = [inert_record(entry) for entry in entries]
        return export_timeline(entries, export_format)

    text = asyncio.run(run())
    if output:
        with open(output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        click.echo(f"wrote {output}")
    else:
        click.echo(text)
