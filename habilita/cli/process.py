"""`habilita process`: start the enablement processes, read where they stand,
and act on their human steps from a terminal.

Every step command is the same update the console sends, made from the
process declarations, with the acting person in ``--actor``; a refusal prints
each refused field's problem and exits with status 1, and nothing is recorded.
A step carried out by a child workflow (the certificate, the test set) is sent
to the child, whose id is the parent's plus a suffix: either id may be given.
"""
from __future__ import annotations

from pathlib import Path

import click

from habilita.processes import CERTIFICATE, EINVOICING, STARTABLE, SUPPORT_DOCUMENT, TEST_SET, by_cli_name

from .common import load, run_with_processes, say, show
from .steps import step_commands

# The processes `habilita process start` starts (P3 has its own group, `habilita accounting`).
STARTED_HERE = (EINVOICING, SUPPORT_DOCUMENT)


@click.group("process")
def process_group() -> None:
    """Enablement processes (P1 e-invoicing, P2 support document): start, status, list, human steps."""


async def _workflow_of(processes, settings, workflow_id: str, owner) -> str:
    """The workflow that owns the step: the given one, or its child for a child's step."""
    return owner.child_workflow_id(workflow_id) if owner.child_suffix else workflow_id


for _command in step_commands((EINVOICING, CERTIFICATE, TEST_SET, SUPPORT_DOCUMENT),
                              target=click.Argument(["workflow_id"]), locate=_workflow_of):
    process_group.add_command(_command)


@process_group.command("start")
@click.argument("process", type=click.Choice([d.cli_name for d in STARTED_HERE]))
@click.option("--company", "tax_id", required=True, help="The company's tax id (NIT without check digit).")
@click.option("--actor", required=True, help="Who acts (e-mail), recorded in the audit log.")
def start(process: str, tax_id: str, actor: str) -> None:
    """Start PROCESS for a company (or show the one already running); prints its workflow id."""
    from habilita.models import Company

    settings = load()
    company = Company.get_or_none((Company.country == "CO") & (Company.tax_id == tax_id.split("-")[0].strip()))
    if company is None:
        raise click.ClickException(f"no Colombian company with tax id {tax_id}")
    declaration = by_cli_name(process)
    handle = run_with_processes(settings, lambda processes: processes.start(
        declaration, company, actor=actor, settings=settings))
    click.echo(handle.id)


@process_group.command("status")
@click.argument("workflow_id")
def status(workflow_id: str) -> None:
    """Where WORKFLOW_ID stands: the workflow's own status query, then its projection."""
    from habilita.models import ProcessRecord
    from habilita.processes import declaration

    settings = load()
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    declared = declaration(record.process_type) if record else None
    if declared is not None:
        show(settings, run_with_processes(settings, lambda processes: processes.status(declared, workflow_id)))
    if record is None:
        raise click.ClickException(f"no process {workflow_id}")
    click.echo(f"projection: {record.process_type} at {record.current_step} ({record.status}"
               + (f", waiting on {record.waiting_on}" if record.waiting_on else "") + ")")


@process_group.command("list")
@click.option("--type", "process_type", default="",
              help=f"Only this process type ({', '.join(STARTABLE)}, or a child's: certificate, test_set).")
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


@process_group.command("letter-download")
@click.argument("workflow_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Where to save the PDF.")
def letter_download(workflow_id: str, out: Path) -> None:
    """Certificate (loan): save the exoneration letter for the representative to sign."""
    from habilita.adapters.secrets_box import SecretBox
    from habilita.models import StoredFile

    settings = load()
    state = run_with_processes(settings, lambda processes: processes.status(
        CERTIFICATE, CERTIFICATE.child_workflow_id(workflow_id)))
    if state.letter is None:
        raise click.ClickException("no letter yet: enter the legal representative's data first")
    out.write_bytes(StoredFile.get_by_id(state.letter.stored_file_id).read(SecretBox(settings.encryption_key)))
    click.echo(f"saved {out} ({state.letter.size:,} bytes)")


@process_group.command("invite")
@click.argument("workflow_id")
@click.option("--email", default="", help="The company contact's e-mail (default: the company's e-mail).")
@click.option("--actor", required=True, help="Who invites (e-mail), recorded in the audit log.")
def invite(workflow_id: str, email: str, actor: str) -> None:
    """Mail the company a link (valid 7 days) to do its own steps of WORKFLOW_ID without an account.

    The link goes only by e-mail: this command never prints it.
    """
    from habilita.adapters.mail import mailer_for
    from habilita.processes.invitations import InvitationRefused, invite as send_invitation

    settings = load()
    try:
        sent = send_invitation(workflow_id, by=actor, email=email, settings=settings, mailer=mailer_for(settings))
    except InvitationRefused as refusal:
        click.echo(f"{refusal.problem.field or 'refused'}: {say(settings, refusal.problem)}", err=True)
        raise SystemExit(1) from None
    click.echo(f"invitation sent to {sent.email}; valid until {sent.invitation.expires_at:%Y-%m-%d %H:%M} UTC")
