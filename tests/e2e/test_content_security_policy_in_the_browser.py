"""Under the console's Content-Security-Policy, Chromium refuses nothing the pages need.

An administrator logs in, walks the console's pages (home, lists, forms, a
company's page, the support queue, the profile, a missing page), adds a list
filter and opens the user menu (both need Flask-Admin's and Bootstrap's
scripts), and logs out; the browser reports no Content-Security-Policy
violation on the way.
"""
from __future__ import annotations

import re

import pytest
import pytest_asyncio
from playwright.async_api import expect

from habilita.models import Company, User

from .conftest import served_console

pytestmark = pytest.mark.e2e

PASSWORD = "administra-con-calma"
PAGES = ("/admin/", "/admin/company/", "/admin/company/new/", "/admin/company/details/?id={company}",
         "/admin/company/edit/?id={company}", "/admin/processrecord/", "/admin/auditevent/", "/admin/user/",
         "/admin/user/new/", "/admin/support/", "/auth/profile", "/no-such-page")
# Collects what the browser refuses, before any page script runs.
REPORT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


@pytest_asyncio.fixture
async def console(settings, db, client):
    """The console on a loopback port; these pages start no process, so no worker."""
    async with served_console(settings, client) as url:
        yield url


@pytest.fixture
def administrator(db) -> User:
    user = User(email="marta@habilita.test", name="Marta Ruiz")
    user.set_roles(["admin"])
    user.set_password(PASSWORD, must_change=False)
    user.save()
    return user


async def test_the_console_works_under_its_content_security_policy(console, browser_page, administrator):
    company = Company.create(country="CO", tax_id="900123456", check_digit="8", legal_name="Panadería La Espiga SAS")
    page = browser_page
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    await page.add_init_script(REPORT_VIOLATIONS)

    async def assert_nothing_refused(where: str) -> None:
        found = refused + await page.evaluate("window.__cspViolations || []")
        assert not found, f"{where}: " + "\n".join(found)

    await page.goto(console + "/auth/login")
    await page.fill("#email", administrator.email)
    await page.fill("#password", PASSWORD)
    await page.click("#login")
    await expect(page.locator("#shortcuts-title")).to_be_visible()
    await assert_nothing_refused("logging in")

    for path in PAGES:
        await page.goto(console + path.format(company=company.id))
        await assert_nothing_refused(path)

    await page.goto(console + "/admin/company/")
    await page.click("a[data-toggle='dropdown']:has-text('Filtro'), a[data-toggle='dropdown']:has-text('Filter')")
    await page.locator(".field-filters a.filter").first.click()
    await expect(page.locator(".filters tr")).not_to_have_count(0)
    await assert_nothing_refused("adding a filter")

    await page.click("#user-menu")
    await page.click("#logout")
    await expect(page).to_have_url(re.compile(r"/auth/login"))
    await assert_nothing_refused("logging out")
