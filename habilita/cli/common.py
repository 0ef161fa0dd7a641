"""What every `habilita` command needs: settings, the database, the process client,
and one way to print an answer or a refusal in the user's language."""
from __future__ import annotations

import asyncio
import dataclasses
import sys

import click
from temporalio.service import RPCError

from habilita.messages import Message
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.processes.client import ProcessClient
from habilita.processes.refusals import Refusal, refusal_from
from habilita.processes.words import words_in
from habilita.settings import Settings


def load_settings() -> Settings:
    return Settings.from_env()


def open_db(settings: Settings):
    from habilita.models.database import open_database

    return open_database(settings.database_url)


def load() -> Settings:
    """Settings from the environment, with the database bound."""
    settings = load_settings()
    open_db(settings)
    return settings


def run_with_processes(settings: Settings, operation, *, identity: str = "habilita-cli"):
    """Run ``operation(processes)`` on a fresh event loop: a CLI call is one short conversation.

    A refusal (of the workflow or of Temporal) is printed field by field and ends the command with status 1.
    """
    from habilita.adapters.temporal import connect

    async def run():
        client = await connect(settings, identity=identity)
        return await operation(ProcessClient(client, task_queue=settings.task_queue))

    try:
        return asyncio.run(run())
    except Refusal as refusal:
        refuse(settings, refusal)
    except RPCError as error:  # Temporal not reachable, or it refused a call outside the client
        refuse(settings, refusal_from(error))


def say(settings: Settings, message) -> str:
    """A message or problem in the CLI's language (HABILITA_LOCALE)."""
    gettext = gettext_for(settings.cli_locale)
    return render(message, gettext, words_in(gettext))


def refuse(settings: Settings, refusal: Refusal) -> None:
    """Print each refused field's problem (``field: text``), or why the whole action was refused; exit 1."""
    for problem in refusal.problems:
        click.echo(f"{problem.field or 'refused'}: {say(settings, problem)}", err=True)
    if not refusal.problems:
        click.echo(f"refused: {refusal.message or refusal.kind}", err=True)
    sys.exit(1)


def _is_message(value) -> bool:
    """A Message, or one as a payload decodes it when the field is not typed as one (a dict)."""
    return isinstance(value, Message) or (isinstance(value, dict) and set(value) == {"code", "params"})


def show(settings: Settings, value, prefix: str = "") -> None:
    """Print an answer: a message in words, a dataclass or mapping as ``key: value`` lines."""
    if _is_message(value):
        click.echo(f"{prefix}{say(settings, value)}")
        return
    if dataclasses.is_dataclass(value):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_message(item):
                click.echo(f"{prefix}{key}: {say(settings, item)}")
            elif isinstance(item, (list, tuple)) and item and all(_is_message(i) for i in item):
                click.echo(f"{prefix}{key}: " + "; ".join(say(settings, i) for i in item))
            elif isinstance(item, (list, tuple)) and any(dataclasses.is_dataclass(i) or isinstance(i, dict)
                                                         for i in item):
                for number, element in enumerate(item, start=1):
                    show(settings, element, prefix=f"{prefix}{key}.{number}.")
            elif dataclasses.is_dataclass(item) or isinstance(item, dict):
                show(settings, item, prefix=f"{prefix}{key}.")
            else:
                click.echo(f"{prefix}{key}: {item}")
    elif value is not None:
        click.echo(f"{prefix}{value}")


# The company-named processes (`habilita accounting`, `habilita channels`): who acts, which company, and their start.
ACTOR = click.option("--actor", required=True, help="Who acts (e-mail), recorded in the audit log.")
COMPANY_HELP = "The company's NIT/RUT, without check digit."


def company_of(tax_id: str):
    from habilita.models import Company

    company = Company.get_or_none(Company.tax_id == tax_id.replace(".", "").split("-")[0])
    if company is None:
        raise click.ClickException(f"no company with tax id {tax_id}")
    return company


def add_start_command(group: click.Group, declaration, help_text: str) -> None:
    """``GROUP start --company NIT --actor A``: start ``declaration`` for the company (or show the one running)."""

    @group.command("start", help=help_text)
    @click.option("--company", "tax_id", required=True, help=COMPANY_HELP)
    @ACTOR
    def start(tax_id: str, actor: str) -> None:
        settings = load()
        company = company_of(tax_id)
        handle = run_with_processes(settings, lambda processes: processes.start(
            declaration, company, actor=actor, settings=settings))
        click.echo(f"workflow_id: {handle.id}")

