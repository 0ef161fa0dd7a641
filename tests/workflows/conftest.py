"""Fixtures of the enablement tests: the DIAN and billing simulators over real
HTTP, settings pointing at them, helpers that read the projection, and a dev
server whose workflows can skip time (``skipping_env``)."""
from __future__ import annotations

import asyncio
import base64
import os

import pytest
import pytest_asyncio
import requests
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment

from habilita.codec import data_converter
from habilita.devserver import DevServerConfig, temporal_binary
from habilita.worker import build_worker
from workflows import attributes

from habilita.settings import Settings
from models import ProcessRecord
from simulators.billing.ledger import Ledger
from simulators.billing.server import serve_in_thread
from simulators.dian.config import SimulatorConfig, invoice_set
from simulators.dian.server import make_server

# The same values as the lead's tests/conftest.py (its client's codec uses this key).
TEST_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
POSTGRES_URL = os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""

# Small test sets keep the suite fast; DIAN's 60/20/20 is the default in settings.
SMALL_SET = (2, 1, 1)


@pytest.fixture
def dian_simulator(tmp_path):
    config = SimulatorConfig(processing_seconds=0.2, invoice_set=invoice_set(*SMALL_SET, allowed_rejections=2))
    with make_server(str(tmp_path / "dian-sim.db"), config=config) as server:
        yield server


@pytest.fixture
def billing_simulator():
    server = serve_in_thread(Ledger(None))
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(tmp_path, dian_simulator, billing_simulator) -> Settings:
    """The lead's development settings, pointed at this test's simulators."""
    return Settings.from_env({
        "HABILITA_VAR": str(tmp_path / "var"),
        "DATABASE_URL": POSTGRES_URL or f"sqlite:///{tmp_path / 'habilita.db'}",
        "HABILITA_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "SECRET_KEY": "test-secret-key",
        "DIAN_URL": dian_simulator.soap_url,
        "BILLING_URL": billing_simulator,
        "TEST_SET_INVOICES": str(SMALL_SET[0]),
        "TEST_SET_CREDIT_NOTES": str(SMALL_SET[1]),
        "TEST_SET_DEBIT_NOTES": str(SMALL_SET[2]),
    })


class Portal:
    """What a person does at DIAN's portal, against the simulator."""

    def __init__(self, url: str) -> None:
        self.url = url

    def register(self, nit: str, legal_name: str, *, mode: str = "own", provider_nit: str | None = None) -> dict:
        return self._post("/portal/companies", {"nit": nit, "legal_name": legal_name, "mode": mode,
                                                "provider_nit": provider_nit})

    def request_test_resolution(self, nit: str, kind: str = "invoice") -> dict:
        return self._post(f"/portal/companies/{nit}/resolutions", {"kind": kind, "test": True})

    def associate_prefix(self, nit: str, prefix: str) -> dict:
        return self._post(f"/portal/companies/{nit}/prefixes", {"prefix": prefix})

    def enable_support_document(self, nit: str) -> dict:
        return self._post(f"/portal/companies/{nit}/support-document", {})

    def received(self) -> list[dict]:
        return requests.get(self.url + "/_received", timeout=10).json()

    def _post(self, path: str, body: dict) -> dict:
        response = requests.post(self.url + path, json=body, timeout=10)
        assert response.status_code < 300, response.text
        return response.json()


@pytest.fixture
def portal(dian_simulator) -> Portal:
    return Portal(dian_simulator.url)


async def wait_for_step(workflow_id: str, step: str, *, status: str | None = None, seconds: float = 30):
    """Wait until the projection of ``workflow_id`` stands at ``step`` (and ``status``)."""
    record = None
    for _ in range(int(seconds / 0.05)):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        if record is not None and record.current_step == step and (status is None or record.status == status):
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} never reached step {step} ({status or 'any status'}); "
                         f"projection: {record and (record.current_step, record.status, record.last_error)}")


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
