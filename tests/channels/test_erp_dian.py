"""An invoice with ``stamp.send`` is built, signed and sent to the DIAN simulator, which accepts it.

The company is registered at the DIAN simulator's portal with a numbering
resolution of its own technical key; the ERP is given that resolution, the
portal's SoftwareID and PIN, and the company's certificate.
"""

from __future__ import annotations

import io
import zipfile

import pytest
import requests

from habilita.dian import status
from habilita.dian.certificates import generate_test_certificate
from habilita.dian.verify import verify_document

from .conftest import COMPANY_NAME, COMPANY_NIT, client_for, invoice_payload

TECHNICAL_KEY = "3f1c0a7e9b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e"


@pytest.fixture(scope="module")
def company_certificate():
    return generate_test_certificate(COMPANY_NIT, COMPANY_NAME)


@pytest.fixture
def electronic_company(erp_simulator, erp_company, dian_simulator, company_certificate):
    """The ERP company enabled at DIAN (portal) and set up to send; the portal's answer."""
    erp_simulator.state.dian_url = dian_simulator.soap_url
    registered = portal_post(dian_simulator, "/portal/companies", {"nit": COMPANY_NIT, "legal_name": COMPANY_NAME})
    portal_post(dian_simulator, f"/portal/companies/{COMPANY_NIT}/resolutions",
                {"kind": "invoice", "prefix": "FE", "from_number": 1000, "to_number": 5000,
                 "resolution_number": "18764000012345", "technical_key": TECHNICAL_KEY})
    erp_simulator.admin.configure("numbering", {
        "prefix": "FE", "from_number": 1000, "to_number": 5000, "resolution": "18764000012345",
        "technical_key": TECHNICAL_KEY, "next_number": 1001})
    erp_simulator.admin.configure("dian", {
        "software_id": registered["software_id"], "pin": registered["pin"],
        "key_pem": company_certificate.key_pem().decode(), "cert_pem": company_certificate.cert_pem().decode()})
    return registered


def portal_post(dian_simulator, path: str, body: dict) -> dict:
    response = requests.post(dian_simulator.url + path, json=body, timeout=10)
    assert response.status_code == 201, f"DIAN portal {path}: {response.status_code} {response.text}"
    return response.json()


@pytest.fixture
def dian_received(dian_simulator, monkeypatch):
    """The zips DIAN's SendBillSync received (the simulator's service, wrapped to keep them)."""
    received: list[bytes] = []
    service = dian_simulator.service
    original = service.send_bill_sync

    def keep(request, **kwargs):
        received.append(request.content_file)
        return original(request, **kwargs)

    monkeypatch.setattr(service, "send_bill_sync", keep)
    return received


def only_xml(zip_bytes: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        (name,) = archive.namelist()
        return name, archive.read(name)


def test_a_stamped_invoice_reaches_dian_signed_and_is_accepted(erp_simulator, electronic_company, dian_simulator,
                                                               dian_received):
    with client_for(erp_simulator) as client:
        invoice = client.create_invoice(invoice_payload(stamp={"send": True}), idempotency_key="order1")
    assert (invoice.name, invoice.number) == ("FE1001", 1001)
    assert (invoice.stamp.status, invoice.stamp.errors) == ("Accepted", ()), invoice.stamp.errors
    assert len(invoice.stamp.cufe) == 96
    name, xml = only_xml(dian_received[0])
    assert name.startswith("fv0900700800") and name.endswith(".xml")
    # What `habilita dian verify --technical-key ... --pin ...` runs on the document DIAN received.
    assert verify_document(xml, technical_key=TECHNICAL_KEY, pin=electronic_company["pin"]) == []
    assert "FAD06" in {p.code for p in verify_document(xml, technical_key="0" * 64)}
    assert invoice.stamp.cufe.encode() in xml and b"<cbc:ID>FE1001</cbc:ID>" in xml
    received = requests.get(dian_simulator.url + "/_received", params={"track_id": invoice.stamp.cufe},
                            timeout=10).json()
    assert [r["number"] for r in received] == ["FE1001"]
    stored = requests.get(f"{erp_simulator.url}/_admin/invoices/{invoice.id}/xml", timeout=10)
    assert stored.content == xml


def test_a_replayed_key_never_sends_a_second_document(erp_simulator, electronic_company, dian_received):
    with client_for(erp_simulator) as client:
        first = client.create_invoice(invoice_payload(stamp={"send": True}), idempotency_key="order1")
        again = client.create_invoice(invoice_payload(stamp={"send": True}), idempotency_key="order1")
        following = client.create_invoice(invoice_payload(stamp={"send": True}), idempotency_key="order2")
    assert again == first and following.name == "FE1002" and following.stamp.status == "Accepted"
    assert len(dian_received) == 2
    assert len(erp_simulator.admin.invoices()) == 2


def test_dian_rejects_an_invoice_whose_cufe_uses_another_technical_key(erp_simulator, electronic_company):
    erp_simulator.admin.configure("numbering", {"prefix": "FE", "from_number": 1000, "to_number": 5000,
                                                "resolution": "18764000012345", "technical_key": "f" * 64})
    with client_for(erp_simulator) as client:
        invoice = client.create_invoice(invoice_payload(stamp={"send": True}), idempotency_key="order1")
        assert client.get_invoice(invoice.id) == invoice
    assert invoice.stamp.status == "Rejected" and len(invoice.stamp.cufe) == 96
    assert status.rule_codes(invoice.stamp.errors) == ("FAD06",), invoice.stamp.errors


def test_an_unreachable_dian_leaves_the_invoice_as_draft(erp_simulator, electronic_company):
    erp_simulator.state.dian_url = "http://127.0.0.1:9/WcfDianCustomerServices.svc"
    with client_for(erp_simulator) as client:
        invoice = client.create_invoice(invoice_payload(stamp={"send": True}), idempotency_key="order1")
    assert (invoice.name, invoice.stamp.status) == ("FE1001", "Draft")
    assert invoice.stamp.cufe and "DIAN no respondió" in invoice.stamp.errors[0]
