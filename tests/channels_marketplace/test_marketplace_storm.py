"""The seeded notification storm: reproducible, internally consistent, and
what a receiver and the reconciliation actually see when it is played."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import requests

from habilita.adapters.marketplace_client import MarketplaceClient
from habilita.channels.orders import parse_notification
from habilita.simulators.marketplace import (
    MarketplaceError,
    StormSpec,
    plan_storm,
    play_storm,
)

from .conftest import SELLER

NOW = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)


def test_the_same_seed_gives_the_same_storm():
    first = plan_storm(StormSpec(seed=7, orders=40), NOW)
    again = plan_storm(StormSpec(seed=7, orders=40), NOW)
    other = plan_storm(StormSpec(seed=8, orders=40), NOW)
    assert first.manifest == again.manifest and first.orders == again.orders
    assert other.manifest["delivery"] != first.manifest["delivery"]
    assert not set(other.manifest["groups"]["paid"]) & set(first.manifest["groups"]["paid"])


@pytest.mark.parametrize("seed", [1, 2, 3, 42])
def test_the_manifest_is_internally_consistent(seed):
    spec = StormSpec(seed=seed, orders=60, silent=3)
    manifest = plan_storm(spec, NOW).manifest
    counts, groups, orders = manifest["counts"], manifest["groups"], manifest["orders"]
    by_id = {o["order_id"]: o for o in orders}
    assert counts["orders"] == len(orders) == len(by_id) == 60
    for name in ("paid", "cancelled_after_paid", "unpaid", "fulfillment", "excluded_channel", "silent"):
        assert counts[name] == len(groups[name])
    assert counts["paid"] + counts["cancelled_after_paid"] + counts["unpaid"] == 60
    assert counts["cancelled_after_paid"] == 9 and counts["unpaid"] == 6
    assert counts["fulfillment"] == 12 and counts["excluded_channel"] == 6 and counts["silent"] == 3

    sent = [o for o in orders if not o["silent"]]
    assert counts["notifications"] == len(manifest["delivery"]) == sum(o["notifications"] for o in sent)
    assert counts["events"] == sum(len(o["history"]) for o in sent)
    assert counts["duplicates"] == counts["notifications"] - counts["events"]
    assert counts["unsent_notifications"] == sum(len(o["history"]) for o in orders if o["silent"])
    assert Counter(manifest["delivery"]) == {o["order_id"]: o["notifications"] for o in sent}
    assert manifest["delivery"] != sorted(manifest["delivery"])          # out of order

    for order in orders:
        assert order["final_status"] == order["history"][-1][0]
    assert all(by_id[i]["history"][0][0] == "paid" and by_id[i]["final_status"] == "cancelled"
               for i in groups["cancelled_after_paid"])
    assert all("paid" not in [s for s, _ in by_id[i]["history"]] for i in groups["unpaid"])
    paid_included = {o["order_id"] for o in orders
                     if o["final_status"] == "paid" and o["source_channel"] != manifest["excluded_channel"]}
    assert set(groups["to_invoice"]) | set(groups["to_invoice_fulfillment"]) == paid_included
    assert not set(groups["to_invoice"]) & set(groups["fulfillment"])
    assert set(groups["to_invoice_fulfillment"]) <= set(groups["fulfillment"])
    assert set(groups["silent"]) <= paid_included
    for pack in {o["pack_id"] for o in orders if o["pack_id"]}:
        assert sum(o["pack_id"] == pack for o in orders) == 2


def test_about_five_paid_notifications_per_sale():
    plan = plan_storm(StormSpec(seed=5, orders=200, silent=0), NOW)
    paid_counts = [count for p in plan.orders for (status, _), count in zip(p.history, p.notifications)
                   if status == "paid"]
    assert 4.5 <= sum(paid_counts) / len(paid_counts) <= 5.5
    assert min(paid_counts) >= 3 and max(paid_counts) <= 7


def test_a_total_number_of_notifications_is_met_exactly():
    manifest = plan_storm(StormSpec(seed=9, orders=30, notifications=150), NOW).manifest
    assert manifest["counts"]["notifications"] == len(manifest["delivery"]) == 150
    with pytest.raises(MarketplaceError, match="at least"):
        plan_storm(StormSpec(seed=9, orders=30, notifications=5), NOW)


@pytest.mark.parametrize("changes, message", [
    ({"orders": 0}, "orders"), ({"fulfillment": 1.5}, "fulfillment"), ({"silent": 50, "orders": 10}, "silent"),
    ({"cancelled_after_paid": 0.6, "unpaid": 0.6}, "exceed"), ({"excluded_channel": "marketplace"}, "differ"),
])
def test_impossible_storms_are_refused(changes, message):
    with pytest.raises(MarketplaceError, match=message):
        plan_storm(StormSpec(seed=1, **changes), NOW)


def test_a_played_storm_reaches_the_receiver_and_the_reconciliation(admin, marketplace_simulator, receiver):
    now = datetime.now(UTC).replace(microsecond=0)   # missed feeds keep only two days
    answer = admin.post("/_admin/storm", {"seed": 11, "orders": 12, "silent": 2, "seller_id": SELLER,
                                          "now": now.isoformat()}, expect=200)
    manifest = answer["manifest"]
    assert manifest == plan_storm(StormSpec(seed=11, orders=12, silent=2, seller_id=SELLER), now).manifest

    received = receiver.wait_for(manifest["counts"]["notifications"], seconds=20)
    admin.wait_settled()
    assert len(receiver.received) == manifest["counts"]["notifications"]
    notified = Counter(parse_notification(body).order_id() for body in received)
    assert notified == Counter(manifest["delivery"])
    assert not set(notified) & set(manifest["groups"]["silent"])

    with MarketplaceClient(marketplace_simulator.url, token=answer["access_token"]) as client:
        final = {o["order_id"]: o["final_status"] for o in manifest["orders"]}
        for order_id in set(notified):       # a receiver re-reading each order sees its final state
            assert client.order(order_id).status == final[order_id]
        everything = client.recent_orders(SELLER, (now - timedelta(days=1)).isoformat())
        assert {o.order_id: o.status for o in everything} == final
        missed = client.missed_notifications(answer["application_id"])
        assert sorted(n.order_id() for n in missed) == sorted(
            o["order_id"] for o in manifest["orders"] if o["silent"] for _ in o["history"])
        assert all(n.attempts == 0 and n.sent == "" for n in missed)

    replay = requests.post(f"{marketplace_simulator.url}/_admin/storm", timeout=10,
                           json={"seed": 11, "orders": 12, "silent": 2, "seller_id": SELLER})
    assert replay.status_code == 409 and "already exist" in replay.json()["message"]


def test_a_storm_needs_a_seed(admin):
    answer = admin.post("/_admin/storm", {"orders": 3}, expect=400)
    assert "seed" in answer["message"]
    assert "unknown" in admin.post("/_admin/storm", {"seed": 1, "colour": "red"}, expect=400)["message"]


def test_a_live_storm_changes_statuses_while_notifications_fly(marketplace_simulator, receiver):
    marketplace = marketplace_simulator.marketplace
    spec = StormSpec(seed=21, orders=6, silent=0, cancelled_after_paid=0.5, unpaid=0, seller_id=SELLER)
    plan = plan_storm(spec, datetime.now(UTC))
    play_storm(marketplace, plan, pace_seconds=0.01)
    receiver.wait_for(plan.manifest["counts"]["notifications"], seconds=20)
    for entry in plan.manifest["orders"]:
        stored = marketplace.order(entry["order_id"])
        assert stored.order.status == entry["final_status"]
        assert [status for status, _ in stored.history] == [status for status, _ in entry["history"]]
