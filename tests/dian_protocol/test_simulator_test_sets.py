"""Test sets through the real client and the simulator over HTTP: DIAN's counting rules."""

from __future__ import annotations

import requests

from habilita.dian import status
from habilita.dian.signing import Signer

from .conftest import COMPANY_NIT, OTHER_NIT, client_for, wait_for_batch
from .documents import tamper, test_set_documents, zip_documents, zip_of


def test_a_complete_correct_test_set_is_accepted(simulator, portal, company, company_signer, client):
    documents = test_set_documents(company_signer, company.issuer())
    upload = client.send_test_set_async(file_name="z1.zip", zip_bytes=zip_documents(documents),
                                        test_set_id=company.test_set_id)
    assert upload.zip_key and upload.error_messages == ()

    responses = wait_for_batch(client, upload.zip_key)

    assert [r.xml_document_key for r in responses] == [d.uuid for d in documents]
    assert all(r.is_valid and r.status_code == "00" for r in responses), [r.error_messages for r in responses]
    assert status.decided_set_status(responses) == status.TEST_SET_ACCEPTED
    assert responses[0].status_message == f"Set de prueba con identificador {company.test_set_id} se encuentra Aceptado"
    summary = portal.get(f"/portal/test-sets/{company.test_set_id}")
    assert summary["status"] == 1 and summary["accepted"] == {"invoice": 4, "credit_note": 2, "debit_note": 2}
    assert portal.get(f"/portal/companies/{COMPANY_NIT}")["invoicer_enabled"] is True


def test_a_batch_stays_in_process_for_the_processing_time(company, company_signer, client):
    documents = test_set_documents(company_signer, company.issuer(), invoices=1, credit_notes=0, debit_notes=0)
    upload = client.send_test_set_async(file_name="z.zip", zip_bytes=zip_documents(documents),
                                        test_set_id=company.test_set_id)
    [first] = client.get_status_zip(zip_key=upload.zip_key)
    assert first.status_description == "Batch en proceso de validación."
    assert wait_for_batch(client, upload.zip_key)[0].is_valid


def test_the_set_stays_in_process_until_every_kind_reaches_its_count(portal, company, company_signer, client):
    documents = test_set_documents(company_signer, company.issuer(), invoices=4, credit_notes=2, debit_notes=1)
    upload = client.send_test_set_async(file_name="z.zip", zip_bytes=zip_documents(documents),
                                        test_set_id=company.test_set_id)
    responses = wait_for_batch(client, upload.zip_key)
    assert all(r.is_valid for r in responses)
    assert status.decided_set_status(responses) is None
    assert portal.get(f"/portal/test-sets/{company.test_set_id}")["status"] == 0


def test_a_set_is_rejected_once_rejections_exceed_the_allowance(portal, company, company_signer, client):
    # 9 documents allowed for 8 accepted required: the second rejection decides.
    documents = test_set_documents(company_signer, company.issuer(), invoices=2, credit_notes=0, debit_notes=0)
    tampered = [tamper(d.xml) for d in documents]
    upload = client.send_test_set_async(
        file_name="z.zip", zip_bytes=zip_of([(d.file_name, t) for d, t in zip(documents, tampered)]),
        test_set_id=company.test_set_id)
    responses = wait_for_batch(client, upload.zip_key)
    assert [r.is_valid for r in responses] == [False, False]
    assert status.decided_set_status(responses) == status.TEST_SET_REJECTED
    assert portal.get(f"/portal/test-sets/{company.test_set_id}")["status"] == 2


def test_a_batch_sent_to_a_decided_set_gets_the_set_status(company, company_signer, client):
    documents = test_set_documents(company_signer, company.issuer(), invoices=5)
    first = client.send_test_set_async(file_name="z1.zip", zip_bytes=zip_documents(documents[:4] + documents[5:]),
                                       test_set_id=company.test_set_id)
    assert status.decided_set_status(wait_for_batch(client, first.zip_key)) == status.TEST_SET_ACCEPTED
    late = client.send_test_set_async(file_name="z2.zip", zip_bytes=zip_documents(documents[4:5]),
                                      test_set_id=company.test_set_id)
    [answer] = wait_for_batch(client, late.zip_key)
    assert answer.status_code == "1"
    assert answer.status_description == f"Set de prueba con identificador {company.test_set_id} se encuentra Aceptado"


def test_an_unknown_test_set_is_refused_with_dian_message(company, company_signer, client):
    documents = test_set_documents(company_signer, company.issuer(), invoices=1, credit_notes=0, debit_notes=0)
    upload = client.send_test_set_async(file_name="z.zip", zip_bytes=zip_documents(documents),
                                        test_set_id="00000000-0000-4000-8000-000000000000")
    assert upload.zip_key == ""
    [error] = upload.error_messages
    assert error.processed_message == (
        f"NIT {COMPANY_NIT} no tiene habilitado set de prueba para software con id {company.software_id}")


def test_a_zip_of_more_than_50_documents_is_refused(simulator, company, company_signer, client):
    [document] = test_set_documents(company_signer, company.issuer(), invoices=1, credit_notes=0, debit_notes=0)
    upload = client.send_test_set_async(
        file_name="z.zip", zip_bytes=zip_of([(f"fv{i:03d}.xml", document.xml) for i in range(51)]),
        test_set_id=company.test_set_id)
    assert upload.zip_key == ""
    assert [e.processed_message for e in upload.error_messages] == [
        "Cantidad de documentos dentro del lote ZIP excede máximo permitido: 50"]
    assert requests.get(simulator.url + "/_received", timeout=5).json() == []


def test_a_zip_with_two_issuers_is_refused(portal, company, company_signer, stranger_cert, client):
    stranger = portal.register(OTHER_NIT)
    mine = test_set_documents(company_signer, company.issuer(), invoices=1, credit_notes=0, debit_notes=0)
    theirs = test_set_documents(Signer(stranger_cert), stranger.issuer(), invoices=1, credit_notes=0, debit_notes=0)
    upload = client.send_test_set_async(
        file_name="z.zip", zip_bytes=zip_of([("a.xml", mine[0].xml), ("b.xml", theirs[0].xml)]),
        test_set_id=company.test_set_id)
    assert upload.zip_key == ""
    assert "un solo emisor" in upload.error_messages[0].processed_message


def test_support_document_set_of_an_enabled_invoicer_is_accepted_at_once(portal, company, company_signer, client):
    documents = test_set_documents(company_signer, company.issuer())
    upload = client.send_test_set_async(file_name="z.zip", zip_bytes=zip_documents(documents),
                                        test_set_id=company.test_set_id)
    wait_for_batch(client, upload.zip_key)
    enabled = portal.post(f"/portal/companies/{COMPANY_NIT}/support-document")
    assert enabled["status"] == 1
    assert portal.get(f"/portal/test-sets/{enabled['test_set_id']}")["received"] == 0


def test_support_document_set_of_a_company_not_yet_invoicer_waits_for_documents(portal, company):
    enabled = portal.post(f"/portal/companies/{COMPANY_NIT}/support-document")
    assert enabled["status"] == 0


def test_each_document_is_recorded_once_per_reception(simulator, company, company_signer, client):
    documents = test_set_documents(company_signer, company.issuer(), invoices=2, credit_notes=0, debit_notes=0)
    client.send_test_set_async(file_name="z.zip", zip_bytes=zip_documents(documents), test_set_id=company.test_set_id)
    client.send_bill_sync(file_name="again.zip", zip_bytes=zip_documents(documents[:1]))
    seen = {r["number"]: r["times_seen"] for r in requests.get(simulator.url + "/_received", timeout=5).json()}
    assert seen == {documents[0].number: 2, documents[1].number: 1}
