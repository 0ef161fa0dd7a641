"""The worker's sandbox still refuses what would make a workflow non-deterministic, and imports once.

The probe runs in a worker built by ``habilita.worker.build_worker``, as every
workflow of ours does. With the sandbox off, or with the workflow modules
passed through, the probe's clock, randomness and file calls would be allowed
and the first test fails.
"""
from __future__ import annotations

import sys
import uuid

import pytest
from temporalio.worker import Worker

from habilita.worker import build_worker, workflow_runner
from habilita.workflow_sandbox import PASSED_THROUGH
from habilita.workflows.registry import WORKFLOWS

from .sandbox_probe import SandboxProbe


@pytest.fixture
async def probe_worker(client, settings, task_queue, db):
    async with build_worker(client, settings, task_queue=task_queue, workflows=[SandboxProbe]) as running:
        yield running


async def run_probe(client, task_queue, call: str):
    handle = await client.start_workflow(SandboxProbe.run, call, id=f"probe-{call}-{uuid.uuid4()}",
                                         task_queue=task_queue)
    return await handle.result(), await handle.query(SandboxProbe.module_identity)


@pytest.mark.parametrize("call", ["time", "random", "now", "file"])
async def test_a_workflow_is_refused_the_clock_randomness_and_files(client, task_queue, probe_worker, call):
    answer, _ = await run_probe(client, task_queue, call)
    assert answer == "refused"


@pytest.mark.parametrize("call", ["workflow_time", "workflow_random"])
async def test_a_workflow_may_use_temporals_own_clock_and_randomness(client, task_queue, probe_worker, call):
    answer, _ = await run_probe(client, task_queue, call)
    assert answer == "allowed"


async def test_every_run_of_a_worker_shares_one_import_made_inside_the_sandbox(client, task_queue, probe_worker):
    identities = {(await run_probe(client, task_queue, "workflow_time"))[1] for _ in range(3)}
    assert len(identities) == 1, "each run imported the workflow module again"
    assert identities != {id(sys.modules[SandboxProbe.__module__])}, "the module was passed through, not sandboxed"


async def test_our_workflow_modules_are_sandboxed_and_our_pure_modules_passed_through(client, task_queue):
    runner = workflow_runner()
    # Building a worker prepares each workflow: its module is imported into the sandbox then.
    Worker(client, task_queue=task_queue, workflows=WORKFLOWS, workflow_runner=runner)
    seen = runner.imported_modules
    for workflow_class in WORKFLOWS:
        assert seen[workflow_class.__module__] is not sys.modules[workflow_class.__module__]
    passed = [name for name in seen if any(name == p or name.startswith(p + ".") for p in PASSED_THROUGH)]
    assert "habilita.states" in passed and "habilita.messages" in passed
    assert all(seen[name] is sys.modules[name] for name in passed)
