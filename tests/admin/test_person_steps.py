"""Steps a person does from the page alone: accounts picked from the chart, dates from a calendar,
DIAN's sub-steps as buttons in order, the representative already given offered again, the issued
certificate shown."""
from __future__ import annotations

import dataclasses
import json

from habilita.activities.accounting import create_accounting_company
from habilita.activities.representatives import LegalRepresentative, seal_representative
from habilita.adapters.secrets_box import SecretBox
from habilita.console.processes.step_forms import form_class
from habilita.console.views.process_page import choice_buttons, prefilled
from habilita.dian.certificates import generate_test_ca, issue_certificate
from habilita.models import Representative, SigningCertificate
from habilita.models.accounting import IntegrationRequest
from habilita.processes import ACCOUNTING, ACCOUNTING_SYNC, CERTIFICATE, SUPPORT_DOCUMENT

from .conftest import sign_in

P3_ID = "accounting-CO-900123456"


def ledger_for(company):
    ledger = create_accounting_company(country="CO", tax_id="900123456", check_digit="8", name="Espiga contable",
                                       company=company)
    IntegrationRequest.create(workflow_id=P3_ID, company=company, accounting_company=ledger,
                              holder_tax_id="900123456", holder_check_digit="8", requested_by="a@b.co")
    return ledger


def test_the_chart_is_searched_by_code_or_name_and_browsed_level_by_level(app, users, company):
    ledger_for(company)
    browser = app.test_client()
    assert sign_in(browser, "auditor@habilita.test").status_code == 302  # reading: any role that sees processes

    top = browser.get(f"/admin/process/{P3_ID}/accounts.json").get_json()
    assert top and all(not a["postable"] and a["children"] for a in top), "the top level holds the classes"
    first = top[0]["code"]
    below = browser.get(f"/admin/process/{P3_ID}/accounts.json", query_string={"parent": first}).get_json()
    assert below and all(a["code"].startswith(first) for a in below)
    by_code = browser.get(f"/admin/process/{P3_ID}/accounts.json", query_string={"q": "4135"}).get_json()
    assert by_code and all(a["code"].startswith("4135") or "4135" in a["name"] for a in by_code)
    by_name = browser.get(f"/admin/process/{P3_ID}/accounts.json", query_string={"q": "Caja"}).get_json()
    assert any("Caja" in a["name"] for a in by_name)
    assert any(a["postable"] for a in by_name + by_code), "accounts that take postings can be picked"
    assert browser.get("/admin/process/einvoicing-CO-900123456/accounts.json").status_code == 404


def test_account_fields_are_pickers_and_dates_are_calendars(app):
    defaults = ACCOUNTING.action("default_accounts", "set_default_accounts")
    connect = ACCOUNTING.action("connect", "connect_and_sync")
    change = ACCOUNTING_SYNC.action("sync", "change_detail_account")
    with app.test_request_context():
        accounts = form_class(defaults)(formdata=None)
        dates = form_class(connect)(formdata=None)
        detail = form_class(change)(formdata=None)
        assert 'data-picker="account"' in accounts.sales_auxiliary() and 'data-picker="account"' in accounts.sales_vat()
        assert 'type="date"' in dates.date_from() and 'type="date"' in dates.date_to()
        assert 'data-picker="account"' in detail.account_code()


def test_dians_sub_steps_are_buttons_in_order_and_the_done_ones_are_ticked():
    action = SUPPORT_DOCUMENT.action("resolution", "confirm_dian_substep")

    @dataclasses.dataclass
    class Status:
        substeps_done: tuple = ()

    assert [(b.value, b.state) for b in choice_buttons(action, [Status()])] == [
        ("enable_support_document", "next"), ("request_resolution", "later"), ("associate_prefixes", "later")]
    assert [b.state for b in choice_buttons(action, [Status(("enable_support_document",))])] == [
        "done", "next", "later"]
    assert [f.name for f in dataclasses.fields(action.input_type)] == ["actor", action.buttons], \
        "a button sends its choice alone: the action has no other field to fill"


def test_the_legal_representative_given_before_is_offered_again(app, company):
    action = CERTIFICATE.action("representative", "submit_representative")
    given = LegalRepresentative(actor="a@b.co", full_name="Lucía Gómez", document_type="CC",
                                document_number="52123456", email="lucia@espiga.co", phone="3001234567",
                                position="Gerente")
    with app.app_context():
        box = app.extensions["habilita"].box
        assert prefilled(action, company.id) == {}
        Representative.create(company=company, sealed=seal_representative(box, given), source_key="p1:rep")
        offered = prefilled(action, company.id)
    assert offered["full_name"] == "Lucía Gómez" and offered["document_number"] == "52123456"
    with app.test_request_context():
        form = form_class(action)(formdata=None, data=offered)
        assert 'value="Lucía Gómez"' in form.full_name()


def test_the_process_page_shows_the_certificate_issued_for_the_company(app, users, company):
    from habilita.models import ProcessRecord

    ProcessRecord.create(workflow_id="einvoicing-CO-900123456", process_type="einvoicing", company=company,
                         current_step="test_set", status="running", waiting_on="")
    ca = generate_test_ca("Certicámara de Pruebas")
    issued = issue_certificate(ca=ca, nit="900123456", legal_name="Panadería La Espiga SAS")
    box = SecretBox(app.extensions["habilita"].settings.encryption_key)
    SigningCertificate.create(
        company=company, holder_nit="900123456", subject="Panadería La Espiga SAS",
        serial_number=format(issued.certificate.serial_number, "x"),
        not_before=issued.certificate.not_valid_before_utc.replace(tzinfo=None),
        not_after=issued.certificate.not_valid_after_utc.replace(tzinfo=None),
        cert_pem=issued.cert_pem().decode(),
        sealed_key=box.encrypt(b"not used here"), source_key="einvoicing-CO-900123456-certificate:own-certificate")
    browser = app.test_client()
    assert sign_in(browser, "auditor@habilita.test").status_code == 302
    page = browser.get("/admin/process/einvoicing-CO-900123456").get_data(as_text=True)
    assert "Emitido para la empresa" in page and "Emitido por: Certicámara de Pruebas" in page
    assert f"Número de serie: {format(issued.certificate.serial_number, 'x')}" in page
    assert "Vigente del " in page
