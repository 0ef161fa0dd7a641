"""`habilita companies import`: many companies from one CSV file, each checked, created and started.

Prints one line per row (created, already there, or refused field by field,
in ``HABILITA_LOCALE``) and a summary; exits 1 when a row was refused, so a
script notices. Importing the same file again creates and starts nothing.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from habilita.processes import EINVOICING, SUPPORT_DOCUMENT

from .common import load, run_with_processes, say

STARTS = {d.cli_name: d for d in (EINVOICING, SUPPORT_DOCUMENT)}


@click.group("companies")
def companies_group() -> None:
    """Companies: import many from a CSV file."""


@companies_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--start", "process", type=click.Choice(sorted(STARTS)), default=None,
              help="Start this process for every company of the file (once: never twice for a company).")
@click.option("--actor", required=True, help="Who imports (e-mail), recorded with each process started.")
def import_companies(file: Path, process: str | None, actor: str) -> None:
    """Import the companies of FILE: UTF-8 CSV with the header razon_social,nit,email,telefono,ciudad
    (NIT as 900123456-8, the city as its 5-digit DANE code)."""
    from habilita.processes.company_import import ImportRefused, import_companies as run_import

    settings = load()
    declaration = STARTS.get(process) if process else None
    content = file.read_bytes()

    async def operation(processes):
        return await run_import(content, processes=processes, declaration=declaration, actor=actor,
                                settings=settings)

    try:
        # Without a process to start there is nothing to ask Temporal: no connection is opened.
        report = run_with_processes(settings, operation) if declaration else asyncio.run(operation(None))
    except ImportRefused as refusal:
        click.echo(f"{refusal.problem.field}: {say(settings, refusal.problem)}", err=True)
        sys.exit(1)
    for row in report.rows:
        if row.outcome == "refused":
            for problem in row.problems:
                where = f"{problem.field}: " if problem.field else ""
                click.echo(f"row {row.row}\trefused\t{where}{say(settings, problem)}")
        else:
            click.echo(f"row {row.row}\t{row.outcome}\t{row.legal_name} ({row.nit})"
                       + (f"\tstarted {row.started}" if row.started else ""))
    click.echo(f"{report.count('created')} created, {report.count('existing')} already there, "
               f"{report.count('refused')} refused, {report.started} processes started")
    if report.count("refused"):
        sys.exit(1)
