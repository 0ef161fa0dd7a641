"""Companies: the tax id is checked at its field, and every save is audited."""
from __future__ import annotations

from habilita.console.messages import refused_problems
from habilita.messages import Problem
from habilita.models import AuditEvent, Company, utcnow

from .conftest import csrf_from


def submit_company(browser, **fields):
    page = browser.get("/admin/company/new/").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "country": "CO", "tax_id": "900123456", "check_digit": "8",
            "legal_name": "Panadería La Espiga SAS", "email": "", "phone": "", "city": "Bogotá", **fields}
    return browser.post("/admin/company/new/", data=data)


def test_a_wrong_check_digit_is_shown_at_the_tax_id_field_and_nothing_is_saved(as_role):
    answer = submit_company(as_role("onboarding"), check_digit="1")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "el dígito de verificación del NIT 900123456 es 8, no 1" in html
    assert Company.select().count() == 0
    refusal = AuditEvent.get(AuditEvent.action == "create company")
    assert (refusal.outcome, refusal.actor) == ("refused", "onboarding@habilita.test")
    assert refused_problems(refusal.reason) == [Problem("tax_id", "tax_id_check_digit", {
        "kind": "NIT", "number": "900123456", "expected": "8", "given": "1"})]


def test_the_audit_log_shows_a_refused_save_in_the_readers_words(as_role):
    submit_company(as_role("onboarding"), check_digit="1")
    log = as_role("auditor").get("/admin/auditevent/").get_data(as_text=True)
    assert "NIT/RUT: el dígito de verificación del NIT 900123456 es 8, no 1" in log
    assert "tax_id_check_digit" not in log, "the stored code is never shown"


def test_a_valid_company_is_created_and_audited(as_role):
    answer = submit_company(as_role("onboarding"))
    assert answer.status_code == 302
    company = Company.get(Company.tax_id == "900123456")
    assert company.legal_name == "Panadería La Espiga SAS"
    assert AuditEvent.get(AuditEvent.action == "create company").target_id == str(company.id)


def test_a_locked_tax_id_cannot_be_edited_and_the_reason_is_shown(as_role, company):
    Company.update(tax_id_locked_at=utcnow(), tax_id_locked_reason="DIAN ties the enablement to this NIT").execute()
    browser = as_role("onboarding")
    page = browser.get(f"/admin/company/edit/?id={company.id}").get_data(as_text=True)
    answer = browser.post(f"/admin/company/edit/?id={company.id}", data={
        "csrf_token": csrf_from(page), "country": "CO", "tax_id": "800197268", "check_digit": "4",
        "legal_name": company.legal_name, "email": "", "phone": "", "city": ""})
    assert "DIAN ties the enablement to this NIT" in answer.get_data(as_text=True)
    assert Company.get_by_id(company.id).tax_id == "900123456"


def test_the_lock_p1_writes_reads_in_spanish_on_the_refusal_and_the_companys_page(as_role, company):
    from habilita.workflows.einvoicing import NIT_LOCK_REASON

    Company.update(tax_id_locked_at=utcnow(), tax_id_locked_reason=NIT_LOCK_REASON).execute()
    browser = as_role("onboarding")
    page = browser.get(f"/admin/company/edit/?id={company.id}").get_data(as_text=True)
    answer = browser.post(f"/admin/company/edit/?id={company.id}", data={
        "csrf_token": csrf_from(page), "country": "CO", "tax_id": "800197268", "check_digit": "4",
        "legal_name": company.legal_name, "email": "", "phone": "", "city": ""}).get_data(as_text=True)
    details = browser.get(f"/admin/company/details/?id={company.id}").get_data(as_text=True)

    spanish = "la DIAN vincula la habilitación de facturación electrónica a este NIT desde que comenzó su set de pruebas"
    assert f"el NIT/RUT ya no puede cambiar: {spanish}" in answer
    assert spanish in details
    assert "tax_id_locked_by_test_set" not in answer + details, "the stored code is never shown"
    assert Company.get_by_id(company.id).tax_id == "900123456"


def test_the_company_search_finds_by_name_and_by_tax_id(as_role, company):
    browser = as_role("auditor")
    assert "Panadería La Espiga" in browser.get("/admin/company/?search=Espiga").get_data(as_text=True)
    by_tax_id = browser.get("/admin/search?q=900123456")
    assert by_tax_id.location.endswith(f"/admin/company/details/?id={company.id}")


def test_the_company_forms_save_in_the_consoles_words(as_role, company):
    browser = as_role("onboarding")
    for url in ("/admin/company/new/", f"/admin/company/edit/?id={company.id}"):
        html = browser.get(url).get_data(as_text=True)
        assert 'id="save" value="Guardar"' in html and "Guardar y seguir editando" in html, url
        assert "Salvar" not in html, url


def test_save_and_add_another_brings_back_an_empty_form(as_role):
    browser = as_role("onboarding")
    page = browser.get("/admin/company/new/").get_data(as_text=True)
    answer = browser.post("/admin/company/new/", data={
        "csrf_token": csrf_from(page), "country": "CO", "tax_id": "900123456", "check_digit": "8",
        "legal_name": "Panadería La Espiga SAS", "email": "", "phone": "", "city": "", "_add_another": "Guardar y crear otro"})
    assert answer.status_code == 302 and "/admin/company/new/" in answer.headers["Location"]
    assert Company.select().count() == 1
