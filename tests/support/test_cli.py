"""`habilita audit` and `habilita support` from a terminal, against the dev server and the test database."""
from __future__ import annotations

import asyncio
import sys

from click.testing import CliRunner

from habilita.cli import cli
from habilita.models import AuditEvent, ProcessRecord
from tests.harness import TEST_ENCRYPTION_KEY
from habilita.workflows.einvoicing import EInvoicingEnablement, StartEnablement

from .conftest import wait_for, wait_for_step
from .drill import DrillInput, DrillProcess
from .test_timeline import finished_drill


def cli_env(settings, client=None) -> dict:
    env = {"DATABASE_URL": settings.database_url, "HABILITA_VAR": str(settings.var_dir),
           "HABILITA_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY, "SECRET_KEY": "test-secret-key"}
    if client is not None:
        env |= {"TEMPORAL_ADDRESS": client.service_client.config.target_host, "TEMPORAL_NAMESPACE": client.namespace}
    return env


async def habilita(env: dict, *args: str) -> tuple[int, str]:
    """Run the real `habilita` command in a child process (it runs its own event loop)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "habilita.cli", *args, env={"PATH": "/usr/bin:/bin", **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    return process.returncode, output.decode()


def write_three_events():
    for action in ("support: retry now", "support: cancel", "skip confirm"):
        AuditEvent.record(actor="sofia@habilita.co", action=action, target_type="process", target_id="p-1",
                          reason="ticket 4411")


def test_verify_log_passes_on_an_intact_log(db, settings):
    write_three_events()

    result = CliRunner().invoke(cli, ["audit", "verify-log"], env=cli_env(settings))

    assert result.exit_code == 0, result.output
    assert "audit log intact: 3 events" in result.output


def test_verify_log_names_a_changed_row(db, settings):
    write_three_events()
    changed = AuditEvent.get(AuditEvent.action == "support: cancel")
    AuditEvent.update(reason="nobody asked").where(AuditEvent.id == changed.id).execute()

    result = CliRunner().invoke(cli, ["audit", "verify-log"], env=cli_env(settings))

    assert result.exit_code == 1
    assert f"event {changed.id}: its content was changed after it was written" in result.output


def test_verify_log_notices_a_deleted_row(db, settings):
    write_three_events()
    AuditEvent.delete().where(AuditEvent.action == "support: cancel").execute()

    result = CliRunner().invoke(cli, ["audit", "verify-log"], env=cli_env(settings))

    assert result.exit_code == 1
    assert "chain broken before it" in result.output


async def test_audit_verify_replays_a_p1_history_against_the_current_code(client, settings, worker, company):
    handle = await client.start_workflow(
        EInvoicingEnablement.run,
        StartEnablement(company_id=company.id, company_tax_id=company.display_tax_id, started_by="ana@example.co"),
        id=f"einvoicing-cli-{company.id}-{settings.var_dir.parent.name}", task_queue=worker.task_queue)
    await wait_for_step(handle.id, "dian_registration")

    code, output = await habilita(cli_env(settings, client), "audit", "verify", handle.id)

    assert code == 0, output
    assert f"{handle.id}: consistent with the current code (1 run(s) replayed)" in output
    await handle.terminate("test over")


async def test_audit_export_writes_the_timeline_as_csv(client, settings, support_worker, start_drill, tmp_path):
    handle = await finished_drill(client, start_drill)
    target = tmp_path / "timeline.csv"

    code, output = await habilita(cli_env(settings, client), "audit", "export", handle.id, "--format", "csv",
                                  "--output", str(target))

    assert code == 0, output
    lines = target.read_text().splitlines()
    assert lines[0] == "at,source,kind,actor,text,run_id,event_id,workflow_id,action,outcome,reason,detail,code,params"
    assert any("update provide by ana@example.co accepted" in line for line in lines)


async def test_support_cancel_acts_on_each_process_and_reports_each(client, settings, support_worker, start_drill):
    first, second = await start_drill(), await start_drill()
    for handle in (first, second):
        await wait_for_step(handle.id, "collect")

    code, output = await habilita(cli_env(settings, client), "support", "cancel", first.id, second.id, "missing-id",
                                  "--yes", "--actor", "sofia@habilita.co", "--reason", "duplicate processes")

    assert code == 1, output
    # What the server said, in the CLI's language (Spanish unless HABILITA_LOCALE says otherwise).
    assert f"{first.id}\tdone\tcancelación solicitada" in output
    assert "missing-id\tREFUSED\tno encontrado:" in output
    assert "cancel: 2 done, 1 refused, of 3" in output
    for handle in (first, second):
        await wait_for_step(handle.id, "collect", status="cancelled")
    assert ProcessRecord.get_by_id(first.id).status == "cancelled"


async def test_support_queue_lists_a_stuck_process_with_why(
        client, settings, support_worker, start_drill, dian_faults, task_queue):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")
    dian_faults(fail_always=True)
    await handle.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))
    await wait_for_step(handle.id, "dian_submission")
    env = cli_env(settings, client) | {"TEMPORAL_TASK_QUEUE": task_queue}

    async def listed():
        code, output = await habilita(env, "support", "queue", "--signal", "activity_retrying")
        return output if handle.id in output else None
    output = await wait_for(listed, "the process in `habilita support queue`")

    line = next(line for line in output.splitlines() if line.startswith(handle.id))
    assert "\tdrill\tdian_submission\t" in line and "HTTP 503" in line
    assert "1 stuck process(es)" in output


async def test_support_queue_filters_by_each_of_the_queues_signals(db, settings, client, task_queue):
    """The command offers every signal the console's queue filters by, failed and blocked processes included."""
    ProcessRecord.create(workflow_id="einvoicing-CO-900123456", process_type="einvoicing", current_step="test_set",
                         status="failed", last_error="Activity task failed: DIAN refused the zip")
    env = cli_env(settings, client) | {"TEMPORAL_TASK_QUEUE": task_queue}

    failed = await habilita(env, "support", "queue", "--signal", "process_failed")
    blocked = await habilita(env, "support", "queue", "--signal", "process_blocked")
    unknown = await habilita(env, "support", "queue", "--signal", "no_such_signal")

    assert failed[0] == 0 and "einvoicing-CO-900123456\teinvoicing\ttest_set\t" in failed[1], failed[1]
    assert blocked[0] == 0 and "0 stuck process(es)" in blocked[1], blocked[1]
    assert unknown[0] == 2 and "process_failed" in unknown[1], unknown[1]


async def test_the_command_ends_with_0_1_or_2_run_after_run_even_after_talking_to_temporal(db, settings, client):
    """A command that opened a Temporal client used to abort at interpreter shutdown now and then (134, 139)."""
    env = cli_env(settings, client)
    runs = [habilita(env, "support", "queue") for _ in range(24)]
    runs += [habilita(env, "process", "status", "no-such-process") for _ in range(6)]
    runs += [habilita(env, "process", "no-such-command") for _ in range(2)]
    codes = []
    for batch in range(0, len(runs), 4):  # four at a time: this machine has two cores
        codes += [code for code, _ in await asyncio.gather(*runs[batch:batch + 4])]

    assert codes == [0] * 24 + [1] * 6 + [2] * 2
