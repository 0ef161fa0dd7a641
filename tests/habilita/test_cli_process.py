"""`habilita process` through click's runner, against the dev server and a real worker.

The command runs in a thread: it opens its own event loop and Temporal client
(from settings, as in a terminal) while the test's loop runs the worker.
"""
from __future__ import annotations

import asyncio
import uuid

import pytest_asyncio
from click.testing import CliRunner

from habilita.cli import cli
from habilita.models import ProcessRecord
from tests.harness import terminate

TEST_SET_ID = str(uuid.uuid4())
SOFTWARE_ID = str(uuid.uuid4())


def cli_env(settings, temporal_env, task_queue) -> dict:
    """The environment a terminal would have: settings pointing at the test's server, queue and database."""
    return {
        "DATABASE_URL": settings.database_url, "HABILITA_VAR": str(settings.var_dir),
        "HABILITA_ENCRYPTION_KEY": settings.encryption_key, "SECRET_KEY": settings.secret_key,
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": temporal_env.client.namespace, "TEMPORAL_TASK_QUEUE": task_queue,
    }


@pytest_asyncio.fixture
async def started_ids(temporal_env):
    """Workflow ids a test started from the CLI: fixed per company, so end them even when the test fails."""
    ids: list[str] = []
    yield ids
    await terminate(temporal_env.client, ids)


async def invoke(env: dict, *args: str):
    return await asyncio.to_thread(CliRunner().invoke, cli, ["process", *args], env=env, catch_exceptions=False)


async def wait_for(workflow_id: str, step: str):
    for _ in range(400):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        if record is not None and record.current_step == step:
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} never reached {step}")


async def test_start_register_and_status_drive_p1_from_the_command_line(
        temporal_env, worker, company, settings, task_queue, started_ids):
    env = cli_env(settings, temporal_env, task_queue)
    started = await invoke(env, "start", "einvoicing", "--company", company.tax_id, "--actor", "ana@example.co")
    assert started.exit_code == 0, started.output
    workflow_id = started.output.strip()
    started_ids.append(workflow_id)
    assert workflow_id == f"einvoicing-CO-{company.tax_id}"
    again = await invoke(env, "start", "einvoicing", "--company", company.tax_id, "--actor", "ana@example.co")
    assert again.output.strip() == workflow_id  # the running process, not a second one
    await wait_for(workflow_id, "dian_registration")

    refused = await invoke(env, "register", workflow_id, "--actor", "ana@example.co",
                           "--test-set-id", "not-a-guid", "--pin", "12")
    assert refused.exit_code == 1
    assert "test_set_id: debe ser un GUID como 1b2c3d4e-0000-4a5b-8c9d-0123456789ab, no «not-a-guid»" in refused.output
    assert "software_id: este campo es obligatorio" in refused.output
    assert "pin: debe tener exactamente 5 dígitos" in refused.output
    assert ProcessRecord.get_by_id(workflow_id).current_step == "dian_registration"

    registered = await invoke(env, "register", workflow_id, "--actor", "ana@example.co", "--test-set-id", TEST_SET_ID,
                              "--software-id", SOFTWARE_ID, "--pin", "12345")
    assert registered.exit_code == 0, registered.output
    assert f"test_set_id: {TEST_SET_ID}" in registered.output
    await wait_for(workflow_id, "certificate")

    status = await invoke(env, "status", workflow_id)
    assert status.exit_code == 0, status.output
    assert "step: certificate" in status.output and f"active_workflow_id: {workflow_id}-certificate" in status.output
    listed = await invoke(env, "list", "--type", "einvoicing", "--step", "certificate")
    assert workflow_id in listed.output and "1 process(es)" in listed.output


async def test_every_process_command_has_help():
    runner = CliRunner()
    group = cli.commands["process"]
    for name in group.commands:
        result = runner.invoke(cli, ["process", name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, name


async def test_a_support_document_process_starts_at_step_1_from_the_command_line_and_ds_enable_refuses_by_field(
        temporal_env, worker, company, settings, task_queue, started_ids):
    env = cli_env(settings, temporal_env, task_queue)
    started = await invoke(env, "start", "support-document", "--company", company.tax_id, "--actor", "ana@example.co")
    workflow_id = started.output.strip()
    started_ids.append(workflow_id)
    assert workflow_id == f"support_document-CO-{company.tax_id}"
    await wait_for(workflow_id, "dian_enablement")

    refused = await invoke(env, "ds-enable", workflow_id, "--actor", "ana@example.co", "--test-set-id", "x")
    assert refused.exit_code == 1
    for field in ("test_set_id", "operation_mode", "software_id", "pin"):
        assert f"{field}: " in refused.output
    status = await invoke(env, "status", workflow_id)
    assert "step: dian_enablement" in status.output and "started_at_step: 1" in status.output
