"""The whole stack for the browser tests: simulators, a worker, the console on a port, Chromium.

The worker runs in-process on the session's Temporal dev server with a fresh
task queue; the console is served by werkzeug on a loopback port in a thread,
built with the test environment's client.
"""
from __future__ import annotations

import asyncio
import base64
import os
import threading
from pathlib import Path

import pytest
import pytest_asyncio
import requests
from playwright.async_api import async_playwright
from temporalio.service import RPCError, RPCStatusCode
from werkzeug.serving import make_server

from admin import create_app
from habilita.settings import Settings
from models import ProcessRecord, User
from simulators.billing.ledger import Ledger
from simulators.billing.server import serve_in_thread
from simulators.dian.config import SimulatorConfig, invoice_set
from simulators.dian.server import make_server as make_dian_server

TEST_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()  # the lead's client codec key
SMALL_SET = (2, 1, 1)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "e2e"


@pytest.fixture
def dian_simulator(tmp_path):
    config = SimulatorConfig(processing_seconds=0.2, invoice_set=invoice_set(*SMALL_SET, allowed_rejections=2))
    with make_dian_server(str(tmp_path / "dian-sim.db"), config=config) as server:
        yield server


@pytest.fixture
def billing_simulator():
    server = serve_in_thread(Ledger(None))
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(tmp_path, task_queue, dian_simulator, billing_simulator) -> Settings:
    """Development settings on this test's database, simulators and task queue."""
    return Settings.from_env({
        "HABILITA_VAR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'habilita.db'}",
        "HABILITA_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "SECRET_KEY": "test-secret-key",
        "TEMPORAL_TASK_QUEUE": task_queue,
        "DIAN_URL": dian_simulator.soap_url,
        "BILLING_URL": billing_simulator,
        "TEST_SET_INVOICES": str(SMALL_SET[0]),
        "TEST_SET_CREDIT_NOTES": str(SMALL_SET[1]),
        "TEST_SET_DEBIT_NOTES": str(SMALL_SET[2]),
    })


class DianPortal:
    """What the company does at DIAN's portal, against the simulator."""

    def __init__(self, url: str):
        self.url = url

    def register_with_provider(self, nit: str, legal_name: str, provider_nit: str) -> dict:
        """Register as an invoicer through the technology provider's software (the loaned-certificate path)."""
        response = requests.post(f"{self.url}/portal/companies", timeout=10, json={
            "nit": nit, "legal_name": legal_name, "mode": "provider", "provider_nit": provider_nit})
        response.raise_for_status()
        return response.json()


    def request_test_resolution(self, nit: str) -> dict:
        return self._post(f"/portal/companies/{nit}/resolutions", {"kind": "invoice", "test": True})

    def associate_prefix(self, nit: str, prefix: str) -> dict:
        return self._post(f"/portal/companies/{nit}/prefixes", {"prefix": prefix})

    def _post(self, path: str, body: dict) -> dict:
        response = requests.post(self.url + path, json=body, timeout=10)
        assert response.status_code < 300, f"DIAN portal {path}: {response.status_code} {response.text}"
        return response.json()


@pytest.fixture
def dian_portal(dian_simulator) -> DianPortal:
    return DianPortal(dian_simulator.url)


@pytest_asyncio.fixture
async def console_url(settings, db, client, worker):
    """The console served on a loopback port, talking to the session's Temporal."""

    async def test_client():
        return client

    app = create_app(settings, temporal_client_factory=test_client, test_config={"INDICATORS_TTL_SECONDS": 0})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    await asyncio.to_thread(server.shutdown)
    app.extensions["habilita"].bridge.close()
    # Workflow ids are one per company and process: free them for the next test.
    for record in ProcessRecord.select(ProcessRecord.workflow_id):
        try:
            await client.get_workflow_handle(record.workflow_id).terminate(reason="test finished")
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise


@pytest.fixture
def new_staff_member(db) -> tuple[str, str]:
    """An onboarding user as the CLI creates one: must change the password at first login."""
    user = User(email="ana@habilita.test", name="Ana Gómez")
    user.set_roles(["onboarding"])
    user.set_password("inicial-2024-x", must_change=True)
    user.save()
    return user.email, "inicial-2024-x"


@pytest_asyncio.fixture
async def browser_page():
    """A page of Debian's headless Chromium."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="es-CO",
                                            accept_downloads=True)
        page = await context.new_page()
        page.set_default_timeout(15_000)
        yield page
        await context.close()
        await browser.close()


@pytest.fixture
def screenshots():
    """Save a full-page screenshot per name under test-output/e2e/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    count = {"n": 0}

    async def shoot(page, name: str) -> Path:
        count["n"] += 1
        path = SCREENSHOTS / f"{count['n']:02d}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


def pytest_collection_modifyitems(items):
    # Without Chromium the browser tests cannot run here; say so instead of failing obscurely.
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install -y chromium)")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)
