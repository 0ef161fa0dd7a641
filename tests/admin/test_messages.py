"""What the workflows say reaches the console in Spanish: after an action, on a step, in the history."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from habilita.console.messages import say, shown
from habilita.console.processes.labels import document_status_label
from habilita.messages import Message
from habilita.messages.catalog import render
from habilita.messages.event_codes import EVENTS
from habilita.messages.locale import gettext_for, translations
from habilita.messages.stored import as_text, from_text

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture
def spanish(app):
    with app.test_request_context():
        yield


def recorded(substep: str, rest: Message) -> Message:
    return Message("substep.recorded", {"substep": substep, "rest": rest})


@pytest.mark.parametrize("message, spanish_text", [
    (Message("voucher_types.creating_invoicing", {"prefix": "SETT"}),
     "Creando los tipos de comprobante de factura, nota crédito y nota débito con el prefijo SETT."),
    (Message("numbering.listed", {"ranges": [
        Message("numbering.range", {"prefix": "SETT", "first": 990000000, "last": 995000000, "number": "18760000001"}),
        Message("numbering.range", {"prefix": "SETP", "first": 1, "last": 5000, "number": "18760000002"})]}),
     "La DIAN registra: SETT 990000000-995000000 (resolución 18760000001), SETP 1-5000 (resolución 18760000002)"),
    (Message("numbering.no_range", {"answer": "301 sin rangos"}),
     "La DIAN aún no tiene un rango de numeración para la empresa (301 sin rangos): siga esperando"),
    # DIAN's answer is a message too: its operation code and its own (Spanish) words as data.
    (Message("numbering.no_range", {"answer": Message("numbering.dian_answer", {
        "operation": "301", "description": "No se encontraron numeraciones para el NIT."})}),
     "La DIAN aún no tiene un rango de numeración para la empresa (301: No se encontraron numeraciones para el NIT.)"),
    (Message("numbering.no_range", {"answer": Message("numbering.no_new_support_range", {"operation": "301"})}),
     ("La DIAN aún no tiene un rango de numeración para la empresa (301: la DIAN aún no registra ningún rango nuevo "
      "de documento soporte)")),
    (Message("unpostable.period_closed", {"date": "2023-12-31", "closed": "2023-12-31"}),
     "el periodo del 2023-12-31 está cerrado (libros cerrados hasta el 2023-12-31)"),
    (Message("notice.sla_exceeded", {"what": Message("sla.waiting_payment")}),
     "ANS vencido: esperando el pago del certificado"),
    (Message("notice.enabled"), "Lista para facturar electrónicamente"),
    # A sub-step is a machine name: it reads as the form names it; the rest is a message of its own.
    (recorded("enable_support_document", Message("support_document.wait_for_dian")),
     "Registrado: Habilitó el documento soporte en la DIAN. La DIAN necesita tiempo"),
    (Message("test_set.nit_locked", {"nit": "900123456-8"}),
     "El set de pruebas usa el NIT 900123456-8: desde entonces el NIT de la empresa no puede cambiar"),
    (Message("sla.exceeded_at", {"step": "dian_enablement", "why": Message("support_document.enable_at_dian")}),
     "ANS vencido en el paso Documento soporte en la DIAN: Habilite el documento soporte"),
])
def test_a_workflow_message_reads_in_spanish(spanish, message, spanish_text):
    assert say(message).startswith(spanish_text)


@pytest.mark.parametrize("stored, spanish_text", [
    (as_text(Message("audit.registration", {"mode": "provider", "test_set": "8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"})),
     "modo Software de un proveedor tecnológico, set de pruebas 8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"),
    # The console's own rows add the address after the detail.
    (as_text(Message("audit.process_for", {"process": "einvoicing", "tax_id": "900123456-8"})) + " · 127.0.0.1",
     "Facturación electrónica para 900123456-8 · 127.0.0.1"),
    (as_text(Message("audit.resolution", {"prefix": "SETT", "number": "18760000001"})), "SETT, resolución 18760000001"),
    (as_text(Message("notice.payment_due")), "Su certificado digital aún no está pagado"),
])
def test_a_stored_message_reads_in_spanish(spanish, stored, spanish_text):
    assert shown(stored).startswith(spanish_text)


def test_a_refused_update_reads_in_spanish_each_field_as_the_form_names_it(spanish):
    from habilita.console.messages import refusal_reason, refused_problems, shown
    from habilita.messages import Problem

    problems = [Problem("test_set_id", "guid", {"value": "x", "example": "1b2c3d4e-0000-4a5b-8c9d-0123456789ab"}),
                Problem("pin", "exact_digits", {"digits": 5}),
                Problem("", "wrong_step", {"action": "start_test_set", "step": "dian_registration"})]
    stored = refusal_reason(problems)

    assert refused_problems(stored) == problems
    expected = ("Identificador del set de pruebas (TestSetId): debe ser un GUID como "
                "1b2c3d4e-0000-4a5b-8c9d-0123456789ab, no «x»; PIN del software: debe tener exactamente 5 dígitos; "
                "«Iniciar el set de pruebas» no es posible ahora: el proceso está en el paso Registro en la DIAN")
    assert shown(stored) == expected
    assert shown("role does not allow it") == "role does not allow it", "plain reasons stay as stored"


def test_a_problem_names_machine_values_in_the_readers_words(spanish):
    from habilita.console.messages import say
    from habilita.messages import Problem

    assert say(Problem("operation_mode", "one_of", {"choices": ["own_software", "provider"]})) == (
        "elija una de estas opciones: Software propio, Software de un proveedor tecnológico")
    assert say(Problem("sales_detail", "account_not_postable", {"code": "4135", "name": "Comercio", "level": "account"})
               ) == ("la cuenta 4135 (Comercio) es de nivel cuenta, un título que no recibe movimientos; "
                     "elija una cuenta de debajo que sí los reciba")
    assert say(Problem("code", "account_code_length", {"code": "4135001", "length": 7, "lengths": [
        {"code": "digits_level", "params": {"digits": 1, "level": "class"}},
        {"code": "digits_level", "params": {"digits": 6, "level": "subaccount"}}]})) == (
        "el código de cuenta 4135001 tiene 7 dígitos; los códigos tienen 1 (clase), 6 (subcuenta)")


def test_plain_text_in_a_column_is_shown_as_stored(spanish):
    # Rows written before messages were codes, and what a person typed, are never parsed.
    assert shown("note: a message nobody translated") == "note: a message nobody translated"
    assert shown("SLA exceeded: waiting for the certificate payment") == "SLA exceeded: waiting for the certificate payment"
    assert shown('{"not": "a message"}') == '{"not": "a message"}'
    assert shown("") == ""


def test_a_message_keeps_its_code_and_parameters_in_a_text_column():
    message = Message("sla.exceeded_for", {"what": Message("sla.waiting_letter"), "sla": "5 d"})
    assert from_text(as_text(message)) == Message("sla.exceeded_for", {
        "what": {"code": "sla.waiting_letter", "params": {}}, "sla": "5 d"})
    assert from_text("the signed letter was deleted") is None


def test_dian_document_statuses_read_in_spanish(spanish):
    assert [document_status_label(s) for s in ("accepted", "rejected", "sent")] == ["aceptado", "rechazado", "enviado"]


def test_what_support_did_reads_in_spanish_in_the_history(spanish):
    from habilita.console.processes.labels import action_label

    assert action_label("support: retry now") == "soporte: reintentó ya"
    assert action_label("support: skip test_set") == "soporte: omitió el paso Set de pruebas"
    assert action_label("support: reset to voucher_type") == "soporte: reinició en el paso Tipo de comprobante"


@pytest.mark.parametrize("message, spanish_text", [
    (Message("timeline.step_started", {"step": "test_set"}), "comenzó el paso Set de pruebas"),
    (Message("timeline.waiting_on", {"who": "staff"}), "esperando a: Nuestro equipo"),
    (Message("timeline.round_report_open", {"accepted": 58, "total": 60, "rejected": 2, "pending": 0}),
     "La DIAN aceptó 58/60 documentos (rechazados: 2, aún en proceso: 0)"),
    (Message("timeline.update_rejected", {"update": "upload_signed_letter", "actor": "ana@example.co",
                                          "error": "file is 2.1 MB; at most 1 MB"}),
     "ana@example.co: «Cargar la carta firmada» rechazado: file is 2.1 MB"),
    (Message("timeline.update_accepted_with", {
        "update": "skip_step", "actor": "sofia@example.co",
        "inputs": [Message("timeline.input_step", {"step": "certificate_confirmation"}),
                   Message("timeline.input_reason", {"reason": "DIAN approved by phone"})]}),
     "sofia@example.co: «Skip step» aceptado, paso Confirmación del certificado, motivo DIAN approved by phone"),
    (Message("timeline.update_accepted", {"update": "provide", "actor": Message("timeline.unknown_actor")}),
     "desconocido: «Provide» aceptado"),
    (Message("timeline.child_started", {"type": "CertificateActivation", "id": "einvoicing-1-certificate"}),
     "inició el subproceso CertificateActivation (einvoicing-1-certificate)"),
    (Message("stuck.sla_overrun", {"who": "staff", "waited": "3 d 1 h", "sla": "3 d"}),
     "esperando a Nuestro equipo desde hace 3 d 1 h (ANS 3 d)"),
])
def test_a_timeline_line_reads_in_spanish(spanish, message, spanish_text):
    assert say(message).startswith(spanish_text)


def test_what_a_support_action_answers_reads_in_spanish(spanish):
    skip_refused = Message("support.refused", {"problems": [Message("support.field_problem", {
        "field": "step", "problem": Message("step_not_skippable", {"step": "test_set",
                                                                   "steps": ["certificate_confirmation"]})})]})
    assert say(skip_refused) == ("el proceso lo rechazó: Paso: el paso «Set de pruebas» no se puede omitir; "
                                 "pasos que se pueden omitir: Confirmación del certificado")
    reset = Message("support.reset", {"step": "voucher_type", "event": 42, "run": "r-2",
                                      "reapplied": [Message("support.reapplied_signals")]})
    assert say(reset) == ("reiniciado en el paso Tipo de comprobante (evento 42); nueva ejecución r-2; "
                          "se volvieron a aplicar: señales")
    assert say(Message("support.not_found", {"error": "workflow not found"})) == "no encontrado: workflow not found"


def test_the_timeline_names_an_activity_in_words_not_by_its_summary(spanish):
    from habilita.support.narrate import activity_words

    assert say(Message("timeline.activity_done", {"what": activity_words("check_numbering_range")})) == (
        "consulta de los rangos de numeración a la DIAN: hecho")
    assert render(Message("timeline.activity_done", {"what": activity_words("post_pages")}), gettext_for("en")) == (
        "posting of a page of documents done")
    # An activity no process declares (a test's own) reads as its type.
    assert activity_words("submit_to_dian") == "submit to dian"


def test_every_activity_of_the_worker_has_its_words(settings):
    from temporalio.activity import _Definition

    from habilita.messages.catalog import CODES
    from habilita.worker import build_activities

    names = {_Definition.must_from_callable(a).name for a in build_activities(settings)}
    assert names and not [n for n in sorted(names) if f"activity.{n}" not in CODES]


@pytest.mark.parametrize("locale, written", [("es", "$ 190.000"), ("es_CO", "$ 190.000"), ("en", "COP 190,000")])
def test_a_price_is_written_as_the_reader_writes_money(locale, written):
    unpaid = Message("notice.payment_due_body", {"company": "ACME", "price": 190000, "currency": "COP", "days": 365})
    assert written in render(unpaid, gettext_for(locale))
    assert written in render(unpaid, gettext_for("en"), locale=locale), "an explicit locale wins"


def test_money_keeps_cents_and_names_other_currencies():
    from habilita.messages.money import money

    assert money(1234.5, "USD", "es") == "1.234,50 USD"
    assert money(1234.5, "USD", "en") == "USD 1,234.50"
    assert money(0, "COP", "es") == "$ 0"


def test_a_timeline_entry_shows_its_message_and_an_audit_row_its_action(spanish):
    from habilita.console.history_views import shown_text
    from habilita.support.timeline import TimelineEntry

    at = dt.datetime(2026, 1, 5, 10, 0)
    told = Message("timeline.process_status", {"status": "completed"})
    assert shown_text(TimelineEntry(at, "temporal", "step", "", "process completed", message=told)) == (
        "proceso: Completado")
    detail = as_text(Message("audit.certificate_of", {"nit": "901234567"}))
    audited = TimelineEntry(at, "audit", "audit", "ana@example.co", "", action="provider_certificate_confirmed",
                            detail=detail)
    assert shown_text(audited).endswith("; certificado del NIT 901234567")


def sample_params(template: str) -> dict:
    return {name: f"<{name}>" for name in PLACEHOLDER.findall(template)}


@pytest.mark.parametrize("code", sorted(EVENTS))
def test_every_event_code_renders_in_spanish_and_english(code):
    template = EVENTS[code]
    params = sample_params(template)
    english = render(Message(code, params), gettext_for("en"))
    spanish = render(Message(code, params), gettext_for("es"))
    for text in (english, spanish):
        assert "%(" not in text and code not in text
        assert all(value in text for value in params.values()), "every parameter shows"
    assert translations("es").gettext(template) != template or not PLACEHOLDER.sub("", template).strip(" .:()"), \
        f"{code} has no Spanish in the catalog"


def test_a_process_page_shows_what_the_workflow_says_in_words(spanish):
    from habilita.console.processes import page_data
    from habilita.workflows.certificate import CertificateStatus, PaymentView
    from habilita.workflows.einvoicing import EnablementStatus

    p1 = EnablementStatus(step="test_set", status="waiting", waiting_on="staff", registration=None,
                          warning=Message("test_set.nit_locked", {"nit": "900123456-8"}),
                          last_check=Message("numbering.no_range", {"answer": "301: sin rangos"}))
    unpaid = Message("payment.not_paid", {"price": 190000, "currency": "COP", "days": 365})
    certificate = CertificateStatus(step="payment", path="own", payment=PaymentView(False, unpaid, 190000, "COP", 365),
                                    letter=None, signed_letter_uploaded=False, loan_date=None,
                                    messages=(Message("payment.paid"), Message("letter.deleted")))

    assert page_data.warnings([p1, None]) == [
        "El set de pruebas usa el NIT 900123456-8: desde entonces el NIT de la empresa no puede cambiar, "
        "porque la DIAN asocia la habilitación a él."]
    facts = dict(page_data.facts(p1))
    assert "warning" not in facts
    assert facts["last_check"] == "La DIAN aún no tiene un rango de numeración para la empresa (301: sin rangos): siga esperando"
    facts = dict(page_data.facts(certificate))
    assert facts["message"] == "sin pagar: el certificado cuesta $ 190.000 y tiene una vigencia de 365 días"
    assert facts["messages"].startswith("el certificado ya está pagado; se eliminó la carta firmada")
    # After an action: the workflow's words are flashed; data (a choice, a dataclass) is not.
    assert page_data.answer_words(Message("loan.dates_from", {"date": "2026-01-05"})) == (
        "el préstamo del certificado data del 2026-01-05")
    assert page_data.answer_words({"code": "letter.deleted", "params": {}}).startswith("se eliminó la carta firmada")
    assert page_data.answer_words("own") is None and page_data.answer_words(p1) is None
    # Data that carries a message says it: whether a detail-account change applied.
    from habilita.activities.accounting_sync import DetailChangeOutcome
    kept = DetailChangeOutcome(7, "FE7", "413500", False, Message(
        "sync.detail_already_posted", {"number": "FE7", "voucher": "VE-FE7", "account": "413500"}))
    assert page_data.answer_words(kept) == (
        "el documento FE7 ya está contabilizado en el comprobante VE-FE7 con la cuenta de detalle 413500; no se cambió")


def test_the_audit_log_shows_a_workflows_detail_in_words_and_its_chain_holds(as_role):
    from habilita.models import AuditEvent

    detail = as_text(Message("audit.registration", {"mode": "own_software", "test_set": "8f1b3c2a"}))
    AuditEvent.record(actor="ana@example.co", action="dian_registration", target_type="process",
                      target_id="einvoicing-CO-900123456", detail=detail)

    log = as_role("auditor").get("/admin/auditevent/").get_data(as_text=True)

    assert "modo Software propio, set de pruebas 8f1b3c2a" in log and "audit.registration" not in log
    assert AuditEvent.get(AuditEvent.action == "dian_registration").detail == detail, "stored as the message"
    assert AuditEvent.verify_chain() == []
