"""`habilita support`: the stuck-process queue and support's actions, from a terminal.

Every action names its actor and reason; a bulk action says how many
processes it will touch and asks before it runs (``--yes`` skips the
question), then prints one result line per process. What the processes and
the server say is printed in the CLI's language (HABILITA_LOCALE).
"""
from __future__ import annotations

import asyncio
import sys

import click

from habilita.models.database import open_database
from habilita.settings import Settings
from habilita.support.stuck import SIGNALS

from .common import say


@click.group("support")
def support_group() -> None:
    """Support: find stuck processes and move them on."""


@support_group.command("queue")
@click.option("--signal", type=click.Choice(SIGNALS), default=None, help="Only processes stuck for this reason.")
@click.option("--step", default="", help="Only processes at this step.")
@click.option("--type", "process_type", default="", help="Only processes of this type.")
def queue(signal: str | None, step: str, process_type: str) -> None:
    """List stuck processes, oldest step first, with why each is stuck; first, on stderr, whether no
    worker serves the task queue (then no process moves)."""
    from habilita.support.stuck import QueueOptions, filter_queue, find_stuck
    from habilita.support.workers import worker_presence

    settings = Settings.from_env()
    open_database(settings.database_url)
    options = QueueOptions(task_queue=settings.task_queue)

    async def ask(client):
        return await asyncio.gather(find_stuck(client, options=options), worker_presence(client, settings.task_queue))

    queue, workers = _run(settings, ask)
    if (no_worker := workers.problem()) is not None:
        click.echo(say(settings, no_worker), err=True)
    stuck = filter_queue(queue, signal=signal or "", step=step, process_type=process_type)
    for entry in stuck:
        entered = entry.step_entered_at.isoformat(timespec="minutes") if entry.step_entered_at else "?"
        why = "; ".join(say(settings, reason.message) for reason in entry.reasons)
        click.echo(f"{entry.workflow_id}\t{entry.process_type}\t{entry.step}\tsince {entered}\t{why}")
    click.echo(f"{len(stuck)} stuck process(es)")


def acting_options(command):
    command = click.option("--actor", required=True, help="Who acts (e-mail), recorded in the audit log.")(command)
    return click.option("--reason", required=True, help="Why, recorded in the audit log.")(command)


@support_group.command("retry")
@click.argument("workflow_ids", nargs=-1, required=True)
@acting_options
@click.option("--yes", is_flag=True, help="Do not ask before a bulk action.")
def retry(workflow_ids: tuple[str, ...], actor: str, reason: str, yes: bool) -> None:
    """Retry now the failing activities of each WORKFLOW_ID."""
    _bulk("retry now", workflow_ids, actor, reason, yes, lambda actions, acting, wid: actions.retry_now(wid, acting))


@support_group.command("cancel")
@click.argument("workflow_ids", nargs=-1, required=True)
@acting_options
@click.option("--yes", is_flag=True, help="Do not ask before a bulk action.")
def cancel(workflow_ids: tuple[str, ...], actor: str, reason: str, yes: bool) -> None:
    """Cancel each WORKFLOW_ID."""
    _bulk("cancel", workflow_ids, actor, reason, yes, lambda actions, acting, wid: actions.cancel(wid, acting))


@support_group.command("skip")
@click.argument("workflow_ids", nargs=-1, required=True)
@click.option("--step", required=True, help="The step to skip (only where the process declares it skippable).")
@acting_options
@click.option("--yes", is_flag=True, help="Do not ask before a bulk action.")
def skip(workflow_ids: tuple[str, ...], step: str, actor: str, reason: str, yes: bool) -> None:
    """Skip STEP of each WORKFLOW_ID."""
    _bulk(f"skip {step}", workflow_ids, actor, reason, yes,
          lambda actions, acting, wid: actions.skip_step(wid, step, acting))


@support_group.command("reset")
@click.argument("workflow_ids", nargs=-1, required=True)
@click.option("--step", required=True, help="Reset to where this step began.")
@click.option("--exclude", type=click.Choice(["signal", "update"]), multiple=True,
              help="Do not re-apply these (repeatable); by default signals and updates are re-applied.")
@acting_options
@click.option("--yes", is_flag=True, help="Do not ask before a bulk action.")
def reset(workflow_ids: tuple[str, ...], step: str, exclude: tuple[str, ...], actor: str, reason: str,
          yes: bool) -> None:
    """Reset each WORKFLOW_ID to where STEP began (a new run; done side effects are not repeated)."""
    _bulk(f"reset to {step}", workflow_ids, actor, reason, yes,
          lambda actions, acting, wid: actions.reset_to_step(wid, step, acting, exclude=exclude))


def _bulk(action: str, workflow_ids, actor: str, reason: str, yes: bool, act) -> None:
    from habilita.support.actions import Acting, SupportActions, run_bulk
    from habilita.support.errors import MissingReason

    settings = Settings.from_env()
    try:
        acting = Acting(actor=actor, reason=reason)
    except MissingReason as exc:
        raise click.UsageError(say(settings, exc.message))
    if len(workflow_ids) > 1 and not yes:
        click.confirm(f"{action}: this will touch {len(workflow_ids)} processes. Go on?", abort=True)
    open_database(settings.database_url)

    async def run(client):
        actions = SupportActions(client)
        return await run_bulk(workflow_ids, lambda wid: act(actions, acting, wid))

    results = _run(settings, run)
    for result in results:
        click.echo(f"{result.workflow_id}\t{'done' if result.ok else 'REFUSED'}\t{say(settings, result.message)}")
    done = sum(r.ok for r in results)
    click.echo(f"{action}: {done} done, {len(results) - done} refused, of {len(results)}")
    sys.exit(0 if done == len(results) else 1)


def _run(settings: Settings, operation):
    from habilita.adapters.temporal import connect

    async def run():
        return await operation(await connect(settings, identity="habilita-support-cli"))

    return asyncio.run(run())
