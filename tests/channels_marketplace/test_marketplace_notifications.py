"""Notifications from the simulator to a receiver over HTTP: delivery, the
500 ms rule, retries, and the missed feeds read with the real client."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from habilita.adapters.marketplace_errors import MarketplaceRefused
from habilita.channels.orders import (
    ORDERS_TOPIC,
    Buyer,
    Order,
    OrderItem,
    parse_notification,
)
from habilita.simulators.marketplace import Marketplace, StoredOrder

from .conftest import SELLER, TEST_POLICY


def test_a_notification_reaches_the_receiver(admin, marketplace_simulator, marketplace_client, receiver):
    served = admin.create_order(status="paid")
    body = receiver.wait_for(1)[0]
    notification = parse_notification(body)
    assert notification.order_id() == served["order_id"]
    assert notification.topic == ORDERS_TOPIC and notification.user_id == SELLER
    assert notification.application_id == marketplace_simulator.marketplace.application_id
    assert notification.attempts == 1 and notification.sent and notification.received
    assert isinstance(body["user_id"], int) and isinstance(body["application_id"], int)
    states = admin.wait_settled()
    assert [s["acknowledged"] for s in states] == [True]
    assert marketplace_client.missed_notifications(marketplace_simulator.marketplace.application_id) == []


def test_duplicates_arrive_as_many_times_as_sent(admin, receiver):
    served = admin.create_order(status="paid", notify=5)
    received = receiver.wait_for(5)
    assert {parse_notification(b).order_id() for b in received} == {served["order_id"]}
    assert len({b["_id"] for b in received}) == 5
    admin.wait_settled()
    assert len(receiver.received) == 5


def test_a_slow_receiver_leaves_the_notification_missed(admin, marketplace_simulator, marketplace_client, receiver):
    receiver.delay = 0.7   # more than the 500 ms the marketplace waits
    served = admin.create_order(status="paid")
    received = receiver.wait_for(TEST_POLICY.max_attempts)
    assert [b["attempts"] for b in received] == list(range(1, TEST_POLICY.max_attempts + 1))
    states = admin.wait_settled()
    assert not states[0]["acknowledged"] and "within 500 ms" in states[0]["response"]["error"]

    missed = marketplace_client.missed_notifications(marketplace_simulator.marketplace.application_id)
    assert len(missed) == 1
    assert missed[0].order_id() == served["order_id"] and missed[0].attempts == TEST_POLICY.max_attempts
    assert len(receiver.received) == TEST_POLICY.max_attempts   # no more retries once attempts are spent


def test_an_error_answer_is_retried_and_a_later_200_acknowledges(admin, marketplace_simulator, marketplace_client,
                                                                  receiver):
    receiver.status = 500
    admin.create_order(status="paid")
    receiver.wait_for(1)
    receiver.status = 200
    received = receiver.wait_for(2)
    assert [b["attempts"] for b in received] == [1, 2]
    admin.wait_settled()
    assert marketplace_client.missed_notifications(marketplace_simulator.marketplace.application_id) == []


def test_without_a_notification_url_nothing_is_sent_and_all_is_missed(admin, marketplace_simulator,
                                                                      marketplace_client):
    served = admin.create_order(status="paid", notify=2)
    missed = marketplace_client.missed_notifications(marketplace_simulator.marketplace.application_id)
    assert [(n.order_id(), n.attempts, n.sent) for n in missed] == [(served["order_id"], 0, "")] * 2


def test_missed_feeds_page_and_refuse_another_application(admin, marketplace_simulator, marketplace_client):
    for _ in range(3):
        admin.create_order(status="paid", notify=25)     # no URL set: 75 missed notifications
    app_id = marketplace_simulator.marketplace.application_id
    assert len(marketplace_client.missed_notifications(app_id)) == 75
    with pytest.raises(MarketplaceRefused) as caught:
        marketplace_client.missed_notifications("1")
    assert caught.value.status == 403


def test_missed_notifications_are_kept_about_two_days():
    now = [datetime(2025, 3, 1, 12, 0, tzinfo=UTC)]
    marketplace = Marketplace(clock=lambda: now[0])
    stamp = now[0].isoformat()
    order = Order(order_id="2000000000000001", status="paid", logistic_type="drop_off", source_channel="marketplace",
                  date_created=stamp, last_updated=stamp, currency="COP", buyer=Buyer(),
                  items=(OrderItem("SKU-1", "Camiseta", 1, "45900"),))
    marketplace.put_orders([StoredOrder(seller_id=SELLER, order=order, updated_at=now[0])],
                           [(order.order_id, now[0], True)])
    now[0] += timedelta(days=1, hours=23)
    assert len(marketplace.missed()) == 1
    now[0] += timedelta(hours=2)
    assert marketplace.missed() == []
