"""The whole stack for the browser tests: simulators, a worker, the console on a port, Chromium.

The worker runs in-process on the session's Temporal dev server with a fresh
task queue; the console is served by werkzeug on a loopback port in a thread,
built with the test environment's client.
"""
from __future__ import annotations

import asyncio
import os
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import async_playwright
from werkzeug.serving import make_server

from habilita.console import create_app
from habilita.settings import Settings
from habilita.models import User
from tests.harness import simulator_env, terminate_projected, test_settings
from tests.support.conftest import (  # noqa: F401 (fixtures of the support drills)
    dian_company, dian_faults, dian_sim, start_drill, support_worker,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "e2e"


@pytest.fixture
def settings(tmp_path, task_queue, dian_simulator, billing_simulator) -> Settings:
    """Development settings on this test's simulators, database and task queue."""
    return test_settings(tmp_path, TEMPORAL_TASK_QUEUE=task_queue, **simulator_env(dian_simulator, billing_simulator))


@asynccontextmanager
async def served_console(settings: Settings, client):
    """The console served on a loopback port, talking to the session's Temporal; yields its URL."""

    async def test_client():
        return client

    app = create_app(settings, temporal_client_factory=test_client, test_config={"INDICATORS_TTL_SECONDS": 0})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        await asyncio.to_thread(server.shutdown)
        app.extensions["habilita"].bridge.close()
        await terminate_projected(client)


@pytest_asyncio.fixture
async def console_url(settings, db, client, worker):
    """The console, with a worker of every product workflow on the test's task queue."""
    async with served_console(settings, client) as url:
        yield url


@pytest_asyncio.fixture
async def support_console_url(settings, db, client, support_worker):
    """The console, with the support drills' worker (the product's workflows and the drill process)."""
    async with served_console(settings, client) as url:
        yield url


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
def screenshots(request):
    """Save a full-page screenshot per name under test-output/e2e/<test>/."""
    folder = SCREENSHOTS / request.node.name.removeprefix("test_")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    count = {"n": 0}

    async def shoot(page, name: str) -> Path:
        count["n"] += 1
        path = folder / f"{count['n']:02d}-{name}.png"
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


STAFF_PASSWORD = "alambre-tortuga-violeta-93"


@pytest.fixture
def staff(db) -> User:
    """An onboarding user whose password is already changed."""
    user = User(email="lina@habilita.test", name="Lina Pardo")
    user.set_roles(["onboarding"])
    user.set_password(STAFF_PASSWORD, must_change=False)
    user.save()
    return user


async def log_in(page, console_url: str, user: User, password: str = STAFF_PASSWORD) -> None:
    """Log in through the form, as a person does."""
    await page.goto(console_url + "/auth/login")
    await page.fill("#email", user.email)
    await page.fill("#password", password)
    await page.click("#login")


async def reload_until(page, locator, seconds: float) -> bool:
    """Reload ``page`` every half second until ``locator`` finds something (the workflow moves on its
    own, and the page shows where it stands when it is loaded); whether it did within ``seconds``."""
    for _ in range(int(seconds / 0.5)):
        if await locator.count():
            return True
        await asyncio.sleep(0.5)
        await page.reload()
    return False
