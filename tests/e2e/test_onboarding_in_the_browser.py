"""A new staff member enables a company's electronic invoicing from the browser.

Logs in (and changes the first password), creates a company, starts P1,
completes the human steps through the forms (registration, certificate loan
with its letter, test set, DIAN confirmations, voucher type) until the company
is enabled, and logs out; a screenshot of each page
lands in test-output/e2e/a_staff_member_takes_a_company_through_p1_in_the_browser/.
"""
from __future__ import annotations

import re
import time

import requests

import pytest
from playwright.async_api import Page, expect

from habilita.models import CertificateLoan, Company, NumberingResolution, ProcessRecord
from tests.e2e.conftest import reload_until

# The person is answered within 2.5 s while DIAN hangs: measured with no other test on the CPU.
pytestmark = [pytest.mark.e2e, pytest.mark.timed]

NEW_PASSWORD = "nueva-clave-2024"
REPRESENTATIVE = {"full_name": "Ana María Gómez", "document_number": "52123456", "email": "ana@laespiga.co",
                  "phone": "3001234567", "position": "Gerente general"}


async def until_step_form(page: Page, action: str, seconds: float = 30) -> None:
    """Reload the process page until the form of ``action`` is offered (the workflow moves on its own)."""
    if await reload_until(page, page.locator(f"form.step-form[data-action='{action}']"), seconds):
        return
    raise AssertionError(f"the form {action!r} never appeared; page says: {await page.inner_text('main, body')}")


async def until_current_step(page: Page, step: str, seconds: float = 60) -> None:
    if await reload_until(page, page.locator(f"li.step-current[data-step='{step}']"), seconds):
        return
    where = [(r.workflow_id, r.current_step, r.status, r.last_error[:200]) for r in ProcessRecord.select()]
    raise AssertionError(f"the process never reached {step!r}; the processes stand at {where}")


def field_error(page: Page, field: str):
    return page.locator(f".field-error[data-field='{field}']")


async def test_a_staff_member_takes_a_company_through_p1_in_the_browser(
        console_url, browser_page, screenshots, new_staff_member, portal, settings, tmp_path):
    page = browser_page
    email, first_password = new_staff_member

    # Access: the first login asks for a new password.
    await page.goto(console_url + "/admin/")
    await expect(page).to_have_url(re.compile(r"/auth/login"))
    await screenshots(page, "login")
    await page.fill("#email", email)
    await page.fill("#password", first_password)
    await page.click("#login")
    await expect(page).to_have_url(re.compile(r"/auth/profile"))
    await screenshots(page, "first-login-change-password")
    await page.fill("#current", first_password)
    await page.fill("#password", NEW_PASSWORD)
    await page.fill("#confirm", NEW_PASSWORD)
    await page.click("#change-password")
    await expect(page.locator("#shortcuts-title")).to_be_visible()
    await screenshots(page, "home")

    # A company, refused at the field for a wrong check digit, then saved.
    await page.click("#new-company")
    await page.select_option("#country", "CO")
    await page.fill("#tax_id", "900123456")
    await page.fill("#check_digit", "1")
    await page.fill("#legal_name", "Panadería La Espiga SAS")
    await page.fill("#email", "contacto@laespiga.co")
    await page.fill("#city", "Bogotá")
    await page.click("#save")
    await expect(page.locator("#tax_id.is-invalid, .form-group:has(#tax_id) .invalid-feedback, "
                              ".form-group:has(#tax_id) .help-block")).not_to_have_count(0)
    await screenshots(page, "company-refused-check-digit")
    assert Company.select().count() == 0
    await page.fill("#check_digit", "8")
    await page.click("#save")
    await page.click("text=Panadería La Espiga SAS")
    await screenshots(page, "company")
    company = Company.get(Company.tax_id == "900123456")

    # Start P1 and enter DIAN's registration: a bad GUID is refused at its field.
    await page.click("button.start-process[data-process='einvoicing']")
    await until_step_form(page, "submit_dian_registration")
    await screenshots(page, "process-started")
    registration = portal.register(company.tax_id, company.legal_name, mode="provider", provider_nit=settings.provider_nit)
    form = page.locator("form[data-action='submit_dian_registration']")
    await form.locator("#operation_mode").select_option("provider")
    await form.locator("#test_set_id").fill("no-es-un-guid")
    await form.locator("#software_id").fill(registration["software_id"])
    await form.locator("#pin").fill(registration["pin"])
    await form.locator("button[type=submit]").click()
    await expect(field_error(page, "test_set_id")).to_contain_text("GUID")
    await screenshots(page, "registration-refused-at-field")
    form = page.locator("form[data-action='submit_dian_registration']")
    await form.locator("#test_set_id").fill(registration["test_set_id"])
    await form.locator("#pin").fill(registration["pin"])
    await form.locator("button[type=submit]").click()

    # Certificate: the provider's loan, the representative, the letter.
    await until_step_form(page, "choose_path")
    await expect(page.locator("li.step-done[data-step='dian_registration']")).to_have_count(1)
    await page.locator("form[data-action='choose_path'] #path").select_option("loan")
    await page.locator("form[data-action='choose_path'] button[type=submit]").click()
    await until_step_form(page, "submit_representative")
    await screenshots(page, "representative-form")
    form = page.locator("form[data-action='submit_representative']")
    for name, value in REPRESENTATIVE.items():
        await form.locator(f"#{name}").fill(value)
    await form.locator("#document_type").select_option("CC")
    await form.locator("button[type=submit]").click()
    await until_step_form(page, "upload_signed_letter")
    async with page.expect_download() as download_info:
        await page.click("text=Carta de exoneración para firmar (PDF)")
    letter = tmp_path / "carta.pdf"
    await (await download_info.value).save_as(letter)
    assert letter.read_bytes().startswith(b"%PDF-")

    # Nothing to continue with or delete before a letter is uploaded: those buttons are not offered yet.
    assert await page.locator("form[data-action='continue_with_loan']").count() == 0
    assert await page.locator("form[data-action='delete_signed_letter']").count() == 0

    # The signed scan: 2 MB is refused with nothing stored, the real letter is accepted.
    too_big = tmp_path / "escaneo-grande.pdf"
    too_big.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    await page.locator("form[data-action='upload_signed_letter'] #upload").set_input_files(str(too_big))
    await page.locator("form[data-action='upload_signed_letter'] button[type=submit]").click()
    await expect(field_error(page, "upload")).to_contain_text("1 MB")
    await screenshots(page, "upload-refused-2mb")
    assert CertificateLoan.get().signed_letter is None
    await page.locator("form[data-action='upload_signed_letter'] #upload").set_input_files(str(letter))
    await page.locator("form[data-action='upload_signed_letter'] button[type=submit]").click()
    await expect(page.locator(".alert-success")).to_be_visible()
    await expect(page.locator(".documents a:has-text('Carta firmada cargada')")).to_be_visible()
    await screenshots(page, "letter-uploaded")
    await until_step_form(page, "continue_with_loan")
    await page.locator("form[data-action='continue_with_loan'] button[type=submit]").click()

    # Test set: confirm the NIT that will be locked; the process goes on to DIAN's numbering step.
    await until_step_form(page, "start_test_set")
    await screenshots(page, "test-set-confirm-nit")
    await page.locator("form[data-action='start_test_set'] #confirmed_tax_id").fill(company.display_tax_id)
    await page.locator("form[data-action='start_test_set'] button[type=submit]").click()
    await until_current_step(page, "numbering_resolution")
    await screenshots(page, "numbering-resolution")
    record = ProcessRecord.get(ProcessRecord.company == company, ProcessRecord.process_type == "einvoicing")
    assert (record.current_step, record.waiting_on) == ("numbering_resolution", "company")

    # The company does its part at DIAN; staff confirm each step, then pick the synced resolution.
    # DIAN stops answering first: the confirmation is recorded and answered in Spanish at once, and
    # once DIAN answers again the process moves on by itself.
    granted = portal.request_test_resolution(company.tax_id)
    requests.put(portal.url + "/_faults", json={"hang": True}, timeout=10).raise_for_status()
    started = time.monotonic()
    await page.locator("form[data-action='confirm_resolution_requested'] button[type=submit]").click()
    await expect(page.locator(".alert-info")).to_contain_text("La DIAN aún no responde")
    assert time.monotonic() - started < 2.5, "the person waited on DIAN"
    assert await page.locator(".alert-success").count() == 0, "no 'Hecho' before the workflow did it"
    await screenshots(page, "dian-not-answering")
    requests.delete(portal.url + "/_faults", timeout=10).raise_for_status()
    await until_step_form(page, "confirm_prefixes_associated")
    received = portal.received()
    assert received and all(r["times_seen"] == 1 for r in received), "a test-set document was sent twice"
    portal.associate_prefix(company.tax_id, granted["prefix"])
    await page.locator("form[data-action='confirm_prefixes_associated'] button[type=submit]").click()
    await until_step_form(page, "configure_voucher_type")
    resolution = NumberingResolution.get(NumberingResolution.company == company)
    form = page.locator("form[data-action='configure_voucher_type']")
    await form.locator("#resolution_id").select_option(str(resolution.id))
    await form.locator("#prefix").fill(resolution.prefix)
    await form.locator("#next_number").fill(str(resolution.range_from))
    await screenshots(page, "voucher-type")
    await form.locator("button[type=submit]").click()
    await expect(page.locator(".badge.status-completed")).to_have_count(1, timeout=30_000)
    await screenshots(page, "enabled")
    assert ProcessRecord.get_by_id(record.workflow_id).current_step == "enabled"

    # The process list shows it; then log out.
    await page.goto(console_url + "/admin/processrecord/")
    await expect(page.locator(f"a[href$='/admin/process/{record.workflow_id}']")).to_have_count(1)
    await screenshots(page, "process-list")
    await page.goto(console_url + "/admin/")
    await screenshots(page, "home-after")
    await page.click("#user-menu")
    await page.click("#logout")
    await expect(page).to_have_url(re.compile(r"/auth/login"))
    await screenshots(page, "logged-out")
    await page.goto(console_url + "/admin/company/")
    await expect(page).to_have_url(re.compile(r"/auth/login"))
