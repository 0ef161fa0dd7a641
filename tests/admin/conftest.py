"""The console on the test database: an app, its users by role, and signing in."""
from __future__ import annotations

import dataclasses
import re

import pytest
import pytest_asyncio

from habilita.console import create_app
from habilita.models import User
from tests.harness import terminate_projected, test_settings

PASSWORD = "clave-segura-2024"
# Indicators computed on every request, so a test sees what it just wrote.
TEST_CONFIG = {"TESTING": True, "INDICATORS_TTL_SECONDS": 0}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class TemporalNotNeeded(RuntimeError):
    """Raised if a test that should not reach Temporal tries to."""


async def _no_temporal():
    raise TemporalNotNeeded("this test's console must not talk to Temporal")


@pytest.fixture
def app(settings, db):
    """The console without Temporal: pages and actions that only read or write models."""
    application = create_app(settings, temporal_client_factory=_no_temporal, test_config=TEST_CONFIG)
    yield application
    application.extensions["habilita"].bridge.close()


@pytest.fixture
def app_with(tmp_path, db):
    """Builds the console without Temporal from the test's settings plus the given environment
    variables (``app_with(HABILITA_DEV_STACK="1")``), on the test's database."""
    built = []

    def build(**env):
        application = create_app(test_settings(tmp_path, **env), temporal_client_factory=_no_temporal,
                                 test_config=TEST_CONFIG)
        built.append(application)
        return application

    yield build
    for application in built:
        application.extensions["habilita"].bridge.close()


@pytest_asyncio.fixture
async def live_app(settings, db, client, task_queue):
    """The console talking to the session's Temporal dev server, starting work on this test's queue.

    Workflow ids are one per company and process, so what a test started is
    terminated after it: the next test's fresh database reuses the ids.
    """

    async def test_client():
        return client

    application = create_app(dataclasses.replace(settings, task_queue=task_queue),
                             temporal_client_factory=test_client, test_config=TEST_CONFIG)
    yield application
    application.extensions["habilita"].bridge.close()
    await terminate_projected(client)


def make_user(email: str, *roles: str, must_change: bool = False) -> User:
    user = User(email=email, name=email.split("@")[0].title())
    user.set_roles(roles)
    user.set_password(PASSWORD, must_change=must_change)
    user.save()
    return user


@pytest.fixture
def users(db) -> dict[str, User]:
    """One user per role, passwords already changed."""
    return {role: make_user(f"{role}@habilita.test", role) for role in ("onboarding", "support", "auditor", "admin")}


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(browser, email: str, password: str = PASSWORD, **request):
    """Log in through the form, as a person would; returns the response to the POST.

    ``request`` goes to both requests (``environ_base={"REMOTE_ADDR": ...}``, ``headers=...``).
    """
    page = browser.get("/auth/login", **request)
    return browser.post("/auth/login", data={"email": email, "password": password,
                                             "csrf_token": csrf_from(page.get_data(as_text=True))}, **request)


@pytest.fixture
def as_role(app, users):
    """A test client signed in with the given role."""

    def browser_for(role: str, application=None):
        browser = (application or app).test_client()
        response = sign_in(browser, users[role].email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return browser

    return browser_for
