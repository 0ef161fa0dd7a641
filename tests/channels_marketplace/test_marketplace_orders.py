"""Fetching orders from the simulator with the real client over HTTP: the
mapping to habilita's order, the refusals, and the reconciliation search."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from habilita.adapters.marketplace_client import MarketplaceClient, Timeouts
from habilita.adapters.marketplace_errors import (
    MarketplaceDataError,
    MarketplaceRefused,
    MarketplaceUnavailable,
)
from habilita.channels.orders import Buyer, Order, OrderItem
from habilita.simulators.marketplace import StoredOrder
from tests.harness import free_port

from .conftest import OTHER_SELLER, SELLER

FULL_ORDER = {
    "status": "paid", "logistic_type": "fulfillment", "source_channel": "mshops", "pack_id": "2000009000000042",
    "currency": "COP", "shipping_cost": "8900",
    "buyer": {"name": "Laura Gómez Díaz", "document_type": "CC", "document_number": "1020304050",
              "email": "laura@example.com", "phone": "3001234567", "city": "Bogotá D.C.", "state": "Bogotá D.C."},
    "items": [{"seller_sku": "CAM-ALG-M", "title": "Camiseta algodón", "quantity": 2, "unit_price": "45900",
               "product_code": "P-1001", "barcode": "7701234000011"},
              {"seller_sku": "", "title": "Café 250 g", "quantity": 1, "unit_price": "12500.50"}],
}


def test_order_is_fetched_and_mapped(admin, marketplace_client):
    served = admin.create_order(**FULL_ORDER)
    order = marketplace_client.order(str(served["id"]))
    assert order == Order(
        order_id=str(served["id"]), status="paid", logistic_type="fulfillment", source_channel="mshops",
        pack_id="2000009000000042", date_created=served["date_created"], last_updated=served["date_last_updated"],
        currency="COP", shipping_cost="8900",
        buyer=Buyer(name="Laura Gómez Díaz", document_type="CC", document_number="1020304050",
                    email="laura@example.com", phone="3001234567", city="Bogotá D.C.", state="Bogotá D.C."),
        items=(OrderItem("CAM-ALG-M", "Camiseta algodón", 2, "45900", product_code="P-1001", barcode="7701234000011"),
               OrderItem("", "Café 250 g", 1, "12500.5")),
    )
    assert str(order.total()) == "113200.5"


def test_order_json_has_the_marketplace_shape(admin, marketplace_simulator, seller_token):
    served = admin.create_order(**FULL_ORDER)
    body = requests.get(f"{marketplace_simulator.url}/orders/{served['id']}", timeout=5,
                        headers={"Authorization": f"Bearer {seller_token}"}).json()
    assert isinstance(body["id"], int) and isinstance(body["pack_id"], int)
    assert body["order_items"][0]["item"]["seller_sku"] == "CAM-ALG-M"
    assert body["order_items"][0]["quantity"] == 2 and body["order_items"][0]["unit_price"] == 45900
    assert body["shipping"]["logistic_type"] == "fulfillment"
    assert body["context"]["channel"] == "mshops"
    assert body["buyer"]["first_name"] == "Laura" and body["buyer"]["last_name"] == "Gómez Díaz"
    assert body["seller"]["id"] == int(SELLER)
    assert body["status"] == "paid" and body["date_last_updated"]


def test_a_status_change_is_seen_on_the_next_read(admin, marketplace_client):
    served = admin.create_order(status="paid")
    before = marketplace_client.order(str(served["id"]))
    changed = admin.post(f"/_admin/orders/{served['id']}", {"status": "cancelled", "notify": 0}, expect=200)
    after = marketplace_client.order(str(served["id"]))
    assert (before.status, after.status) == ("paid", "cancelled")
    assert after.last_updated == changed["order"]["date_last_updated"]
    history = admin.get(f"/_admin/orders/{served['id']}")["history"]
    assert [status for status, _ in history] == ["paid", "cancelled"]


def test_unknown_order_is_refused_with_its_id(marketplace_client):
    with pytest.raises(MarketplaceRefused) as caught:
        marketplace_client.order("2000000000000999")
    assert caught.value.not_found and caught.value.order_id == "2000000000000999"
    assert "order 2000000000000999 not found" in str(caught.value)
    assert not caught.value.retryable


def test_another_sellers_order_and_a_bad_token_are_refused(admin, marketplace_simulator, marketplace_client):
    other = admin.post("/_admin/orders", {"seller_id": OTHER_SELLER, "items": [{"title": "x", "unit_price": "1"}]},
                       expect=201)["order"]
    with pytest.raises(MarketplaceRefused) as caught:
        marketplace_client.order(str(other["id"]))
    assert caught.value.status == 403
    secret = "APP_USR-not-a-real-token-s3cr3t"
    with MarketplaceClient(marketplace_simulator.url, token=secret) as stranger:
        with pytest.raises(MarketplaceRefused) as caught:
            stranger.order(str(other["id"]))
        assert caught.value.status == 401
        assert secret not in str(caught.value) and secret not in repr(stranger)


@pytest.mark.parametrize("overrides, field", [
    ({"status": "teleported"}, "status"),
    ({"id": "12a"}, "id"),
    ({"id": 5}, "id"),
    ({"date_last_updated": "yesterday"}, "date_last_updated"),
    ({"currency_id": None}, "currency_id"),
    ({"order_items": []}, "order_items"),
    ({"order_items": [{"item": {"seller_sku": "X", "title": "t"}, "quantity": 1, "unit_price": -5}]},
     "order_items[0].unit_price"),
    ({"order_items": [{"item": {"seller_sku": "X", "title": "t"}, "quantity": 1.5, "unit_price": 5}]},
     "order_items[0].quantity"),
    ({"order_items": [{"item": {"seller_sku": 7, "title": "t"}, "quantity": 1, "unit_price": 5}]},
     "order_items[0].item.seller_sku"),
    ({"shipping": {"logistic_type": "drone"}}, "logistic_type"),
    ({"buyer": "someone"}, "buyer"),
])
def test_unmappable_answers_name_the_field(admin, marketplace_client, overrides, field):
    served = admin.create_order(overrides=overrides)
    with pytest.raises(MarketplaceDataError) as caught:
        marketplace_client.order(served["order_id"])
    assert caught.value.field == field, str(caught.value)
    assert field in str(caught.value)


def test_missing_optional_fields_take_the_documented_defaults(admin, marketplace_client):
    served = admin.create_order(overrides={"shipping": None, "context": None, "pack_id": None, "buyer": None,
                                           "shipping_cost": None})
    order = marketplace_client.order(str(served["id"]))
    assert (order.logistic_type, order.source_channel, order.pack_id, order.shipping_cost) == \
        ("not_specified", "marketplace", "", "0")
    assert order.buyer == Buyer()


def test_no_marketplace_is_unavailable():
    with MarketplaceClient(f"http://127.0.0.1:{free_port()}", token="t", timeouts=Timeouts(1, 1)) as client, \
            pytest.raises(MarketplaceUnavailable) as caught:
        client.order("1")
    assert caught.value.retryable


def test_an_order_id_that_is_not_digits_never_reaches_the_network(marketplace_client):
    with pytest.raises(ValueError, match="order_id"):
        marketplace_client.order("../_admin/notifications")


def _seed_orders(marketplace, seller: str, count: int, start: datetime) -> list[str]:
    orders = []
    for index in range(count):
        order_id = marketplace.new_order_id()
        at = start + timedelta(minutes=index)
        stamp = at.isoformat(timespec="milliseconds")
        orders.append(StoredOrder(seller_id=seller, updated_at=at, order=Order(
            order_id=order_id, status="paid", logistic_type="drop_off", source_channel="marketplace",
            date_created=stamp, last_updated=stamp, currency="COP", buyer=Buyer(),
            items=(OrderItem("SKU-1", "Camiseta", 1, "45900"),))))
    marketplace.put_orders(orders)
    return [o.order.order_id for o in orders]


def test_recent_orders_follow_every_page(marketplace_simulator, marketplace_client, seller_token):
    marketplace = marketplace_simulator.marketplace
    start = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    ids = _seed_orders(marketplace, SELLER, 120, start)
    _seed_orders(marketplace, OTHER_SELLER, 5, start)

    found = marketplace_client.recent_orders(SELLER, start.isoformat())
    assert [o.order_id for o in found] == ids

    since = (start + timedelta(minutes=100)).isoformat()
    assert [o.order_id for o in marketplace_client.recent_orders(SELLER, since)] == ids[100:]
    until = (start + timedelta(minutes=9)).isoformat()
    assert [o.order_id for o in marketplace_client.recent_orders(SELLER, start.isoformat(), until_iso=until)] \
        == ids[:10]

    page = requests.get(f"{marketplace_simulator.url}/orders/search", timeout=5,
                        headers={"Authorization": f"Bearer {seller_token}"},
                        params={"seller": SELLER, "order.date_last_updated.from": start.isoformat(),
                                "offset": 100, "limit": 50}).json()
    assert page["paging"] == {"total": 120, "offset": 100, "limit": 50} and len(page["results"]) == 20


@pytest.mark.parametrize("params, status", [
    ({"seller": SELLER, "limit": 51}, 400),
    ({"seller": SELLER, "limit": 0}, 400),
    ({"seller": SELLER, "offset": "-1"}, 400),
    ({"seller": SELLER, "order.date_last_updated.from": "2025-03-01T12:00:00"}, 400),   # no zone
    ({"seller": OTHER_SELLER}, 403),
])
def test_search_refusals(marketplace_simulator, seller_token, params, status):
    response = requests.get(f"{marketplace_simulator.url}/orders/search", params=params, timeout=5,
                            headers={"Authorization": f"Bearer {seller_token}"})
    assert response.status_code == status, response.text
    assert response.json()["status"] == status and response.json()["message"]


def test_recent_orders_want_a_zoned_time(marketplace_client):
    with pytest.raises(ValueError, match="since_iso"):
        marketplace_client.recent_orders(SELLER, "2025-03-01T12:00:00")
