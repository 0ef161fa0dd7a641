"""The `habilita` command: run the stack, its parts, and operate on data."""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
import subprocess  # nosec B404 # runs this interpreter's own `habilita seed-demo`: an argument list, no shell
import sys
import traceback

import click
import requests

from .accounting import accounting_group
from .audit import audit_group
from .channels import channels_group
from .companies import companies_group
from .common import load_settings, open_db, say
from .dian import dian_group
from .process import process_group
from .support import support_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """habilita: bring companies onto electronic invoicing with durable workflows.

    Settings come from environment variables (DATABASE_URL, TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE, ...); see the README.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # One line per table and column created; habilita.migrations already names each migration it runs.
    logging.getLogger("peewee_migrate.logs").setLevel(logging.WARNING)


@cli.command()
def worker() -> None:
    """Run the Temporal worker: every workflow and activity."""
    from habilita.models.database import upgrade
    from habilita.adapters.temporal import connect
    from habilita.support.reconcile import ProjectionReconciler
    from habilita.worker import build_worker

    settings = load_settings()
    upgrade(open_db(settings))

    async def run() -> None:
        client = await connect(settings, identity="habilita-worker")
        running = build_worker(client, settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Finish in-flight activities and hand back workflow tasks cleanly.
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(running.shutdown()))
        click.echo(f"worker on task queue {settings.task_queue!r} at {settings.temporal_address}")
        # Processes that end outside the console (terminated, timed out) reach the projection too.
        converging = asyncio.ensure_future(
            ProjectionReconciler(client, task_queue=settings.task_queue).run_forever())
        try:
            await running.run()
        finally:
            converging.cancel()

    asyncio.run(run())


@cli.command()
@click.option("--no-seed", is_flag=True, help="Do not seed demo data.")
def dev(no_seed: bool) -> None:
    """Run the whole dev stack: Temporal, simulators, worker, admin (what `make run` starts).

    Seeds demo data once; Ctrl-C stops everything. Data lives under var/.
    """
    from habilita.models.database import upgrade
    from habilita.devstack import DevStack, DevStackError

    # Everything the stack and its parts write under var/ (databases, keys, logs, Temporal's store) is
    # its owner's alone; the files that hold secrets are also created 0600 one by one.
    os.umask(0o077)
    settings = load_settings()
    applied = upgrade(open_db(settings))
    if applied:
        click.echo("[dev] schema: applied " + ", ".join(applied))
    stack = DevStack(settings)

    def seed(env: dict) -> None:
        if no_seed:
            return
        done = subprocess.run([sys.executable, "-m", "habilita.cli", "seed-demo"], env=env)  # nosec B603 # fixed argv
        if done.returncode != 0:
            # Demo data is a convenience: say so, and keep the stack running.
            click.echo(f"[dev] seeding demo data failed (exit code {done.returncode}); "
                       "the stack runs without it: try `habilita seed-demo`", err=True)

    code = 0
    try:
        stack.start(seed=seed)
        config = stack.config
        click.echo(
            "\n[dev] habilita is running:\n"
            f"[dev]   admin console   http://{settings.admin_host}:{settings.admin_port}\n"
            f"[dev]   Temporal Web UI http://{config.ip}:{config.ui_port}/namespaces/{config.namespace}/workflows\n"
            f"[dev]   Temporal gRPC   {config.ip}:{config.port}\n"
            "[dev] Ctrl-C stops everything; data stays in var/.\n"
        )
        code = stack.watch()
    except DevStackError as exc:
        click.echo(f"[dev] {exc}", err=True)
        code = 1
    finally:
        stack.stop()
    sys.exit(code)


@cli.command("seed-demo")
def seed_demo() -> None:
    """Seed demo users, companies and processes (safe to run again)."""
    from habilita.demo import seed_admin, seed_companies, seed_processes
    from habilita.private_files import replace_private
    from habilita.demo.accounting import seed_accounting_demo
    from habilita.demo.channels import seed_channels_demo
    from habilita.adapters.temporal import connect

    settings = load_settings()
    open_db(settings)
    password = seed_admin()
    if password:
        # The password goes to a file only the owner reads, never to the stack's output (a log).
        path = settings.var_dir / "initial-admin-password"
        replace_private(path, (password + "\n").encode())
        banner = f"first admin: admin@habilita.local  password in {path}  (change it at first login)"
        click.echo("[seed] " + "*" * len(banner) + "\n[seed] " + banner + "\n[seed] " + "*" * len(banner))
    companies = seed_companies()

    async def run() -> None:
        client = await connect(settings, identity="habilita-seed")
        await seed_processes(client, settings, companies)
        await seed_accounting_demo(client, settings)
        try:
            await seed_channels_demo(client, settings)
        except requests.RequestException as error:  # the ERP or marketplace simulator is not running
            click.echo(f"[seed] sales-channel demo skipped: {error.__class__.__name__}", err=True)

    asyncio.run(run())
    click.echo(f"[seed] {len(companies)} demo companies and their processes are in place")
    # Everything is written and committed. Leave without interpreter
    # finalization: the Temporal client's native threads can still call into
    # Python while it tears down, which aborts the process ("PyGILState_Release
    # ... finalizing") and would fail `make run` after a successful seed.
    sys.stdout.flush()
    os._exit(0)


@cli.command()
def admin() -> None:
    """Run the staff console on ADMIN_HOST:ADMIN_PORT (threaded server)."""
    from werkzeug.serving import run_simple

    from habilita.console import create_app

    from habilita.models.database import upgrade

    settings = load_settings()
    upgrade(open_db(settings))
    click.echo(f"admin console on http://{settings.admin_host}:{settings.admin_port}")
    run_simple(settings.admin_host, settings.admin_port, create_app(settings), threaded=True)


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the schema or apply pending migrations in place."""
    from habilita.models.database import upgrade

    applied = upgrade(open_db(load_settings()))
    click.echo("applied: " + ", ".join(applied) if applied else "schema is up to date")


@cli.group()
def users() -> None:
    """Console users and their roles."""


@users.command("create")
@click.argument("email")
@click.option("--name", default="", help="Full name.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["onboarding", "support", "auditor", "admin"]), help="Repeat for several roles.")
@click.option("--password", default=None, help="Initial password; generated and printed when omitted.")
def users_create(email: str, name: str, roles: tuple[str, ...], password: str | None) -> None:
    """Create a user who must change the password at first login."""
    from habilita.models import FieldError, User

    settings = load_settings()
    open_db(settings)
    if User.by_email(email):
        raise click.ClickException(f"a user with e-mail {email.lower()} already exists")
    password = password or secrets.token_urlsafe(12)
    user = User(email=email, name=name)
    try:
        user.validate()
        user.set_roles(roles)
        user.set_password(password, must_change=True)
    except FieldError as exc:
        raise click.ClickException(f"{exc.field}: {say(settings, exc.problem)}")
    user.save()
    click.echo(f"created {user.email} ({user.roles}); initial password: {password}")


@users.command("reset-password")
@click.argument("email")
@click.option("--password", default=None, help="New password; generated and printed when omitted.")
def users_reset_password(email: str, password: str | None) -> None:
    """Set a new password that must be changed at the next login; the user's sessions end."""
    from habilita.models import FieldError, LoginFailure, User

    settings = load_settings()
    open_db(settings)
    user = User.by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email.lower()}")
    password = password or secrets.token_urlsafe(12)
    try:
        user.set_password(password, must_change=True)
    except FieldError as exc:
        raise click.ClickException(f"{exc.field}: {say(settings, exc.problem)}")
    user.failed_logins, user.locked_until = 0, None
    user.save()
    LoginFailure.clear(user.email)
    click.echo(f"password of {user.email} reset; new password: {password}")


for group in (process_group, companies_group, accounting_group, channels_group, support_group, audit_group,
              dian_group):
    cli.add_command(group)


def main() -> None:
    """Run the `habilita` command and leave with 0 (done), 1 (refused or failed) or 2 (misused).

    The process ends with ``os._exit`` once the command's output is flushed:
    the Temporal client's native threads could abort interpreter finalization
    (exit 134 or 139) after the command had done its work.
    """
    code = _run_cli()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if code in (0, 1, 2) else 1)


def _run_cli() -> int:
    """The exit code of one run of the command line, as click would give it."""
    try:
        returned = cli.main(prog_name="habilita", standalone_mode=False)
    except click.ClickException as error:  # a usage error is 2, any other refusal 1
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        return 1
    except SystemExit as exiting:  # a command that chose its code (refusals: 1)
        return exiting.code if isinstance(exiting.code, int) else (0 if exiting.code is None else 1)
    except KeyboardInterrupt:
        return 1
    except Exception:  # noqa: BLE001 - shown in full, and the command fails instead of crashing
        traceback.print_exc()
        return 1
    return returned if isinstance(returned, int) else 0


if __name__ == "__main__":
    main()
