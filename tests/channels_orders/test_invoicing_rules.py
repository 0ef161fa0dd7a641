"""The pure rules of habilita.channels.invoicing: eligibility and its reasons, SKU candidates, lines priced 0,
the ERP's payloads (dated today, payments equal to the total) and the idempotency key."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest

from habilita.channels import invoicing
from habilita.channels.configuration import ConnectionSettings
from habilita.channels.invoicing import ErpTax, MatchedLine, SkuCandidate, decide
from habilita.channels.orders import Buyer, Order, OrderItem
from habilita.dian.amounts import compute_totals
from habilita.dian.documents import Line, LineTax
from habilita.messages import Message
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.messages.stored import as_text
from tests.channels_orders.conftest import CONFIGURATION, RULES


def order(**changes) -> Order:
    base = dict(order_id="2000000000000123", status="paid", logistic_type="cross_docking",
                source_channel="marketplace", date_created="2025-03-01T10:00:00.000-05:00",
                last_updated="2025-03-01T10:00:00.000-05:00", currency="COP",
                buyer=Buyer(name="María Fernanda Ortiz", document_type="CC", document_number="1.020.304.050",
                            email="", phone="", city="Medellin", state="Antioquia"),
                items=(OrderItem(seller_sku="TERM-500", title="Termo", quantity=2, unit_price="62000"),),
                shipping_cost="0")
    return Order(**{**base, **changes})


def settings(**rules) -> ConnectionSettings:
    return ConnectionSettings(connection_id=1, version=3, configuration=CONFIGURATION,
                              rules=dataclasses.replace(RULES, **rules))


@pytest.mark.parametrize("changes, rules, outcome, code", [
    ({}, {}, "invoice", "order.to_invoice"),
    ({"status": "cancelled"}, {}, "skip", "order.cancelled"),
    ({"status": "invalid"}, {"order_states": ()}, "skip", "order.cancelled"),
    ({"status": "pending_cancel"}, {}, "wait", "order.cancelled"),
    ({}, {"enabled": False}, "skip", "order.invoicing_disabled"),
    ({"source_channel": "mshops"}, {}, "skip", "order.channel_excluded"),
    ({"source_channel": "mshops"}, {"source_channels": ()}, "invoice", "order.to_invoice"),
    ({"logistic_type": "fulfillment"}, {}, "skip", "order.fulfillment_excluded"),
    ({"logistic_type": "fulfillment"}, {"invoice_fulfillment": True}, "invoice", "order.to_invoice"),
    ({"status": "payment_required"}, {}, "wait", "order.state_not_selected"),
    ({"status": "payment_required"}, {"order_states": ()}, "invoice", "order.to_invoice"),  # none = all
    ({"status": "partially_refunded"}, {}, "wait", "order.state_not_selected"),
    ({"status": "paid"}, {"order_states": ("shipped",)}, "wait", "order.state_not_selected"),
])
def test_what_the_rules_decide_and_why(changes, rules, outcome, code):
    decision = decide(order(**changes), settings(**rules))
    assert (decision.outcome, decision.reason.code) == (outcome, code)


def test_an_unconfigured_paused_or_stopped_connection_makes_the_order_wait():
    assert decide(order(), None).reason.code == "order.not_configured"
    assert decide(order(), settings(), paused=True).reason.code == "order.connection_paused"
    assert decide(order(), dataclasses.replace(settings(), paused=True)).outcome == "wait"
    stopped = decide(order(), settings(), stopped_reason=as_text(Message("channels.stop_user_blocked")))
    assert stopped.outcome == "wait" and stopped.reason.params["reason"]["code"] == "channels.stop_user_blocked"
    # Final reasons first: a cancelled order of a paused connection is skipped.
    assert decide(order(status="cancelled"), settings(), paused=True).outcome == "skip"


def test_reasons_read_in_spanish():
    es = gettext_for("es")
    waiting = decide(order(status="payment_required"), settings())
    assert render(waiting.reason, es) == ("la orden está pendiente; esta conexión factura órdenes en estado "
                                          "enviada, completada: espera su próximo cambio")
    excluded = decide(order(source_channel="mshops"), settings())
    assert render(excluded.reason, es) == "la orden viene del canal mshops; esta conexión solo factura órdenes de marketplace"


def test_sku_candidates_go_override_seller_sku_product_code_barcode_then_generic():
    item = OrderItem(seller_sku="AUD-BT-01", title="Audífonos", quantity=1, unit_price="1", product_code="P-3001",
                     barcode="770123")
    assert invoicing.sku_candidates(item, 1, {"AUD-BT-01": "AUD-ERP"}, "GENERICO") == (
        SkuCandidate("code", "AUD-ERP", "override"), SkuCandidate("code", "AUD-BT-01", "seller_sku"),
        SkuCandidate("code", "P-3001", "product_code"), SkuCandidate("barcode", "770123", "barcode"),
        SkuCandidate("code", "GENERICO", "generic"))
    bare = OrderItem(seller_sku="", title="Café", quantity=1, unit_price="1", barcode="770999")
    assert invoicing.marketplace_sku(bare, 2) == "770999"
    assert invoicing.sku_candidates(bare, 2, {}, "") == (SkuCandidate("barcode", "770999", "barcode"),)
    same = OrderItem(seller_sku="X-1", title="x", quantity=1, unit_price="1", product_code="X-1")
    assert len(invoicing.sku_candidates(same, 1, {}, "X-1")) == 1


def test_a_line_priced_zero_is_named_with_its_sku_and_title():
    free = order(items=(OrderItem(seller_sku="A", title="Uno", quantity=1, unit_price="100"),
                        OrderItem(seller_sku="B", title="Regalo", quantity=1, unit_price="0.00")))
    assert invoicing.unpriced_line(free) == Message("order.line_without_price", {"line": 2, "sku": "B",
                                                                                 "title": "Regalo"})
    assert invoicing.unpriced_line(order()) is None


def test_the_invoice_is_dated_today_its_prices_exclude_vat_and_payments_equal_the_total():
    today = dt.date(2031, 5, 2)
    lines = (MatchedLine(line=1, marketplace_sku="TERM-500", code="TERM-500", quantity=3, unit_price="62000",
                         description="Termo", tax_ids=(13156,)),
             MatchedLine(line=0, marketplace_sku="ENVIO", code="ENVIO", quantity=1, unit_price="8900",
                         description="Envío"))
    taxes = {13156: ErpTax(id=13156, type="IVA", percentage="19")}
    payload = invoicing.invoice_payload(order(shipping_cost="8900"), settings(cost_center_id="235", send_to_dian=True),
                                        lines, taxes, customer_identification="1020304050", today=today)
    assert payload["date"] == "2031-05-02" and payload["payments"][0]["due_date"] == "2031-05-02"
    assert payload["stamp"] == {"send": True} and payload["cost_center"] == 235
    assert payload["document"] == {"id": 24446} and payload["seller"] == 629
    assert payload["items"][0] == {"code": "TERM-500", "description": "Termo", "quantity": 3, "price": 52100.84,
                                   "taxes": [{"id": 13156}], "warehouse": 1270}
    total = compute_totals([Line(description="t", quantity=3, unit_price=Decimal("52100.84"),
                                 taxes=(LineTax(scheme="01", percent=Decimal(19)),)),
                            Line(description="e", quantity=1, unit_price=Decimal(8900))]).payable
    assert Decimal(str(payload["payments"][0]["value"])) == total
    assert abs(total - (3 * 62000 + 8900)) <= Decimal("0.05")


def test_the_customer_comes_from_the_buyer_and_the_defaults():
    customer = invoicing.customer_payload(order(), settings())
    assert customer["id_type"] == "13" and customer["identification"] == "1020304050"
    assert customer["name"] == ["María Fernanda", "Ortiz"] and customer["person_type"] == "Person"
    assert customer["address"]["city"] == {"country_code": "Co", "state_code": "05", "city_code": "05001"}
    assert customer["contacts"][0]["email"] == "ventas@tienda.co"          # the default e-mail
    assert customer["phones"] == [{"number": "6015551234"}]                 # the default phone
    nobody = invoicing.customer_payload(order(buyer=Buyer(name="Camila", city="Pueblo Inventado")), settings())
    assert nobody["identification"] == invoicing.FINAL_CONSUMER_ID and nobody["name"] == ["Consumidor", "Final"]
    assert nobody["address"]["city"]["city_code"] == "11001"                # the default DANE city
    company = invoicing.customer_payload(order(buyer=Buyer(name="El Roble SAS", document_type="NIT",
                                                           document_number="900123456")), settings())
    assert (company["id_type"], company["person_type"], company["name"]) == ("31", "Company", ["El Roble SAS"])


def test_the_idempotency_key_is_short_alphanumeric_stable_and_names_one_order():
    key = invoicing.idempotency_key("900123456", 7, "2000000000000123")
    assert re.fullmatch(r"[0-9A-Za-z]{1,30}", key) and len(key) == 30
    assert key == invoicing.idempotency_key("900123456", 7, "2000000000000123")
    others = {invoicing.idempotency_key("900123456", 8, "2000000000000123"),
              invoicing.idempotency_key("900123457", 7, "2000000000000123"),
              invoicing.idempotency_key("900123456", 7, "2000000000000124")}
    assert key not in others and len(others) == 3
    assert invoicing.order_workflow_id("900123456", 7, "2000000000000123") == "order-900123456-7-2000000000000123"
