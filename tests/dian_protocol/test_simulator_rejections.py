"""Each kind of bad document is rejected with DIAN's rule code, through the real client."""

from __future__ import annotations

from lxml import etree

from habilita.dian import namespaces as ns
from habilita.dian import status
from habilita.dian.documents import NumberingRange
from habilita.dian.signing import Signer

from .conftest import COMPANY_NIT, PROVIDER_NIT, client_for, wait_for_batch
from .documents import resign, set_text, tamper, test_set_documents, zip_documents, zip_of


def one_invoice(signer, company, **options):
    return test_set_documents(signer, company.issuer(), invoices=1, credit_notes=0, debit_notes=0, **options)[0]


def send_one(client, name: str, xml: bytes):
    return client.send_bill_sync(file_name=name.replace(".xml", ".zip"), zip_bytes=zip_of([(name, xml)]))


def codes(response) -> tuple[str, ...]:
    return status.rule_codes(response.error_messages)


def test_a_correct_invoice_is_accepted_synchronously(company, company_signer, client):
    document = one_invoice(company_signer, company)
    response = send_one(client, document.file_name, document.xml)
    assert (response.is_valid, response.status_code, response.error_messages) == (True, "00", ())
    assert response.xml_document_key == document.uuid
    assert client.get_status(track_id=document.uuid).is_valid


def test_a_document_breaking_the_schema_is_rejected_with_zb01(company, company_signer, client):
    document = one_invoice(company_signer, company)

    def add_unknown_element(root):
        etree.SubElement(root, f"{{{ns.CBC}}}NotInUbl").text = "x"

    response = send_one(client, document.file_name, resign(document.xml, company_signer, add_unknown_element))
    assert response.status_code == "99" and not response.is_valid
    assert codes(response) == ("ZB01",)


def test_a_tampered_signature_is_rejected_with_ze02(company, company_signer, client):
    document = one_invoice(company_signer, company)
    response = send_one(client, document.file_name, tamper(document.xml))
    assert codes(response) == ("ZE02",)


def test_a_wrong_cufe_is_rejected_with_fad06(company, company_signer, client):
    document = one_invoice(company_signer, company)
    wrong = resign(document.xml, company_signer, set_text("cbc:UUID", "0" * 96))
    response = send_one(client, document.file_name, wrong)
    assert codes(response) == ("FAD06",)


def test_a_number_out_of_the_range_is_rejected_with_fab05b(company, company_signer, client):
    document = one_invoice(company_signer, company)
    outside = resign(document.xml, company_signer, set_text("cbc:ID", "SETP995000001"))
    response = send_one(client, document.file_name, outside)
    assert "FAB05b" in codes(response)


def test_an_unknown_prefix_is_rejected_with_fad05e(company, company_signer, client):
    document = one_invoice(company_signer, company)

    def other_prefix(root):
        root.find("cbc:ID", namespaces=ns.NS).text = "XYZ990000001"
        root.find("ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sts:DianExtensions/sts:InvoiceControl"
                  "/sts:AuthorizedInvoices/sts:Prefix", namespaces=ns.NS).text = "XYZ"

    response = send_one(client, document.file_name, resign(document.xml, company_signer, other_prefix))
    assert "FAD05e" in codes(response)


def test_a_document_sent_twice_is_answered_90_the_second_time(company, company_signer, client):
    document = one_invoice(company_signer, company)
    assert send_one(client, document.file_name, document.xml).status_code == "00"
    again = send_one(client, document.file_name, document.xml)
    assert (again.is_valid, again.status_code, codes(again)) == (False, "90", ("90",))
    assert client.get_status(track_id=document.uuid).status_code == "00"


def test_a_certificate_of_another_nit_is_not_authorized(simulator, portal, company, company_signer, stranger_cert):
    document = one_invoice(company_signer, company)
    with client_for(simulator, stranger_cert) as stranger:
        response = send_one(stranger, document.file_name, document.xml)
    assert (response.is_valid, response.status_code, codes(response)) == (False, "89", ("FAJ44",))
    assert "900123456" in response.error_messages[0]


def test_an_unauthorized_sender_does_not_count_toward_the_test_set(simulator, portal, company, company_signer,
                                                                    stranger_cert):
    documents = test_set_documents(company_signer, company.issuer(), invoices=2, credit_notes=0, debit_notes=0)
    with client_for(simulator, stranger_cert) as stranger:
        upload = stranger.send_test_set_async(file_name="z.zip", zip_bytes=zip_documents(documents),
                                              test_set_id=company.test_set_id)
        responses = wait_for_batch(stranger, upload.zip_key)
    assert [codes(r) for r in responses] == [("FAJ44",), ("FAJ44",)]
    summary = portal.get(f"/portal/test-sets/{company.test_set_id}")
    assert (summary["status"], summary["rejected"], summary["received"]) == (0, 0, 0)


def test_in_provider_mode_the_provider_certificate_may_send(simulator, portal, provider_cert, company_cert):
    company = portal.register(COMPANY_NIT, mode="provider", provider_nit=PROVIDER_NIT)
    provider_signer = Signer(provider_cert, role="third party")
    # Provider mode numbers its habilitación invoices in the SETT range.
    document = test_set_documents(provider_signer, company.issuer(provider_nit=PROVIDER_NIT), invoices=1,
                                  credit_notes=0, debit_notes=0, numbering=NumberingRange.habilitacion(prefix="SETT"))[0]
    with client_for(simulator, provider_cert) as provider:
        response = send_one(provider, document.file_name, document.xml)
    assert (response.is_valid, response.status_code) == (True, "00"), response.error_messages


def test_rejections_in_a_test_set_carry_their_codes(portal, company, company_signer, client):
    good, other = test_set_documents(company_signer, company.issuer(), invoices=2, credit_notes=0, debit_notes=0)
    upload = client.send_test_set_async(
        file_name="z.zip", zip_bytes=zip_of([(good.file_name, good.xml), (other.file_name, tamper(other.xml))]),
        test_set_id=company.test_set_id)
    first, second = wait_for_batch(client, upload.zip_key)
    assert (first.is_valid, codes(first)) == (True, ())
    assert (second.is_valid, second.status_code, codes(second)) == (False, "99", ("ZE02",))
    summary = portal.get(f"/portal/test-sets/{company.test_set_id}")
    assert (summary["status"], summary["rejected"], summary["accepted"]) == (0, 1, {"invoice": 1})


def test_a_zip_for_send_bill_sync_must_hold_one_document(company, company_signer, client):
    first, second = test_set_documents(company_signer, company.issuer(), invoices=2, credit_notes=0, debit_notes=0)
    response = client.send_bill_sync(file_name="z.zip", zip_bytes=zip_documents([first, second]))
    assert (response.is_valid, response.status_code) == (False, "89")


def test_get_status_of_an_unknown_track_id_is_66(client):
    assert client.get_status(track_id="f" * 96).status_code == "66"
