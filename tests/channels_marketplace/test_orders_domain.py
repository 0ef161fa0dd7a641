"""The order and notification values: validation, resource parsing, and the
round trip through Temporal's default converter."""
from __future__ import annotations

from decimal import Decimal

import pytest
from temporalio.converter import DataConverter

from habilita.channels.orders import (
    Buyer,
    Notification,
    Order,
    OrderDataError,
    OrderItem,
    order_id_from_resource,
    parse_notification,
)


def make_order(**changes) -> Order:
    fields = {"order_id": "2000001234", "status": "paid", "logistic_type": "cross_docking",
              "source_channel": "marketplace", "date_created": "2025-03-01T09:00:00.000-05:00",
              "last_updated": "2025-03-01T09:05:00.000-05:00", "currency": "COP",
              "buyer": Buyer(name="Laura Gómez", city="Bogotá"),
              "items": (OrderItem("SKU-1", "Camiseta", 2, "45900"), OrderItem("SKU-2", "Café", 1, "12500.50")),
              "shipping_cost": "8900", "pack_id": "2000009000000001"}
    return Order(**{**fields, **changes})


def test_resource_gives_the_order_id():
    assert order_id_from_resource("/orders/2000001234") == "2000001234"


@pytest.mark.parametrize("resource", [
    "/orders/١٢٣",              # Arabic-Indic digits: str.isdigit() would accept them
    "/orders/１２３",            # full-width digits
    "/orders/12;DROP",
    "/orders/12/",
    "/orders/12\n",
    "/orders/12?x=1",
    "/orders/",
    "/orders/-12",
    "orders/12",
    "/items/12",
    "/orders/12/../13",
    "/orders/" + "1" * 21,
    "",
    None,
    12,
])
def test_resource_parsing_refuses_anything_but_ascii_digits(resource):
    with pytest.raises(OrderDataError, match="resource") as caught:
        order_id_from_resource(resource)
    assert caught.value.field == "resource"


def test_notification_payload_is_parsed_with_numeric_ids():
    notification = parse_notification({"resource": "/orders/2000001234", "topic": "orders_v2", "user_id": 123456789,
                                       "application_id": 5503910054141466, "attempts": 2,
                                       "sent": "2025-03-01T14:00:00.100Z", "received": "2025-03-01T14:00:00.000Z"})
    assert notification == Notification(resource="/orders/2000001234", topic="orders_v2", user_id="123456789",
                                        application_id="5503910054141466", attempts=2,
                                        sent="2025-03-01T14:00:00.100Z", received="2025-03-01T14:00:00.000Z")
    assert notification.order_id() == "2000001234"


@pytest.mark.parametrize("payload, field", [
    ({"topic": "orders_v2", "user_id": 1, "application_id": 2}, "resource"),
    ({"resource": "/orders/1", "user_id": 1, "application_id": 2}, "topic"),
    ({"resource": "/orders/1", "topic": "orders_v2", "user_id": "١٢", "application_id": 2}, "user_id"),
    ({"resource": "/orders/1", "topic": "orders_v2", "user_id": True, "application_id": 2}, "user_id"),
    ({"resource": "/orders/1", "topic": "orders_v2", "user_id": 1}, "application_id"),
    ({"resource": "/orders/1", "topic": "orders_v2", "user_id": 1, "application_id": 2, "attempts": "2"},
     "attempts"),
])
def test_notification_payload_refusals_name_the_field(payload, field):
    with pytest.raises(OrderDataError) as caught:
        parse_notification(payload)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}:")


def test_a_notification_of_another_topic_has_no_order():
    notification = Notification(resource="/orders/1", topic="items", user_id="1", application_id="2")
    with pytest.raises(OrderDataError, match="topic"):
        notification.order_id()


def test_order_totals_are_exact_decimals():
    order = make_order()
    assert order.items_total() == Decimal("104300.50")
    assert order.total() == Decimal("113200.50")
    assert order.is_paid and not order.is_fulfillment


@pytest.mark.parametrize("changes, field", [
    ({"status": "shipped"}, "status"),
    ({"logistic_type": "drone"}, "logistic_type"),
    ({"order_id": "12a"}, "order_id"),
    ({"order_id": "١٢٣"}, "order_id"),
    ({"pack_id": "x"}, "pack_id"),
    ({"items": ()}, "items"),
    ({"shipping_cost": "-1"}, "shipping_cost"),
    ({"shipping_cost": "1e3"}, "shipping_cost"),
])
def test_invalid_orders_are_refused_naming_the_field(changes, field):
    with pytest.raises(OrderDataError) as caught:
        make_order(**changes)
    assert caught.value.field == field


@pytest.mark.parametrize("quantity, price, field", [
    (0, "1", "quantity"), (True, "1", "quantity"), (1, "12,5", "unit_price"), (1, "NaN", "unit_price"),
    (1, "٣", "unit_price"), (1, 100, "unit_price"),
])
def test_invalid_items_are_refused(quantity, price, field):
    with pytest.raises(OrderDataError) as caught:
        OrderItem("SKU", "t", quantity, price)
    assert caught.value.field == field


def test_orders_and_notifications_survive_temporals_default_converter():
    converter = DataConverter.default.payload_converter
    order = make_order()
    notification = Notification(resource="/orders/2000001234", topic="orders_v2", user_id="1", application_id="2",
                                attempts=3, sent="a", received="b")
    payloads = converter.to_payloads([order, notification])
    assert converter.from_payloads(payloads, [Order, Notification]) == [order, notification]
