"""Staff invite the company; the company does its own steps through the link, in a fresh browser.

P1 stands at the loaned certificate's legal-representative step. Staff click
"Invitar a la empresa"; the company opens the mailed link without an account,
enters its legal representative, downloads the letter, uploads it signed and
continues; the process moves on to the test set. The audit log names the
company as the actor. A withdrawn link, an expired one, another process's
document and the link once the process has ended are refused. Screenshots
land in test-output/e2e/the_company_does_its_steps_through_the_link/.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest
from playwright.async_api import expect

from habilita.models import AuditEvent, CompanyInvitation, OutboxMessage, ProcessRecord
from habilita.workflows.certificate import CertificateActivation, CertificatePathChoice
from tests.workflows.test_einvoicing_end_to_end import ACTOR, register, start_p1

from .conftest import log_in
from .test_onboarding_in_the_browser import REPRESENTATIVE

pytestmark = pytest.mark.e2e

CONTACT = "contacto@laespiga.co"
LINK = re.compile(r"https?://\S+/empresa/[A-Za-z0-9_\-]+")


def newest_link(console_url: str) -> str:
    """The link of the last invitation mailed, on the test's console."""
    body = OutboxMessage.select().order_by(OutboxMessage.id.desc()).get().body
    link = LINK.search(body).group(0)
    return console_url + link[link.index("/empresa/"):]


async def at_representative(client, task_queue, company, settings, portal):
    handle = await start_p1(client, task_queue, company, settings)
    await register(handle, portal, company)
    child = client.get_workflow_handle(handle.id + "-certificate")
    for _ in range(100):
        if ProcessRecord.get_or_none(ProcessRecord.workflow_id == child.id):
            break
        await asyncio.sleep(0.1)
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "loan"))
    for _ in range(100):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == child.id)
        if record and record.current_step == "representative":
            break
        await asyncio.sleep(0.1)
    return handle


async def test_the_company_does_its_steps_through_the_link(
        console_url, browser_page, screenshots, staff, company, client, task_queue, settings, portal, tmp_path):
    company.email = CONTACT
    company.save()
    handle = await at_representative(client, task_queue, company, settings, portal)
    page = browser_page

    await log_in(page, console_url, staff)
    await page.goto(f"{console_url}/admin/process/{handle.id}")
    await expect(page.locator("#invite-email")).to_have_value(CONTACT)
    await page.click("#invite")
    await expect(page.locator(".alert-success")).to_contain_text(f"Invitación enviada a {CONTACT}")
    assert "/empresa/" not in await page.content(), "the link is shown only in the e-mail"
    await screenshots(page, "staff-invited")
    mail = OutboxMessage.get(OutboxMessage.recipient == CONTACT)
    assert "Panadería La Espiga SAS" in mail.subject and "No lo reenvíe" in mail.body
    link = newest_link(console_url)

    # The company, in a browser of its own, with no account.
    company_browser = await page.context.browser.new_context(locale="es-CO", accept_downloads=True)
    theirs = await company_browser.new_page()
    await theirs.goto(link)
    await expect(theirs.locator("#company-name")).to_have_text("Panadería La Espiga SAS")
    await screenshots(theirs, "company-page")
    form = theirs.locator("form[data-action='submit_representative']")
    for name, value in REPRESENTATIVE.items():
        await form.locator(f"#{name}").fill(value)
    await form.locator("#document_type").select_option("CC")
    await form.locator("#document_number").fill("52-123")  # refused at its field, in Spanish
    await form.locator("button[type=submit]").click()
    await expect(theirs.locator(".field-error[data-field='document_number']")).to_be_visible()
    await screenshots(theirs, "company-refused-at-field")
    form = theirs.locator("form[data-action='submit_representative']")
    await form.locator("#document_number").fill(REPRESENTATIVE["document_number"])
    await form.locator("button[type=submit]").click()
    await expect(theirs.locator(".alert-success")).to_contain_text("Recibido")

    async with theirs.expect_download() as download_info:
        await theirs.click("text=Carta de exoneración para firmar (PDF)")
    letter = tmp_path / "carta.pdf"
    await (await download_info.value).save_as(letter)
    assert letter.read_bytes().startswith(b"%PDF-")
    await theirs.locator("form[data-action='upload_signed_letter'] #upload").set_input_files(str(letter))
    await theirs.locator("form[data-action='upload_signed_letter'] button[type=submit]").click()
    await expect(theirs.locator(".alert-success")).to_contain_text("Recibido")
    await theirs.locator("form[data-action='continue_with_loan'] button[type=submit]").click()
    for _ in range(60):
        if ProcessRecord.get_by_id(handle.id).current_step == "test_set":
            break
        await theirs.wait_for_timeout(500)
    assert ProcessRecord.get_by_id(handle.id).current_step == "test_set", "the process moved on"
    await theirs.reload()
    await expect(theirs.locator("#nothing-to-do")).to_be_visible()
    await screenshots(theirs, "company-nothing-to-do")

    by_company = {e.action for e in AuditEvent.select().where(AuditEvent.actor == f"empresa:{CONTACT}")}
    assert {"submit_representative", "upload_signed_letter", "continue_with_loan"} <= by_company

    # Another process's document is not reachable through this link.
    other = await start_p1(client, task_queue, type(company).create(
        country="CO", tax_id="900555444", check_digit="3", legal_name="Otra SAS"), settings)
    answer = await theirs.goto(f"{link}/file/999999")
    assert answer.status == 404

    # Withdrawn: staff take it back and the link stops working.
    await page.reload()
    await page.click(".revoke-invitation")
    await expect(page.locator(".alert-success")).to_contain_text("Invitación retirada")
    answer = await theirs.goto(link)
    assert answer.status == 410
    await expect(theirs.locator("#link-refused")).to_contain_text("fue retirado")

    # Expired.
    await page.click("#invite")
    second = newest_link(console_url)
    newest = CompanyInvitation.select().order_by(CompanyInvitation.id.desc()).get()
    CompanyInvitation.update(expires_at=dt.datetime(2020, 1, 1)).where(CompanyInvitation.id == newest.id).execute()
    answer = await theirs.goto(second)
    assert answer.status == 410
    await expect(theirs.locator("#link-refused")).to_contain_text("venció")

    # A fresh link, then the process ends: the link no longer opens it.
    await page.click("#invite")
    third = newest_link(console_url)
    assert (await theirs.goto(third)).status == 200
    await handle.cancel()
    for _ in range(60):
        if ProcessRecord.get_by_id(handle.id).status == "cancelled":
            break
        await theirs.wait_for_timeout(500)
    answer = await theirs.goto(third)
    assert answer.status == 410
    await expect(theirs.locator("#link-refused")).to_contain_text("ya no tiene pasos")
    answer = await theirs.goto(console_url + "/empresa/" + "x" * 43)
    assert answer.status == 404
    await screenshots(theirs, "link-refused")
    await company_browser.close()
    await client.get_workflow_handle(other.id).terminate(reason="test over")
