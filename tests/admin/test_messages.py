"""What the workflows say reaches the console in Spanish: after an action, on a step, in the history."""
from __future__ import annotations

import pytest

from habilita.console.messages import translated, translated_summary
from habilita.console.processes.labels import document_status_label


@pytest.fixture
def spanish(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("english, spanish_text", [
    ("creating the invoice, credit-note and debit-note voucher types with prefix SETT",
     "Creando los tipos de comprobante de factura, nota crédito y nota débito con el prefijo SETT."),
    ("DIAN lists: SETT 990000000-995000000 (resolution 18760000001), SETP 1-5000 (resolution 18760000002)",
     "La DIAN registra: SETT 990000000-995000000 (resolución 18760000001), SETP 1-5000 (resolución 18760000002)"),
    ("DIAN has no numbering range for the company yet (301 sin rangos): keep waiting",
     "La DIAN aún no tiene un rango de numeración para la empresa (301 sin rangos): siga esperando"),
    ("SLA exceeded: waiting for the certificate payment", "ANS vencido: esperando el pago del certificado"),
    ("Ready to invoice electronically", "Lista para facturar electrónicamente"),
    ("enable_support_document recorded. DIAN needs time after the support document is enabled before the "
     "prefixes can be associated: enable the support document, request the resolution, wait for DIAN, then "
     "associate the prefixes at DIAN's portal and confirm each sub-step here.",
     "Registrado: Habilitó el documento soporte en la DIAN. La DIAN necesita tiempo"),
])
def test_a_workflow_message_reads_in_spanish(spanish, english, spanish_text):
    assert translated(english).startswith(spanish_text)


@pytest.mark.parametrize("english, spanish_text", [
    ("mode provider, test set 8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b",
     "modo Software de un proveedor tecnológico, set de pruebas 8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"),
    ("einvoicing for 900123456-8 · 127.0.0.1", "Facturación electrónica para 900123456-8 · 127.0.0.1"),
    ("SETT resolution 18760000001", "SETT, resolución 18760000001"),
    ("the test set uses NIT 900123456-8; from now on the company's NIT cannot change (DIAN ties the enablement to it)",
     "El set de pruebas usa el NIT 900123456-8: desde entonces el NIT de la empresa no puede cambiar"),
    # A refused update: each field as the form names it, each message in Spanish.
    ("test_set_id: the test set id must be a GUID like 1b2c3d4e-0000-4a5b-8c9d-0123456789ab, not 'x'; "
     "pin: the software PIN must be 5 digits",
     "Identificador del set de pruebas (TestSetId): el identificador del set de pruebas debe ser un GUID como "
     "1b2c3d4e-0000-4a5b-8c9d-0123456789ab, no 'x'; PIN del software: el PIN del software debe tener 5 dígitos"),
])
def test_a_history_detail_or_reason_reads_in_spanish(spanish, english, spanish_text):
    assert translated_summary(english).startswith(spanish_text)


def test_what_the_catalog_does_not_know_stays_as_written(spanish):
    assert translated_summary("note: a message nobody translated") == "note: a message nobody translated"
    assert translated("DIAN answered") == "DIAN answered"


def test_dian_document_statuses_read_in_spanish(spanish):
    assert [document_status_label(s) for s in ("accepted", "rejected", "sent")] == ["aceptado", "rechazado", "enviado"]


def test_what_support_did_reads_in_spanish_in_the_history(spanish):
    from habilita.console.processes.labels import action_label

    assert action_label("support: retry now") == "soporte: reintentó ya"
    assert action_label("support: skip test_set") == "soporte: omitió el paso Set de pruebas"
    assert action_label("support: reset to voucher_type") == "soporte: reinició en el paso Tipo de comprobante"


@pytest.mark.parametrize("english, spanish_text", [
    ("step Test set started", "comenzó el paso Set de pruebas"),
    ("waiting on staff", "esperando a: Nuestro equipo"),
    ("DIAN accepted 60/60 documents, rejected 2", "La DIAN aceptó 60/60 documentos, rechazados 2"),
    ("update upload signed letter by ana@example.co rejected: the file has 2,097,161 bytes; the limit is "
     "1,048,576 bytes (1 MB): scan it at a lower resolution",
     "ana@example.co: «Cargar la carta firmada» rechazado: el archivo tiene 2,097,161 bytes"),
    ("update skip step by sofia@example.co accepted, step confirm, reason DIAN approved by phone",
     "sofia@example.co: «Skip step» aceptado, paso Confirm, motivo DIAN approved by phone"),
    ("child process CertificateActivation started (einvoicing-1-certificate)",
     "inició el subproceso CertificateActivation (einvoicing-1-certificate)"),
])
def test_a_timeline_line_reads_in_spanish(spanish, english, spanish_text):
    from habilita.console.messages import timeline_words

    assert timeline_words(english).startswith(spanish_text)


def test_timeline_words_stay_out_of_the_forms_messages(spanish):
    assert translated("nothing was done") == "nothing was done"
