"""SOAP 1.2 envelopes of every operation: built, parsed back, in DIAN's namespaces."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from habilita.dian import soap

REQUESTS = [
    soap.SendTestSetAsync(file_name="z0900123456.zip", content_file=b"PK\x03\x04zip", test_set_id="4b5c0e3a-1d0e-4b43-9a39-2f3b1d7a0c11"),
    soap.SendBillSync(file_name="z1.zip", content_file=b"\x00\x01binary"),
    soap.SendBillAsync(file_name="z2.zip", content_file=b"more bytes"),
    soap.GetStatus(track_id="ab" * 48),
    soap.GetStatusZip(track_id="6c8a9d1e-7777-4e0f-9f11-0d4d1a2b3c4d"),
    soap.GetNumberingRange(account_code="900123456", account_code_t="830112233", software_code="f00dbabe-0000-4000-8000-000000000001"),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.OPERATION)
def test_every_request_survives_its_envelope(request_):
    envelope = soap.build_request(request_, to=soap.HABILITACION_URL)
    parsed = soap.parse_envelope(etree.tostring(envelope))
    assert soap.parse_request(parsed) == request_
    assert soap.header_action(parsed) == "http://wcf.dian.colombia/IWcfDianCustomerServices/" + request_.OPERATION


def test_request_envelope_has_dian_operation_and_addressing():
    envelope = soap.build_request(REQUESTS[0], to=soap.HABILITACION_URL)
    operation = soap.body_child(envelope)
    assert operation.tag == "{http://wcf.dian.colombia}SendTestSetAsync"
    assert [etree.QName(c).localname for c in operation] == ["fileName", "contentFile", "testSetId"]
    assert operation.findtext("{http://wcf.dian.colombia}contentFile") == "UEsDBHppcA=="
    to = envelope.find("{http://www.w3.org/2003/05/soap-envelope}Header/{http://www.w3.org/2005/08/addressing}To")
    assert to.text == soap.HABILITACION_URL
    assert to.get("{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}Id")


def test_content_type_carries_the_action():
    assert soap.content_type("GetStatusZip") == (
        'application/soap+xml;charset=UTF-8;action="http://wcf.dian.colombia/IWcfDianCustomerServices/GetStatusZip"')


DIAN_RESPONSE = soap.DianResponse(
    is_valid=False, status_code="99", status_description="Validación contiene errores en campos mandatorios.",
    status_message="Documento con errores en campos mandatorios.",
    error_messages=("Regla: FAD06, Rechazo: CUFE mal calculado", "Regla: ZE02, Rechazo: firma"),
    xml_document_key="c" * 96, xml_base64_bytes=b"<ApplicationResponse/>", xml_file_name="fv0900123456")
RESULTS = [
    ("SendBillSync", DIAN_RESPONSE),
    ("GetStatus", soap.DianResponse(is_valid=True, status_code="00", status_description="Procesado Correctamente.")),
    ("GetStatusZip", (DIAN_RESPONSE, soap.DianResponse(is_valid=True, status_code="00", status_description="ok"))),
    ("GetStatusZip", ()),
    ("SendTestSetAsync", soap.UploadDocumentResponse(zip_key="6c8a9d1e-7777-4e0f-9f11-0d4d1a2b3c4d")),
    ("SendBillAsync", soap.UploadDocumentResponse(zip_key="", error_messages=(soap.ProcessedDocument(
        document_key="", processed_message="Cantidad de documentos dentro del lote ZIP excede máximo permitido: 50",
        sender_code="900123456", success=False, xml_file_name="z.zip"),))),
    ("GetNumberingRange", soap.NumberingRangeResponse(operation_code="100", operation_description="Acción completada OK.", ranges=(
        soap.NumberingRange(resolution_number="18760000001", resolution_date=dt.date(2019, 1, 19), prefix="SETP",
                            from_number=990000000, to_number=995000000, valid_date_from=dt.date(2019, 1, 19),
                            valid_date_to=dt.date(2030, 1, 19), technical_key="fc8eac422eba16e22ffd8c6f94b3f40a6e38162c"),))),
    ("GetNumberingRange", soap.NumberingRangeResponse(operation_code="301", operation_description="none")),
]


@pytest.mark.parametrize(("operation", "result"), RESULTS, ids=[f"{o}-{i}" for i, (o, _) in enumerate(RESULTS)])
def test_every_result_survives_its_envelope(operation, result):
    envelope = soap.parse_envelope(soap.build_response(operation, result))
    assert soap.find_fault(envelope) is None
    assert soap.parse_response(operation, envelope) == result


# The shape DIAN's WCF service answers with (prefixes chosen by WCF, members
# alphabetical, nil for empty); written by hand so the parser is not only
# checked against our own builder.
WCF_GET_STATUS_ZIP = b"""<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://wcf.dian.colombia/IWcfDianCustomerServices/GetStatusZipResponse</a:Action></s:Header><s:Body><GetStatusZipResponse xmlns="http://wcf.dian.colombia"><GetStatusZipResult xmlns:b="http://schemas.datacontract.org/2004/07/DianResponse" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><b:DianResponse><b:ErrorMessage xmlns:c="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><c:string>Regla: FAB05b, Rechazo: fuera de rango</c:string></b:ErrorMessage><b:IsValid>false</b:IsValid><b:StatusCode>99</b:StatusCode><b:StatusDescription>Validaci\xc3\xb3n contiene errores en campos mandatorios.</b:StatusDescription><b:StatusMessage i:nil="true"/><b:XmlBase64Bytes i:nil="true"/><b:XmlBytes i:nil="true"/><b:XmlDocumentKey>abc123</b:XmlDocumentKey><b:XmlFileName>fv09001234560002500000001</b:XmlFileName></b:DianResponse></GetStatusZipResult></GetStatusZipResponse></s:Body></s:Envelope>"""


def test_a_wcf_shaped_answer_parses():
    [response] = soap.parse_response("GetStatusZip", soap.parse_envelope(WCF_GET_STATUS_ZIP))
    assert response == soap.DianResponse(
        is_valid=False, status_code="99", status_description="Validación contiene errores en campos mandatorios.",
        error_messages=("Regla: FAB05b, Rechazo: fuera de rango",), xml_document_key="abc123",
        xml_file_name="fv09001234560002500000001")


def test_fault_survives_its_envelope():
    fault = soap.SoapFault(code="Sender", subcode="InvalidSecurity", reason="An error occurred when verifying security")
    envelope = soap.parse_envelope(soap.build_fault(fault))
    assert soap.find_fault(envelope) == fault


def test_an_answer_for_another_operation_is_refused():
    envelope = soap.parse_envelope(soap.build_response("GetStatus", DIAN_RESPONSE))
    with pytest.raises(soap.MalformedEnvelope, match="expected GetStatusZipResponse"):
        soap.parse_response("GetStatusZip", envelope)


@pytest.mark.parametrize("data", [b"<html>502 Bad Gateway</html", b"<Envelope/>", b""])
def test_what_is_not_a_soap_envelope_is_refused(data):
    with pytest.raises(soap.MalformedEnvelope):
        soap.parse_envelope(data)


def test_bad_base64_in_a_request_is_refused():
    envelope = soap.build_request(REQUESTS[1], to="http://x")
    soap.body_child(envelope)[1].text = "not base64!"
    with pytest.raises(soap.MalformedEnvelope, match="contentFile is not valid base64"):
        soap.parse_request(envelope)
