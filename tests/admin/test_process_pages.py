"""Process pages on the dev server: start, act through the workflow's update, read the projection."""
from __future__ import annotations

import asyncio

import pytest

from habilita.messages import Message
from habilita.messages.event_codes import EVENTS
from habilita.messages.stored import as_text
from habilita.console.messages import refused_problems
from habilita.models import AuditEvent, ProcessRecord

from .conftest import csrf_from, sign_in

TEST_SET_ID = "8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"
SOFTWARE_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def onboarding(live_app, users):
    browser = live_app.test_client()
    assert sign_in(browser, "onboarding@habilita.test").status_code == 302
    return browser


async def in_thread(call, *args, **kwargs):
    # The console is synchronous and its bridge waits on the worker, which
    # runs on this test's event loop: run each request off the loop.
    return await asyncio.to_thread(call, *args, **kwargs)


async def start_p1(browser, company) -> str:
    page = (await in_thread(browser.get, f"/admin/company/details/?id={company.id}")).get_data(as_text=True)
    answer = await in_thread(browser.post, "/admin/process/start", data={
        "csrf_token": csrf_from(page), "company_id": company.id, "process_type": "einvoicing"})
    assert answer.status_code == 302
    return answer.location.rsplit("/", 1)[-1]


async def registration(browser, workflow_id: str, **fields):
    page = (await in_thread(browser.get, f"/admin/process/{workflow_id}")).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "operation_mode": "own_software", "test_set_id": TEST_SET_ID,
            "software_id": SOFTWARE_ID, "pin": "12345", **fields}
    return await in_thread(browser.post, f"/admin/process/{workflow_id}/act/submit_dian_registration", data=data)


async def test_starting_p1_from_the_company_page_opens_its_first_step(onboarding, worker, company):
    workflow_id = await start_p1(onboarding, company)
    assert workflow_id == "einvoicing-CO-900123456"
    html = (await in_thread(onboarding.get, f"/admin/process/{workflow_id}")).get_data(as_text=True)
    assert 'data-action="submit_dian_registration"' in html
    assert f'href="/admin/history/{workflow_id}"' in html, "the page links to the full history"
    assert ProcessRecord.get_by_id(workflow_id).current_step == "dian_registration"
    assert AuditEvent.get(AuditEvent.action == "start process").actor == "onboarding@habilita.test"


async def test_a_second_start_of_the_same_process_is_refused(onboarding, worker, company):
    workflow_id = await start_p1(onboarding, company)
    page = (await in_thread(onboarding.get, f"/admin/company/details/?id={company.id}")).get_data(as_text=True)
    assert 'data-process="einvoicing"' not in page, "a company is offered only the processes it lacks"
    again = await in_thread(onboarding.post, "/admin/process/start", data={
        "csrf_token": csrf_from(page), "company_id": company.id, "process_type": "einvoicing"})
    assert again.location.endswith(f"/admin/process/{workflow_id}")
    assert AuditEvent.select().where((AuditEvent.action == "start process")
                                     & (AuditEvent.outcome == "refused")).count() == 1


async def test_the_validators_messages_are_shown_at_their_fields_and_nothing_moves(onboarding, worker, company):
    workflow_id = await start_p1(onboarding, company)
    before = ProcessRecord.get_by_id(workflow_id).version
    answer = await registration(onboarding, workflow_id, test_set_id="not-a-guid", pin="12")
    html = answer.get_data(as_text=True)
    assert 'data-field="test_set_id"' in html
    assert "debe ser un GUID como 1b2c3d4e-0000-4a5b-8c9d-0123456789ab, no «not-a-guid»" in html
    assert 'data-field="pin"' in html and "debe tener exactamente 5 dígitos" in html
    assert "exact_digits" not in html and "must be" not in html, "codes and English never reach the page"
    assert ProcessRecord.get_by_id(workflow_id).version == before
    refusal = AuditEvent.get((AuditEvent.action == "submit_dian_registration") & (AuditEvent.outcome == "refused"))
    assert [(p.field, p.code) for p in refused_problems(refusal.reason)] == [("test_set_id", "guid"), ("pin", "exact_digits")]
    history = (await in_thread(onboarding.get, f"/admin/process/{workflow_id}")).get_data(as_text=True)
    assert "PIN del software: debe tener exactamente 5 dígitos" in history, "the page's history words the refusal"


async def test_an_accepted_registration_moves_the_process_and_offers_the_certificate_step(onboarding, worker, company):
    workflow_id = await start_p1(onboarding, company)
    answer = await registration(onboarding, workflow_id)
    assert answer.status_code == 302
    for _ in range(100):
        html = (await in_thread(onboarding.get, f"/admin/process/{workflow_id}")).get_data(as_text=True)
        if 'data-action="choose_path"' in html:
            break
        await asyncio.sleep(0.1)
    assert 'data-action="choose_path"' in html, "the certificate child's first form is offered"
    assert f'/admin/process/{workflow_id}-certificate/act/choose_path' in html
    assert ProcessRecord.get_by_id(workflow_id).current_step == "certificate"


async def test_the_process_list_filters_exports_and_finds_by_id(onboarding, worker, company):
    workflow_id = await start_p1(onboarding, company)
    waiting = (await in_thread(onboarding.get, "/admin/processrecord/?flt0_2=waiting")).get_data(as_text=True)
    completed = (await in_thread(onboarding.get, "/admin/processrecord/?flt0_2=completed")).get_data(as_text=True)
    assert workflow_id in waiting and workflow_id not in completed
    # A streamed answer is read on the thread that made the request.
    csv = await in_thread(lambda: onboarding.get("/admin/processrecord/export/csv/").get_data(as_text=True))
    assert workflow_id in csv and "Panadería La Espiga SAS (900123456-8)" in csv
    found = await in_thread(onboarding.get, f"/admin/search?q={workflow_id}")
    assert found.location.endswith(f"/admin/process/{workflow_id}")


async def test_what_the_workflow_says_reads_in_spanish_and_never_as_a_code(onboarding, worker, company):
    workflow_id = await start_p1(onboarding, company)
    assert (await registration(onboarding, workflow_id, operation_mode="provider")).status_code == 302
    for _ in range(100):
        if ProcessRecord.get_by_id(workflow_id).current_step == "certificate":
            break
        await asyncio.sleep(0.1)
    # What the workflow writes about itself when it is late (no later step overwrites it while the child waits).
    ProcessRecord.update(last_error=as_text(Message("sla.exceeded_at", {
        "step": "certificate", "why": Message("sla.waiting_letter")}))).where(
        ProcessRecord.workflow_id == workflow_id).execute()

    html = (await in_thread(onboarding.get, f"/admin/process/{workflow_id}")).get_data(as_text=True)

    assert f"modo Software de un proveedor tecnológico, set de pruebas {TEST_SET_ID}" in html, "the audit detail"
    assert "ANS vencido en el paso Certificado digital: esperando la carta de exoneración firmada" in html
    assert not [code for code in EVENTS if code in html], "a message shows as its code"


def test_a_refusal_is_shown_at_its_fields_in_spanish_and_the_rest_above_the_form(app):
    from flask import get_flashed_messages

    from habilita.console.processes.step_forms import form_class
    from habilita.console.views.process_page import show_refusal
    from habilita.messages import Problem
    from habilita.processes import DECLARATIONS
    from habilita.processes.refusals import Refusal

    upload = DECLARATIONS["certificate"].action("signed_letter", "upload_signed_letter")
    with app.test_request_context():
        form = form_class(upload)(formdata=None)
        show_refusal(form, Refusal("InvalidInput", problems=[
            Problem("upload", "letter_too_large", {"size": "2,097,161", "limit": "1,048,576"}),
            Problem("sha256", "sha256_format")]))
        assert form.upload.errors == [
            "el archivo tiene 2,097,161 bytes; el límite es 1,048,576 bytes (1 MB): escanéelo con menor resolución"]
        assert get_flashed_messages() == [
            "Resumen SHA-256 del archivo cargado: el resumen SHA-256 del archivo cargado debe tener 64 caracteres "
            "hexadecimales", "Los datos no se guardaron. Revise los campos marcados."]
    with app.test_request_context():
        show_refusal(form, Refusal("WrongStep", problems=[
            Problem("", "wrong_step", {"action": "upload_signed_letter", "step": "payment"})]))
        assert get_flashed_messages() == ["El proceso ya no está en este paso; la página muestra ahora dónde está."]


async def test_a_terminated_process_s_page_says_why_and_where_support_restarts_it_and_offers_no_step_form(
        live_app, users, worker, company):
    support = live_app.test_client()
    assert sign_in(support, "support@habilita.test").status_code == 302
    browser = live_app.test_client()
    assert sign_in(browser, "onboarding@habilita.test").status_code == 302
    workflow_id = await start_p1(browser, company)
    ProcessRecord.update(status="terminated", waiting_on="", last_error=as_text(
        Message("health.terminated", {"by": "ops@temporal", "reason": "limpieza"}))).where(
        ProcessRecord.workflow_id == workflow_id).execute()

    html = (await in_thread(browser.get, f"/admin/process/{workflow_id}")).get_data(as_text=True)

    assert 'data-health="failed"' in html
    assert "terminado fuera de la consola por ops@temporal: limpieza" in html, html[html.find("process-health"):][:600]
    assert "/admin/support/?signal=process_failed" in html
    assert "data-action=" not in html, "an ended process offers no step form"
    assert "El sistema está trabajando en este paso" not in html
