"""The client's errors say what failed: transport, timeout, HTTP 5xx, SOAP fault, protocol."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from habilita.adapters.dian_client import DianClient, Timeouts
from habilita.adapters.dian_errors import DianHttpError, DianProtocolError, DianSoapFault, DianTimeout, DianTransportError

from .conftest import client_for
from .documents import test_set_documents, zip_documents


def test_next_n_calls_fail_with_a_retryable_5xx_then_recover(portal, client, company):
    portal.faults(fail_next=2)
    for _ in range(2):
        with pytest.raises(DianHttpError) as failure:
            client.get_status(track_id="x")
        assert (failure.value.status, failure.value.retryable, failure.value.operation) == (503, True, "GetStatus")
        assert "GetStatus at http://127.0.0.1" in str(failure.value) and "HTTP 503" in str(failure.value)
    assert client.get_status(track_id="x").status_code == "66"


def test_always_failing_keeps_failing(portal, client):
    portal.faults(fail_always=True, fail_status=500)
    for _ in range(3):
        with pytest.raises(DianHttpError, match="HTTP 500"):
            client.get_status_zip(zip_key="k")


def test_a_hanging_service_is_a_read_timeout(simulator, portal, company_cert):
    portal.faults(hang=True)
    started = time.monotonic()
    with client_for(simulator, company_cert, timeout=Timeouts(connect=2, read=0.5)) as impatient:
        with pytest.raises(DianTimeout) as failure:
            impatient.get_status(track_id="x")
    assert (failure.value.phase, failure.value.retryable) == ("read", True)
    assert "no answer within 0.5 s" in str(failure.value)
    assert time.monotonic() - started < 5
    portal.faults()


def test_a_slow_service_answers_within_the_read_timeout_and_not_beyond(simulator, portal, company_cert):
    portal.faults(delay_seconds=0.4)
    with client_for(simulator, company_cert, timeout=Timeouts(connect=2, read=3)) as patient:
        assert patient.get_status(track_id="x").status_code == "66"
    with client_for(simulator, company_cert, timeout=Timeouts(connect=2, read=0.1)) as hasty:
        with pytest.raises(DianTimeout, match="no answer within 0.1 s"):
            hasty.get_status(track_id="x")


def test_batch_in_process_forever_while_switched_on(portal, client, company, company_signer):
    portal.faults(in_process_forever=True)
    documents = test_set_documents(company_signer, company.issuer(), invoices=1, credit_notes=0, debit_notes=0)
    upload = client.send_test_set_async(file_name="z.zip", zip_bytes=zip_documents(documents),
                                        test_set_id=company.test_set_id)
    time.sleep(0.8)  # twice the processing time
    [answer] = client.get_status_zip(zip_key=upload.zip_key)
    assert answer.status_description == "Batch en proceso de validación."
    portal.faults()
    assert client.get_status_zip(zip_key=upload.zip_key)[0].is_valid


def test_a_closed_port_is_a_transport_error(company_cert):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/WcfDianCustomerServices.svc"
    with DianClient(url, company_cert.private_key, company_cert.certificate, timeout=2) as client:
        with pytest.raises(DianTransportError) as failure:
            client.get_status(track_id="x")
    assert not isinstance(failure.value, DianTimeout)
    assert failure.value.retryable and f"GetStatus at {url}: transport failed" in str(failure.value)


def test_a_signature_that_does_not_verify_is_a_soap_fault(simulator, company_cert, stranger_cert):
    # The key of one company with the certificate of another: the simulator cannot verify it.
    with DianClient(simulator.soap_url, company_cert.private_key, stranger_cert.certificate) as mismatched:
        with pytest.raises(DianSoapFault) as failure:
            mismatched.get_status(track_id="x")
    fault = failure.value
    assert (fault.code, fault.subcode, fault.retryable) == ("Sender", "InvalidSecurity", False)
    assert "signature value does not verify" in fault.reason


def test_a_wrong_path_is_an_http_error_not_retried(simulator, company_cert):
    with DianClient(simulator.url + "/", company_cert.private_key, company_cert.certificate) as lost:
        with pytest.raises(DianHttpError, match="HTTP 405") as failure:
            lost.get_status(track_id="x")
    assert failure.value.retryable is False


def test_an_answer_that_is_not_soap_is_a_protocol_error(simulator, company, company_cert):
    # A portal endpoint answers 201 with JSON: what a misconfigured URL behind a proxy looks like.
    url = f"{simulator.url}/portal/companies/{company.nit}/support-document"
    with DianClient(url, company_cert.private_key, company_cert.certificate) as lost:
        with pytest.raises(DianProtocolError, match="is not a SOAP 1.2 envelope"):
            lost.get_status(track_id="x")


def test_the_soap_endpoint_refuses_other_content_types(simulator):
    response = requests.post(simulator.soap_url, data=b"<x/>", headers={"Content-Type": "text/xml"}, timeout=5)
    assert response.status_code == 415


def test_fault_switches_refuse_nonsense(simulator):
    response = requests.put(simulator.url + "/_faults", json={"explode": True}, timeout=5)
    assert response.status_code == 400 and "unknown fault switches: explode" in response.json()["error"]
