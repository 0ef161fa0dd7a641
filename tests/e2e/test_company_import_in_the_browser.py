"""Staff import a CSV of companies in the browser: a progress bar, then the report by row; a second
import of the same file creates and starts nothing. Screenshots land in
test-output/e2e/staff_import_companies_from_a_file/."""
from __future__ import annotations

import random

import pytest
from playwright.async_api import expect

from habilita.models import AuditEvent, Company, ProcessRecord
from tests.habilita.test_company_import import csv_of, good_row

from .conftest import log_in

pytestmark = pytest.mark.e2e


async def test_staff_import_companies_from_a_file(console_url, browser_page, screenshots, staff, tmp_path):
    rows = [good_row(n, base=700_000_000 + random.randrange(100_000) * 100) for n in range(40)]
    rows[3] = {**rows[3], "ciudad": "Cali"}
    rows[9] = {**rows[9], "nit": rows[8]["nit"]}
    file = tmp_path / "clientes-contador.csv"
    file.write_bytes(csv_of(rows))
    page = browser_page
    await log_in(page, console_url, staff)

    await page.goto(console_url + "/admin/import/")
    await expect(page.locator("#import-header")).to_have_text("razon_social,nit,email,telefono,ciudad")
    await page.set_input_files("#file", str(file))
    await page.select_option("#start", "einvoicing")
    await screenshots(page, "import-form")
    await page.click("#import")
    summary = page.locator("#import-summary")
    await expect(summary).to_be_visible(timeout=60_000)
    await screenshots(page, "import-report")
    await expect(summary).to_have_attribute("data-created", "38")
    await expect(summary).to_have_attribute("data-refused", "2")
    await expect(summary).to_have_attribute("data-started", "38")
    await expect(page.locator("#import-refused tr[data-row='5']")).to_contain_text("código DANE")
    await expect(page.locator("#import-refused tr[data-row='11']")).to_contain_text("ya está en la fila 10")
    assert Company.select().count() == 38

    await page.goto(console_url + "/admin/import/")
    await page.set_input_files("#file", str(file))
    await page.select_option("#start", "einvoicing")
    await page.click("#import")
    await expect(summary).to_be_visible(timeout=60_000)
    await expect(summary).to_have_attribute("data-created", "0")
    await expect(summary).to_have_attribute("data-existing", "38")
    await expect(summary).to_have_attribute("data-started", "0")
    assert Company.select().count() == 38
    assert AuditEvent.select().where(AuditEvent.action == "import companies").count() == 2
    for _ in range(60):  # the worker projects each started process
        if ProcessRecord.select().where(ProcessRecord.process_type == "einvoicing").count() == 38:
            break
        await page.wait_for_timeout(500)
    assert ProcessRecord.select().where(ProcessRecord.process_type == "einvoicing").count() == 38
