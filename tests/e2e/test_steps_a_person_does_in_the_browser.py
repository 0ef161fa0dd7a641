"""Steps a person does in the browser with only what they know: names, dates, the choices on the page.

- P3 from the company's page to a finished sync: the holder's NIT typed, the accounting company accepted
  by its name, each default account found in the chart by a piece of its name or code (one by browsing
  the chart level by level), the range picked with the date inputs; the page then says "Conectado" and
  what the sync posted, and an overlapping range is refused at its field naming the dates already synced.
- The buy path of P1's certificate: "Certificado propio" chosen, paid at the seller's checkout (the
  billing simulator), the payment checked again, the representative given; the process page shows the
  certificate the CA issued: for the company, its issuer, serial number and validity.
- P2's resolution step: DIAN's three sub-steps are buttons, clicked in order after each is done at DIAN's
  portal (the simulator); each is ticked once done and the later ones stay disabled before their turn.

Every text checked is the Spanish the page shows. Screenshots land in test-output/e2e/<test>/.
"""
from __future__ import annotations

import re

import pytest
import requests
from cryptography import x509
from cryptography.x509.oid import NameOID
from playwright.async_api import Page, expect

from habilita.activities.accounting import create_accounting_company
from habilita.demo.accounting import generate_documents
from habilita.models import ProcessRecord
from tests.accounting.conftest import FIRST_DAY
from tests.workflows.test_support_document import complete_p1

from .conftest import log_in, reload_until

pytestmark = pytest.mark.e2e

LEDGER_NAME = "Espiga Contable SAS"
DOCUMENTS, DAYS = 60, 360
SUB_STEPS = ("Habilitó el documento soporte en la DIAN", "Solicitó la resolución en la DIAN",
             "Asoció los prefijos en la DIAN")


async def until_shown(page: Page, selector: str, text: str, seconds: float = 60) -> None:
    """Reload the page until ``selector`` shows ``text`` (the workflow moves on its own)."""
    if await reload_until(page, page.locator(selector).filter(has_text=text), seconds):
        return
    stands = [(r.workflow_id, r.current_step, r.status, r.last_error[:200]) for r in ProcessRecord.select()]
    raise AssertionError(f"{selector} never showed {text!r}; the processes stand at {stands}")


async def until_field(page: Page, label: str, seconds: float = 30) -> None:
    """Reload the page until it asks for ``label``: a step carried out by a child is current in the parent
    a moment before the child waits at its first form."""
    if not await reload_until(page, page.get_by_label(label, exact=True), seconds):
        raise AssertionError(f"the page never asked for {label!r}")


async def until_step(page: Page, words: str) -> None:
    """Until the current step of the stepper is the one called ``words``."""
    await until_shown(page, "li[aria-current='step'] .step-title", words)
    await expect(page.locator("li[aria-current='step'] .step-title")).to_have_text(words)


async def start_from_the_company_page(page: Page, console_url: str, company, process: str, screenshots) -> None:
    """Empresas › the company's name › "Iniciar: <process>"."""
    await page.goto(console_url + "/admin/")
    await page.get_by_role("link", name="Empresas", exact=True).click()
    await page.get_by_role("link", name=company.legal_name).first.click()
    await screenshots(page, "company")
    await page.get_by_role("button", name=f"Iniciar: {process}").click()
    await expect(page.locator(".alert-success")).to_contain_text(f"Proceso iniciado para {company.legal_name}.")


async def pick_account(page: Page, field: str, typed: str, shown: str) -> None:
    """Type part of an account's name or code in the field ``field``; click the suggestion that reads ``shown``."""
    box = page.get_by_label(field, exact=True)
    await box.press_sequentially(typed, delay=20)
    await page.get_by_role("button", name=shown, exact=True).click()
    await expect(box).to_have_value(shown.split(" — ")[0])


def fact(page: Page, label: str):
    """The value the aside "Lo que sabe el proceso" shows under ``label``."""
    return page.locator(".facts dt", has_text=re.compile(f"^{re.escape(label)}$")).locator("xpath=following-sibling::dd[1]")


async def test_p3_from_request_to_a_finished_sync(console_url, browser_page, screenshots, staff, company):
    page = browser_page
    create_accounting_company(country="CO", tax_id=company.tax_id, check_digit=company.check_digit, name=LEDGER_NAME)
    generate_documents(company, count=DOCUMENTS, first_day=FIRST_DAY, days=DAYS)
    # generate_documents spreads document n over the days: those of January to June 2024 (182 days).
    first_half = sum(1 for n in range(DOCUMENTS) if n * DAYS // DOCUMENTS < 182)
    await log_in(page, console_url, staff)
    await start_from_the_company_page(page, console_url, company, "Integración contable", screenshots)
    await until_step(page, "Solicitud")
    await screenshots(page, "request")
    # Nothing to hide before a search found several accounting companies: no form that asks for an id.
    await expect(page.get_by_role("button", name="Ocultar esta empresa contable")).to_have_count(0)
    await expect(page.get_by_label("Empresa contable")).to_have_count(0)

    # 1. The holder's NIT and check digit, as on its RUT.
    await page.get_by_label("NIT/RUT del titular del contrato").fill(company.tax_id)
    await page.get_by_label("Dígito de verificación del NIT o RUT del titular (DV)").fill(company.check_digit)
    await page.get_by_role("button", name="Solicitar la integración").click()
    await until_step(page, "Aceptación")
    await expect(page.locator(".history")).to_contain_text(
        f"titular NIT {company.display_tax_id}: {LEDGER_NAME} ({company.display_tax_id})")
    await screenshots(page, "accept")

    # 2. Accept: the accounting company offered by its name.
    await page.get_by_label("Empresa contable").select_option(label=LEDGER_NAME)
    await page.get_by_role("button", name="Aceptar la integración").click()
    await until_step(page, "Cuentas por defecto")
    await expect(page.locator(".history")).to_contain_text(f"integrada con {LEDGER_NAME}")
    await expect(fact(page, "Cuentas en el plan de cuentas")).to_have_text("762")
    await screenshots(page, "default-accounts")

    # 3. Each default account found in the chart by a piece of its name or code...
    await pick_account(page, "Ventas: cuenta auxiliar", "Clientes", "130500 — Clientes")
    await pick_account(page, "Ventas: cuenta de detalle", "4135", "413500 — Comercio al por mayor y al por menor")
    await screenshots(page, "an-account-searched")
    # ... and one by browsing the chart level by level: Pasivo › Proveedores › Nacionales › 220500.
    purchases = page.locator(".form-group", has=page.get_by_label("Compras: cuenta auxiliar", exact=True))
    await purchases.get_by_role("button", name="Ver el plan de cuentas").click()
    for level in ("2 — Pasivo", "22 — Proveedores", "2205 — Nacionales"):
        await purchases.get_by_role("button", name=re.compile(f"^{level} \\(un grupo")).click()
    await expect(purchases.get_by_role("button", name="↑ Subir un nivel")).to_be_visible()
    await screenshots(page, "the-chart-browsed")
    await purchases.get_by_role("button", name="220500 — Nacionales", exact=True).click()
    await expect(page.get_by_label("Compras: cuenta auxiliar", exact=True)).to_have_value("220500")
    await pick_account(page, "Compras: cuenta de detalle", "mercanc", "620500 — De mercancías")
    await pick_account(page, "Cuenta de pagos (opcional)", "Moneda nacional", "111005 — Moneda nacional")
    await pick_account(page, "Cuenta de recaudos (opcional)", "Caja general", "110505 — Caja general")
    await pick_account(page, "Cuenta de IVA en ventas (opcional)", "IVA generado", "240805 — IVA generado")
    await pick_account(page, "Cuenta de IVA en compras (opcional)", "2408", "240810 — IVA descontable")
    await screenshots(page, "default-accounts-picked")
    await page.get_by_role("button", name="Guardar las cuentas por defecto").click()
    await until_step(page, "Conexión")
    await expect(fact(page, "Compras: cuenta auxiliar")).to_have_text("220500")

    # 4. The range from the date inputs; the sync runs by itself and the page says what it posted.
    await page.get_by_label("Desde").fill("2024-01-01")
    await page.get_by_label("Hasta").fill("2024-06-30")
    await screenshots(page, "range-picked")
    await page.get_by_role("button", name="Conectar y sincronizar").click()
    await expect(page.locator(".alert-success")).to_contain_text("Hecho: conectó e inició una sincronización.")
    await screenshots(page, "sync-started")
    await until_step(page, "Conectado")
    said = (f"se contabilizaron {first_half} documentos del 2024-01-01 al 2024-06-30; "
            "0 ya estaban contabilizados y 0 no se pueden contabilizar")
    await expect(page.locator(".history")).to_contain_text(f"sincronizó un rango de fechas {said}")
    await expect(fact(page, "Mensaje")).to_have_text(said)
    await expect(fact(page, "Contabilizados")).to_have_text(str(first_half))
    await expect(fact(page, "Rangos sincronizados")).to_contain_text(
        f"Desde: 2024-01-01, Hasta: 2024-06-30, Contabilizados: {first_half}, Sincronizado por: {staff.email}")
    await expect(page.locator(".facts")).not_to_contain_text("(id)")
    await screenshots(page, "connected")

    # Another range that overlaps the synced one: refused at its field, naming the synced dates.
    await page.get_by_label("Desde").fill("2024-06-01")
    await page.get_by_label("Hasta").fill("2024-12-31")
    await page.get_by_role("button", name="Conectar y sincronizar").click()
    refusal = page.locator(".form-group", has=page.get_by_label("Desde")).locator(".field-error")
    await expect(refusal).to_contain_text("el rango se cruza con el del 2024-01-01 al 2024-06-30, sincronizado el ")
    await expect(refusal).to_contain_text(f"por {staff.email} ({first_half} documentos contabilizados allí)")
    await expect(page.locator(".alert-danger")).to_contain_text("Los datos no se guardaron. Revise los campos marcados.")
    await expect(page.locator("li[aria-current='step'] .step-title")).to_have_text("Conectado")
    await screenshots(page, "overlap-refused-at-its-field")
    record = ProcessRecord.get(ProcessRecord.process_type == "accounting")
    assert (record.current_step, record.status) == ("connected", "waiting")


async def test_the_company_buys_its_certificate(console_url, browser_page, screenshots, staff, company, portal,
                                                billing_simulator):
    page = browser_page
    await log_in(page, console_url, staff)
    await start_from_the_company_page(page, console_url, company, "Facturación electrónica", screenshots)
    await until_step(page, "Registro en la DIAN")

    # What DIAN's portal gave the company at registration, typed in.
    registration = portal.register(company.tax_id, company.legal_name, mode="own")
    await page.get_by_label("Modo de operación").select_option(label="Software propio")
    await page.get_by_label("Identificador del set de pruebas (TestSetId)").fill(registration["test_set_id"])
    await page.get_by_label("Identificador del software").fill(registration["software_id"])
    await page.get_by_label("PIN del software").fill(registration["pin"])
    await page.get_by_role("button", name="Guardar el registro en la DIAN").click()
    await until_step(page, "Certificado digital")
    await until_field(page, "Certificado")
    await screenshots(page, "choose-the-certificate")

    # Buy: "Certificado propio (lo compra la empresa)"; the process waits for the company's payment.
    await page.get_by_label("Certificado", exact=True).select_option(label="Certificado propio (lo compra la empresa)")
    await page.get_by_role("button", name="Elegir el certificado").click()
    await until_shown(page, ".sub-step", "Pago · Espera a: La empresa")
    await expect(fact(page, "Pagado")).to_have_text("No")
    await expect(fact(page, "Mensaje")).to_contain_text("sin pagar: el certificado cuesta $ ")
    await expect(fact(page, "Mensaje")).to_contain_text("tiene una vigencia de 365 días")
    await screenshots(page, "payment-pending")

    # The company pays at the seller's checkout; staff check the payment again.
    requests.post(f"{billing_simulator}/certificate-payments/{company.tax_id}", timeout=10).raise_for_status()
    await page.get_by_role("button", name="Verificar de nuevo el pago").click()
    await expect(page.locator(".alert-info")).to_contain_text("el certificado ya está pagado")
    await until_shown(page, ".sub-step", "Representante legal")
    await screenshots(page, "paid")

    # The legal representative the CA verifies; then the CA issues the company's certificate.
    await page.get_by_label("Nombre completo").fill("Ana María Gómez")
    await page.get_by_label("Tipo de documento").select_option(label="CC — cédula de ciudadanía")
    await page.get_by_label("Número de documento").fill("52123456")
    await page.get_by_label("Correo electrónico").fill("ana@laespiga.co")
    await page.get_by_label("Teléfono").fill("3001234567")
    await page.get_by_label("Cargo").fill("Gerente general")
    await page.get_by_role("button", name="Guardar el representante legal").click()
    await until_step(page, "Set de pruebas")
    await expect(page.locator("li[data-step='certificate'] .step-number")).to_have_text("✓")

    # The page shows what the CA issued: for the company, by whom, its serial and its validity.
    (issued,) = requests.get(f"{billing_simulator}/_issued", timeout=10).json()["certificates"]
    certificate = x509.load_pem_x509_certificate(issued["cert_pem"].encode())
    issuer = certificate.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    shown = page.locator(".certificates .certificate")
    await expect(page.get_by_role("heading", name="Certificado digital")).to_be_visible()
    await expect(shown).to_have_count(1)
    await expect(shown).to_contain_text("Emitido para la empresa")
    await expect(shown).to_contain_text(f"Titular: {company.legal_name}")
    await expect(shown).to_contain_text(f"Emitido por: {issuer}")
    await expect(shown).to_contain_text(f"Número de serie: {issued['serial_number']}")
    await expect(shown).to_contain_text(
        f"Vigente del {certificate.not_valid_before_utc:%d/%m/%Y} al {certificate.not_valid_after_utc:%d/%m/%Y}")
    await screenshots(page, "certificate-issued")


def sub_step(page: Page, words: str):
    """The button of one of DIAN's sub-steps, by its words (ticked with ✓ once done)."""
    return page.get_by_role("button", name=re.compile(rf"^(✓ )?{re.escape(words)}$"))


async def test_dians_sub_steps_are_clicked_in_order(console_url, browser_page, screenshots, staff, company, client,
                                                    task_queue, portal, settings, tmp_path):
    await complete_p1(client, task_queue, company, portal, settings)  # enabled: P2 starts at its certificate
    page = browser_page
    await log_in(page, console_url, staff)
    await start_from_the_company_page(page, console_url, company, "Documento soporte", screenshots)

    # The provider's certificate for support documents: the representative given in P1 is offered again.
    await until_shown(page, ".sub-step", "Representante legal")
    await expect(page.get_by_label("Nombre completo")).to_have_value("Ana María Gómez")
    await screenshots(page, "representative-offered-again")
    await page.get_by_role("button", name="Guardar el representante legal").click()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Carta de exoneración para firmar (PDF)").click()
    letter = tmp_path / "carta-firmada.pdf"
    await (await download_info.value).save_as(letter)
    await page.get_by_label("Carta firmada, escaneada (PDF, máximo 1 MB)").set_input_files(str(letter))
    await page.get_by_role("button", name="Cargar la carta firmada").click()
    await page.get_by_role("button", name="Continuar").click()
    await until_step(page, "Confirmación del certificado")
    await screenshots(page, "certificate-confirmation")
    await page.get_by_role("button", name="La empresa ya tiene el certificado del proveedor").click()
    await until_step(page, "Resolución")
    for english in ("Started at step", "Step number", "Substeps done"):
        await expect(page.locator(".facts")).not_to_contain_text(english)
    await expect(fact(page, "Comenzó en el paso")).to_have_text("2")

    # DIAN's sub-steps, one button each, in order: only the next one can be clicked.
    enable, request, associate = (sub_step(page, words) for words in SUB_STEPS)
    await expect(enable).to_be_enabled()
    await expect(request).to_be_disabled()
    await expect(associate).to_be_disabled()
    await screenshots(page, "resolution-sub-steps")

    portal.enable_support_document(company.tax_id)  # done at DIAN's portal first, then told here
    await enable.click()
    await expect(page.locator(".alert-success")).to_contain_text("Hecho: confirmó un subpaso hecho en la DIAN.")
    await expect(enable).to_have_text(f"✓ {SUB_STEPS[0]}")
    await expect(enable).to_be_disabled()
    await expect(request).to_be_enabled()
    await expect(associate).to_be_disabled()
    await expect(page.locator(".history")).to_contain_text("habilitó el documento soporte en la DIAN")
    await screenshots(page, "enabled-at-dian-ticked")

    portal.request_test_resolution(company.tax_id, kind="support_document")
    await request.click()
    # DIAN lists no support-document range until its prefix is associated: the page says so.
    await expect(page.locator(".alert-info")).to_contain_text(
        f"Registrado: {SUB_STEPS[1]}. La DIAN aún no tiene un rango de numeración para la empresa")
    await expect(enable).to_have_text(f"✓ {SUB_STEPS[0]}")
    await expect(request).to_have_text(f"✓ {SUB_STEPS[1]}")
    await expect(request).to_be_disabled()
    await expect(associate).to_be_enabled()
    await expect(fact(page, "Subpasos hechos en la DIAN")).to_have_text(f"{SUB_STEPS[0]}; {SUB_STEPS[1]}")
    await screenshots(page, "resolution-requested-ticked")

    portal.associate_prefix(company.tax_id, "SEDS")
    await associate.click()
    await expect(page.locator(".alert-info")).to_contain_text(f"Registrado: {SUB_STEPS[2]}. La DIAN registra: SEDS ")
    await screenshots(page, "prefixes-associated")
    await until_step(page, "Tipo de comprobante")
    await expect(page.locator("li[data-step='resolution'] .step-number")).to_have_text("✓")
    await expect(fact(page, "Subpasos hechos en la DIAN")).to_have_text("; ".join(SUB_STEPS))
    await expect(page.locator(".history")).to_contain_text("asoció los prefijos en la DIAN")
    # The next step offers the synced resolution by what DIAN registered, not by an id.
    await expect(page.get_by_label("Resolución", exact=True).locator("option", has_text="SEDS · ")).to_have_count(1)
    await screenshots(page, "voucher-type-next")
