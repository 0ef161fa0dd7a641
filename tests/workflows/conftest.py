"""Fixtures of the enablement tests: settings pointing at the simulators (the
root conftest starts them), and a dev server whose workflows can skip time
(``skipping_env``). ``SMALL_SET`` and ``wait_for_step`` are re-exported from
tests.harness for the test modules here."""
from __future__ import annotations

import pytest
import pytest_asyncio
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment

from habilita.adapters.codec import data_converter
from habilita.devstack.devserver import DevServerConfig, temporal_binary
from habilita.settings import Settings
from habilita.worker import build_worker
from tests.harness import SMALL_SET, TEST_ENCRYPTION_KEY, simulator_env, test_settings, wait_for_step  # noqa: F401
from habilita.workflows import attributes


@pytest.fixture
def settings(tmp_path, dian_simulator, billing_simulator) -> Settings:
    """Development settings pointed at this test's simulators."""
    return test_settings(tmp_path, **simulator_env(dian_simulator, billing_simulator))


@pytest_asyncio.fixture(scope="session")
async def skipping_env():
    """A dev server with per-workflow time skipping (Temporal's "v2").

    Unlike the Java test server it runs updates, so human steps and timers
    meet in one test. Workflows start with skipping off (real time); a test
    moves one workflow's clock with ``skipping_env.fast_forward(handle, delta)``.
    """
    config = DevServerConfig.load()
    env = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(enabled=False),
        namespace=config.namespace,
        data_converter=data_converter(TEST_ENCRYPTION_KEY),
        search_attributes=list(attributes.ALL),
        dev_server_existing_path=temporal_binary(),
        dev_server_extra_args=config.pragma_args() + config.dynamic_config_args()
        + ["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"],
    )
    yield env
    await env.shutdown()


@pytest_asyncio.fixture
async def skipping_worker(skipping_env, settings, task_queue, db):
    """Every workflow and activity of habilita, on the time-skipping server."""
    async with build_worker(skipping_env.client, settings, task_queue=task_queue) as running:
        yield running
