"""With "Enviar a DIAN" on, the ERP stamps the invoice at DIAN and the order's row keeps its CUFE and status."""
from __future__ import annotations

import asyncio

import pytest

from habilita.dian.certificates import generate_test_certificate
from tests.channels.conftest import COMPANY_NAME, COMPANY_NIT
from tests.channels.test_erp_dian import TECHNICAL_KEY, portal_post


@pytest.fixture(scope="module")
def company_certificate():
    return generate_test_certificate(COMPANY_NIT, COMPANY_NAME)


@pytest.fixture
def electronic(hub, dian_simulator, company_certificate):
    """The hub's ERP company enabled at DIAN's portal and set up to send its invoices."""
    erp = hub.erp
    erp.state.dian_url = dian_simulator.soap_url
    registered = portal_post(dian_simulator, "/portal/companies", {"nit": COMPANY_NIT, "legal_name": COMPANY_NAME})
    portal_post(dian_simulator, f"/portal/companies/{COMPANY_NIT}/resolutions",
                {"kind": "invoice", "prefix": "FE", "from_number": 1000, "to_number": 5000,
                 "resolution_number": "18764000012345", "technical_key": TECHNICAL_KEY})
    erp.admin.configure("numbering", {"prefix": "FE", "from_number": 1000, "to_number": 5000,
                                      "resolution": "18764000012345", "technical_key": TECHNICAL_KEY,
                                      "next_number": 1001})
    erp.admin.configure("dian", {"software_id": registered["software_id"], "pin": registered["pin"],
                                 "key_pem": company_certificate.key_pem().decode(),
                                 "cert_pem": company_certificate.cert_pem().decode()})
    hub.set_rules(send_to_dian=True)
    return hub


async def test_an_invoice_sent_to_dian_leaves_its_cufe_on_the_order(electronic, running):
    hub = running
    order_id = hub.create_order(notify=2, shipping_cost="12500", items=[
        {"seller_sku": "MOCH-20L", "title": "Morral 20 litros", "quantity": 1, "unit_price": "159000"}])

    rows = await hub.order_states([order_id], "invoiced", seconds=40)
    outcome = await asyncio.wait_for(hub.handle(order_id).result(), timeout=20)

    (invoice,) = hub.invoices()
    row = rows[order_id]
    assert invoice["stamp"]["status"] == "Accepted", invoice["stamp"]
    assert row.dian_status == "Accepted" and row.cufe == invoice["stamp"]["cufe"] and len(row.cufe) == 96
    assert row.invoice_number == invoice["name"] == "FE1001"
    assert outcome.invoice.cufe == row.cufe
