"""Invoices and customers: idempotency, duplicates and every refusal code, through the real client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import requests

from habilita.adapters.erp_errors import ErpRefused

from .conftest import ACCESS_KEY, COMPANY_NIT, CUSTOMER, PRODUCTS, USERNAME, client_for, invoice_payload, today


def test_an_invoice_is_created_numbered_and_totalled(erp_simulator, erp_client):
    invoice = erp_client.create_invoice(invoice_payload(), idempotency_key="order2000001234")
    assert (invoice.prefix, invoice.number, invoice.name) == ("FV", 1, "FV1")
    assert invoice.total == Decimal("119000")
    assert (invoice.stamp.status, invoice.stamp.cufe, invoice.stamp.errors) == ("Draft", None, ())
    assert erp_client.get_invoice(invoice.id) == invoice
    second = erp_client.create_invoice(invoice_payload(), idempotency_key="order2000001235")
    assert second.name == "FV2"
    assert [i["name"] for i in erp_simulator.admin.invoices()] == ["FV1", "FV2"]


def test_the_same_idempotency_key_returns_the_same_invoice(erp_simulator, erp_client):
    first = erp_client.create_invoice(invoice_payload(), idempotency_key="MLorder2000001234")
    for _ in range(4):  # the same "paid" notification, five times
        assert erp_client.create_invoice(invoice_payload(), idempotency_key="MLorder2000001234") == first
    # Even a body that would now be refused: the key names the document already created.
    later = invoice_payload(date=(dt.date.fromisoformat(today()) - dt.timedelta(days=3)).isoformat())
    assert erp_client.create_invoice(later, idempotency_key="MLorder2000001234") == first
    assert len(erp_simulator.admin.invoices()) == 1


def test_without_a_key_a_repeated_document_is_a_duplicate(erp_simulator, erp_client):
    token = requests.post(erp_simulator.url + "/auth", json={"username": USERNAME, "access_key": ACCESS_KEY},
                          headers={"Partner-Id": "habilita"}, timeout=10).json()["access_token"]
    headers = {"Partner-Id": "habilita", "Authorization": f"Bearer {token}"}
    created = requests.post(erp_simulator.url + "/v1/invoices", json=invoice_payload(), headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    again = requests.post(erp_simulator.url + "/v1/invoices", json=invoice_payload(), headers=headers, timeout=10)
    assert again.status_code == 400
    error = again.json()["Errors"][0]
    assert (error["Code"], error["Params"]) == ("duplicated_document", [created.json()["name"]])
    assert len(erp_simulator.admin.invoices()) == 1


def refusal(client, payload: dict) -> ErpRefused:
    with pytest.raises(ErpRefused) as refused:
        client.create_invoice(payload, idempotency_key="refused1")
    assert refused.value.status == 400 and not refused.value.retryable
    return refused.value


def test_an_unknown_product_code_is_an_invalid_reference_naming_the_code(erp_simulator, erp_client):
    item = invoice_payload()["items"][0]
    payload = invoice_payload(items=[item, {**item, "code": "SKU-404"}, {**item, "code": "SKU-405"}],
                              payments=[{"id": 5636, "value": 357000}])
    refused = refusal(erp_client, payload)
    assert [(p.code, p.params, p.detail) for p in refused.problems] == [
        ("invalid_reference", ("SKU-404",), "items[1].code"), ("invalid_reference", ("SKU-405",), "items[2].code")]
    assert "SKU-404" in str(refused)
    assert erp_simulator.admin.invoices() == []


def test_an_inactive_product_is_refused(erp_client):
    payload = invoice_payload(items=[{"code": "SKU-OLD", "quantity": 1, "price": 20000}],
                              payments=[{"id": 5636, "value": 20000}])
    refused = refusal(erp_client, payload)
    assert (refused.code, refused.params) == ("parameter_inactive", ("SKU-OLD",))


def test_a_document_type_requiring_a_cost_center_refuses_an_invoice_without_one(erp_client):
    refused = refusal(erp_client, invoice_payload(document={"id": 24447}))
    assert (refused.code, refused.problems[0].detail) == ("document_settings", "cost_center")
    assert erp_client.create_invoice(invoice_payload(document={"id": 24447}, cost_center=235),
                                     idempotency_key="withcostcenter").name == "FV1"


def test_payments_must_add_up_to_the_total(erp_client):
    refused = refusal(erp_client, invoice_payload(payments=[{"id": 5636, "value": 100000}]))
    assert (refused.code, refused.params) == ("invalid_total_payments", ("100000.00", "119000.00"))
    split = [{"id": 5636, "value": 19000}, {"id": 5637, "value": 100000}]
    assert erp_client.create_invoice(invoice_payload(payments=split), idempotency_key="split").total == 119000


def test_an_invoice_dated_before_today_is_refused(erp_client):
    yesterday = (dt.date.fromisoformat(today()) - dt.timedelta(days=1)).isoformat()
    refused = refusal(erp_client, invoice_payload(date=yesterday))
    assert (refused.code, refused.params[0]) == ("invalid_date", yesterday)


def test_a_closed_period_blocks_transactions(erp_simulator, erp_client):
    erp_simulator.admin.configure("closed-until", {"date": today()})
    assert refusal(erp_client, invoice_payload()).code == "blocked_transactions"


def test_unknown_references_of_every_kind_are_named(erp_client):
    payload = invoice_payload(customer={"identification": "999"}, seller=1, document={"id": 1},
                              payments=[{"id": 5640, "value": 119000}])
    refused = refusal(erp_client, payload)
    assert [(p.code, p.detail) for p in refused.problems] == [
        ("invalid_reference", "document.id"), ("invalid_reference", "customer.identification"),
        ("invalid_reference", "seller"), ("parameter_inactive", "payments[0].id")]


def test_sending_to_dian_without_an_electronic_setup_is_refused(erp_simulator, erp_client):
    refused = refusal(erp_client, invoice_payload(stamp={"send": True}))
    assert refused.code == "document_settings" and "certificado" in refused.message
    assert erp_simulator.admin.invoices() == []


def test_customers_are_created_and_found_by_identification(erp_client):
    found = erp_client.find_customer("1020304050")
    assert (found.identification, found.branch_office, found.name) == ("1020304050", 0, "María López")
    assert erp_client.find_customer("1020304050", branch_office=1) is None
    with pytest.raises(ErpRefused) as duplicate:
        erp_client.create_customer(CUSTOMER)
    assert duplicate.value.code == "already_exists"
    company = {"person_type": "Company", "id_type": "31", "identification": "900123456", "check_digit": "8",
               "name": ["CLIENTE S.A.S."], "address": {"address": "Cra 7 # 71-21",
                                                       "city": {"state_code": "11", "city_code": "11001"}}}
    assert erp_client.create_customer(company).name == "CLIENTE S.A.S."


def test_a_customer_with_bad_codes_is_refused_field_by_field(erp_client):
    bad = {**CUSTOMER, "identification": "555", "id_type": "99",
           "address": {"address": "Calle 1", "city": {"state_code": "05", "city_code": "11001"}}}
    with pytest.raises(ErpRefused) as refused:
        erp_client.create_customer(bad)
    assert [(p.code, p.detail) for p in refused.value.problems] == [
        ("invalid_type", "id_type"), ("invalid_type", "address.city.city_code")]
    wrong_dv = {"person_type": "Company", "id_type": "31", "identification": "900123456", "check_digit": "1",
                "name": ["X S.A.S."],
                "address": {"address": "Cra 7", "city": {"state_code": "11", "city_code": "11001"}}}
    with pytest.raises(ErpRefused) as refused:
        erp_client.create_customer(wrong_dv)
    assert refused.value.problems[0].detail == "identification"


def test_an_idempotency_key_must_be_short_and_alphanumeric(erp_client):
    with pytest.raises(ValueError):
        erp_client.create_invoice(invoice_payload(), idempotency_key="order-2000001234")
    with pytest.raises(ValueError):
        erp_client.create_invoice(invoice_payload(), idempotency_key="x" * 31)


def test_two_companies_number_and_key_their_invoices_apart(erp_simulator, erp_client):
    erp_simulator.admin.create_company("900111222", username="otra@apionmicrosoft.com", access_key="otra")
    erp_simulator.admin.add_products(PRODUCTS, nit="900111222")
    with client_for(erp_simulator, username="otra@apionmicrosoft.com", access_key="otra") as other:
        other.create_customer(CUSTOMER)
        mine = erp_client.create_invoice(invoice_payload(), idempotency_key="samekey")
        theirs = other.create_invoice(invoice_payload(), idempotency_key="samekey")
    assert mine.id != theirs.id and mine.name == theirs.name == "FV1"
    assert len(erp_simulator.admin.invoices(COMPANY_NIT)) == len(erp_simulator.admin.invoices("900111222")) == 1
