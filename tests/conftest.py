"""The harness every test stands on: a real database and real Temporal servers.

- ``db``: a fresh, migrated database per test (a temporary SQLite file, or
  the PostgreSQL database named by ``DATABASE_URL``, emptied between tests).
- ``temporal_env``: one local Temporal dev server for the session, with the
  same search attributes and dynamic config as `make run`.
- ``time_skipping_env``: the time-skipping test server, for timers and SLAs.
- ``task_queue``: a fresh task queue per test, so workers never share work.
- ``settings``: development settings rooted in the test's temporary folder.
- ``dian_simulator``, ``billing_simulator``, ``portal``: the simulators over
  real HTTP on loopback, and DIAN's portal as a person uses it.
"""
from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from habilita import models
from habilita.adapters.codec import data_converter
from habilita.models.database import open_database, upgrade
from habilita.devstack.devserver import DevServerConfig, test_server_binary
from habilita.settings import Settings
from habilita.simulators.billing.ledger import Ledger
from habilita.simulators.billing.server import serve_in_thread
from habilita.simulators.dian.config import SimulatorConfig, invoice_set
from habilita.simulators.dian.server import make_server as make_dian_server
from tests.harness import POSTGRES_URL, SMALL_SET, TEST_ENCRYPTION_KEY, Portal, test_settings



@pytest.fixture
def settings(tmp_path) -> Settings:
    return test_settings(tmp_path)


@pytest.fixture
def dian_simulator(tmp_path):
    """The DIAN simulator over HTTP on a loopback port, for a small test set."""
    config = SimulatorConfig(processing_seconds=0.2, invoice_set=invoice_set(*SMALL_SET, allowed_rejections=2))
    with make_dian_server(str(tmp_path / "dian-sim.db"), config=config) as server:
        yield server


@pytest.fixture
def billing_simulator():
    """The billing and certificate-authority simulator; its base URL."""
    server = serve_in_thread(Ledger(None))
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def portal(dian_simulator) -> Portal:
    return Portal(dian_simulator.url)


@pytest.fixture(scope="session")
def _postgres_schema():
    if not POSTGRES_URL:
        return None
    db = open_database(POSTGRES_URL)
    tables = db.get_tables()
    if tables:
        db.execute_sql("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    upgrade(db)
    return db


@pytest.fixture
def db(settings, _postgres_schema):
    if _postgres_schema is not None:
        database = open_database(POSTGRES_URL)
        tables = [t for t in database.get_tables() if t != "migratehistory"]
        database.execute_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    else:
        database = open_database(settings.database_url)
        upgrade(database)
    yield database
    database.close()


@pytest_asyncio.fixture(scope="session")
async def temporal_env():
    env = await WorkflowEnvironment.start_local(data_converter=data_converter(TEST_ENCRYPTION_KEY),
                                                **DevServerConfig.load().environment_options())
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def time_skipping_env():
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_ENCRYPTION_KEY),
        test_server_existing_path=test_server_binary(),
    )
    yield env
    await env.shutdown()


@pytest.fixture
def client(temporal_env):
    return temporal_env.client


@pytest.fixture
def task_queue() -> str:
    return f"test-{uuid.uuid4()}"


@pytest.fixture
def company(db):
    return models.Company.create(country="CO", tax_id="900123456", check_digit="8", legal_name="Panadería La Espiga SAS")


@pytest_asyncio.fixture
async def worker(client, settings, task_queue, db):
    """A worker of every workflow and activity on this test's task queue."""
    from habilita.worker import build_worker

    async with build_worker(client, settings, task_queue=task_queue) as running:
        yield running
