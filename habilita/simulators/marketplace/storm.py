"""A reproducible notification storm: what a busy sale day does to a receiver.

:func:`plan_storm` is pure: the same :class:`StormSpec` and ``now`` give the
same orders, notifications and manifest. :func:`play_storm` puts a plan into
a :class:`~.store.Marketplace` (the dispatcher then delivers it); ``storm``
does both. The admin endpoint ``POST /_admin/storm`` and benchmarks use them.

What a storm holds (``N`` = ``orders``):

- sales notified about five times each for ``paid`` (``paid_notifications``,
  as integrators report), every notification shuffled: duplicates and
  out-of-order delivery (a ``cancelled`` may arrive before its ``paid``);
- some orders paid then cancelled (``cancelled_after_paid``), some never paid
  (``unpaid``), some ``fulfillment``, some from an ``excluded_channel``, and
  some sharing a ``pack_id`` (a cart);
- ``silent`` paid orders whose notifications are never sent: only the
  search (reconciliation) and ``/missed_feeds`` reveal them.

Played *settled* (the default), every order is already in its final state
when the first notification goes out, so a receiver that re-reads the order
sees the final state and the expected invoices are exactly the manifest's
``to_invoice`` (plus ``to_invoice_fulfillment`` when fulfillment orders are
invoiced). Played *live* (``pace_seconds``), status changes happen in time
order while earlier notifications are in flight: a receiver may see a
``cancelled_after_paid`` order while it is still paid.

Manifest (JSON)::

    {"seed", "seller_id", "now", "excluded_channel",
     "counts": {"orders", "notifications", "unsent_notifications", "events",
                "duplicates", "paid", "cancelled_after_paid", "unpaid",
                "fulfillment", "excluded_channel", "silent", "packs"},
     "groups": {"paid", "cancelled_after_paid", "unpaid", "fulfillment",
                "excluded_channel", "silent", "to_invoice", "to_invoice_fulfillment"}  # order ids
     "orders": [{"order_id", "pack_id", "kind", "history": [[status, at], ...],
                 "final_status", "logistic_type", "source_channel", "silent",
                 "notifications", "total", "items": [{"seller_sku", "quantity", "unit_price"}]}],
     "delivery": [order id per notification, in the order they are queued]}

``notifications`` counts what is sent (M), ``unsent_notifications`` what the
silent orders' events recorded without sending, ``events`` the distinct
(order, status) changes notified, ``duplicates`` = notifications - events.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from habilita.channels.orders import LOGISTIC_TYPES, Buyer, Order, OrderItem

from .store import (
    Marketplace,
    MarketplaceError,
    StoredOrder,
    check_seller,
    iso_z,
    order_timestamp,
)

CATALOG = (  # (seller SKU, title, price in COP, product code, barcode)
    ("CAM-ALG-M", "Camiseta algodón talla M", 45900, "P-1001", "7701234000011"),
    ("CAM-ALG-L", "Camiseta algodón talla L", 45900, "P-1002", "7701234000028"),
    ("TERM-500", "Termo acero 500 ml", 62000, "P-2001", "7701234000035"),
    ("AUD-BT-01", "Audífonos bluetooth", 129900, "P-3001", ""),
    ("CAFE-250", "Café de origen 250 g", 28500, "", "7701234000059"),
    ("MOCH-20L", "Morral 20 litros", 159000, "P-4001", "7701234000066"),
    ("LAMP-LED", "Lámpara LED escritorio", 84900, "P-5001", ""),
    ("CUAD-100", "Cuaderno 100 hojas", 8900, "P-6001", "7701234000080"),
)
BUYERS = (  # (name, document type, number, city, state) as buyers type them
    ("Laura Gómez", "CC", "1020304050", "Bogotá D.C.", "Bogotá D.C."),
    ("Andrés Restrepo", "CC", "71234567", "Medellin", "Antioquia"),
    ("María Fernanda Ortiz", "", "", "Cali", "Valle del Cauca"),
    ("Distribuciones El Roble SAS", "NIT", "900123456", "Barranquilla", "Atlántico"),
    ("Juan Pablo Díaz", "CC", "1098765432", "Bucaramanga", "Santander"),
    ("Camila Torres", "", "", "Cartagena", "Bolívar"),
    ("Sebastián Ríos", "CE", "456789", "Pereira", "Risaralda"),
    ("Valentina Castro", "CC", "52345678", "Villa del Rosario", "Norte de Santander"),
)
OTHER_LOGISTICS = tuple(t for t in LOGISTIC_TYPES if t not in ("fulfillment", "not_specified"))
MAX_ORDERS = 10_000  # a seed's block of order ids holds about twice as many
UNPAID_HISTORIES = (("payment_required",), ("payment_in_process",), ("payment_required", "cancelled"),
                    ("confirmed",))


@dataclass(frozen=True)
class StormSpec:
    """What to generate. Fractions are of ``orders``; ``silent`` is a count.

    ``notifications``: the total to send (M); None lets each paid event get
    ``paid_notifications`` ± 2 and every other event 1 or 2.
    """

    seed: int
    orders: int = 20
    seller_id: str = "123456789"
    paid_notifications: int = 5
    notifications: int | None = None
    cancelled_after_paid: float = 0.15
    unpaid: float = 0.1
    fulfillment: float = 0.2
    excluded: float = 0.1
    excluded_channel: str = "mshops"
    source_channel: str = "marketplace"
    silent: int = 2
    packs: float = 0.2
    currency: str = "COP"
    first_order_id: int = 2000005000000000
    span_minutes: int = 120

    def __post_init__(self) -> None:
        if not 1 <= self.orders <= MAX_ORDERS:
            raise MarketplaceError(f"orders: a storm has 1 to {MAX_ORDERS} orders, not {self.orders}")
        if self.paid_notifications < 1:
            raise MarketplaceError("paid_notifications must be at least 1")
        for name in ("cancelled_after_paid", "unpaid", "fulfillment", "excluded", "packs"):
            if not 0 <= getattr(self, name) <= 1:
                raise MarketplaceError(f"{name} is a fraction between 0 and 1, not {getattr(self, name)!r}")
        if self.cancelled_after_paid + self.unpaid > 1:
            raise MarketplaceError("cancelled_after_paid + unpaid cannot exceed 1")
        if self.silent < 0:
            raise MarketplaceError("silent cannot be negative")
        if self.excluded_channel == self.source_channel:
            raise MarketplaceError("excluded_channel must differ from source_channel")
        check_seller(self.seller_id)


@dataclass(frozen=True)
class PlannedOrder:
    """An order in its final state, how it got there and how it is notified."""

    order: Order
    kind: str                                   # paid / cancelled_after_paid / unpaid
    history: tuple[tuple[str, datetime], ...]   # (status, when), oldest first
    silent: bool
    notifications: tuple[int, ...]              # per history event, how many are sent (or recorded, if silent)


@dataclass(frozen=True)
class StormPlan:
    spec: StormSpec
    now: datetime
    orders: tuple[PlannedOrder, ...]
    delivery: tuple[tuple[str, int], ...]       # (order id, history index) per sent notification, in queue order
    manifest: dict


def plan_storm(spec: StormSpec, now: datetime) -> StormPlan:
    """The storm for ``spec`` as of ``now`` (aware): pure and reproducible."""
    if now.tzinfo is None:
        raise MarketplaceError("now must carry a time zone")
    rng = random.Random(spec.seed)  # nosec B311 # a reproducible test storm: nothing secret
    n = spec.orders
    indexes = list(range(n))
    rng.shuffle(indexes)
    n_cancelled = round(n * spec.cancelled_after_paid)
    n_unpaid = round(n * spec.unpaid)
    kinds = ["paid"] * n
    for i in indexes[:n_cancelled]:
        kinds[i] = "cancelled_after_paid"
    for i in indexes[n_cancelled:n_cancelled + n_unpaid]:
        kinds[i] = "unpaid"
    excluded = set(rng.sample(range(n), round(n * spec.excluded)))
    fulfillment = set(rng.sample(range(n), round(n * spec.fulfillment)))
    silent_candidates = [i for i in range(n) if kinds[i] == "paid" and i not in excluded]
    if spec.silent > len(silent_candidates):
        raise MarketplaceError(f"silent: only {len(silent_candidates)} paid orders of the included channel "
                               f"to keep silent, not {spec.silent}")
    silent = set(rng.sample(silent_candidates, spec.silent))
    ids = _order_ids(rng, spec, n)
    packs = _packs(rng, spec, ids)

    planned = []
    for i in range(n):
        history_statuses = _history(rng, kinds[i])
        start = now - timedelta(minutes=rng.uniform(spec.span_minutes / 4, spec.span_minutes))
        moments = [start]
        for _ in history_statuses[1:]:
            moments.append(moments[-1] + (now - moments[-1]) * rng.uniform(0.1, 0.6))
        buyer = BUYERS[rng.randrange(len(BUYERS))]
        items = tuple(_item(rng, product) for product in rng.sample(CATALOG, rng.choice((1, 1, 1, 2, 3))))
        order = Order(
            order_id=ids[i], status=history_statuses[-1],
            logistic_type="fulfillment" if i in fulfillment else rng.choice(OTHER_LOGISTICS),
            source_channel=spec.excluded_channel if i in excluded else spec.source_channel,
            pack_id=packs.get(ids[i], ""), date_created=order_timestamp(moments[0]),
            last_updated=order_timestamp(moments[-1]), currency=spec.currency,
            buyer=Buyer(name=buyer[0], document_type=buyer[1], document_number=buyer[2],
                        email=f"comprador{rng.randrange(10**6)}@example.com", phone=f"3{rng.randrange(10**9):09d}",
                        city=buyer[3], state=buyer[4]),
            items=items, shipping_cost=rng.choice(("0", "0", "8900", "12500")))
        counts = tuple(1 if i in silent else _count(rng, spec, status) for status in history_statuses)
        planned.append(PlannedOrder(order=order, kind=kinds[i], history=tuple(zip(history_statuses, moments)),
                                    silent=i in silent, notifications=counts))

    if spec.notifications is not None:
        planned = _fit_total(rng, spec, planned)
    delivery = [(p.order.order_id, event) for p in planned if not p.silent
                for event, count in enumerate(p.notifications) for _ in range(count)]
    rng.shuffle(delivery)
    return StormPlan(spec=spec, now=now, orders=tuple(planned), delivery=tuple(delivery),
                     manifest=_manifest(spec, now, planned, delivery))


def play_storm(marketplace: Marketplace, plan: StormPlan, *, pace_seconds: float | None = None) -> None:
    """Put the plan's orders and notifications into ``marketplace``.

    Settled (``pace_seconds`` None): orders in their final state and every
    notification queued at once, in the plan's shuffled order. Live: events in
    time order, each applied and notified, ``pace_seconds`` apart.
    """
    seller_id = plan.spec.seller_id
    if pace_seconds is None:
        stored = [StoredOrder(seller_id=seller_id, order=p.order, updated_at=p.history[-1][1],
                              history=tuple((s, order_timestamp(at)) for s, at in p.history)) for p in plan.orders]
        by_id = {p.order.order_id: p for p in plan.orders}
        queued = [(order_id, by_id[order_id].history[event][1], False) for order_id, event in plan.delivery]
        unsent = [(p.order.order_id, at, True) for p in plan.orders if p.silent
                  for (_, at), count in zip(p.history, p.notifications) for _ in range(count)]
        marketplace.put_orders(stored, unsent + queued)
        return
    events = sorted(((at, index, event) for index, p in enumerate(plan.orders)
                     for event, (_, at) in enumerate(p.history)), key=lambda e: (e[0], e[1]))
    for at, index, event in events:
        p = plan.orders[index]
        status = p.history[event][0]
        count, held = p.notifications[event], p.silent
        if event == 0:
            stamp = order_timestamp(at)
            first = replace(p.order, status=status, date_created=stamp, last_updated=stamp)
            marketplace.put_orders([StoredOrder(seller_id=seller_id, order=first, updated_at=at,
                                                history=((status, stamp),))],
                                   [(p.order.order_id, at, held)] * count)
        else:
            marketplace.change_order(p.order.order_id, at=at, notify=0, status=status)
            marketplace.put_orders([], [(p.order.order_id, at, held)] * count)
        time.sleep(pace_seconds)


def storm(marketplace: Marketplace, spec: StormSpec, *, now: datetime | None = None,
          pace_seconds: float | None = None) -> dict:
    """Plan and play a storm; the manifest."""
    plan = plan_storm(spec, now or marketplace.clock())
    play_storm(marketplace, plan, pace_seconds=pace_seconds)
    return plan.manifest


def _order_ids(rng: random.Random, spec: StormSpec, n: int) -> list[str]:
    """Ascending ids in a block of a million per seed, so storms of different
    seeds can share a simulator (the same seed twice is refused as a replay)."""
    ids, current = [], spec.first_order_id + (spec.seed % 10**6) * 10**6
    for _ in range(n):
        current += rng.randint(1, 97)
        ids.append(str(current))
    return ids


def _packs(rng: random.Random, spec: StormSpec, ids: list[str]) -> dict[str, str]:
    """Pairs of consecutive orders sharing a cart's pack id."""
    packs, pairs = {}, round(len(ids) * spec.packs / 2)
    starts = rng.sample(range(0, len(ids) - 1, 2), min(pairs, len(ids) // 2)) if len(ids) > 1 else []
    for start in starts:
        pack_id = str(2000009000000000 + int(ids[start]) % 10**9)
        packs[ids[start]] = packs[ids[start + 1]] = pack_id
    return packs


def _history(rng: random.Random, kind: str) -> tuple[str, ...]:
    if kind == "paid":
        return rng.choice((("paid",), ("payment_required", "paid")))
    if kind == "cancelled_after_paid":
        return ("paid", "cancelled")
    return rng.choice(UNPAID_HISTORIES)


def _item(rng: random.Random, product: tuple) -> OrderItem:
    sku, title, price, code, barcode = product
    return OrderItem(seller_sku=sku, title=title, quantity=rng.choice((1, 1, 1, 2, 3)), unit_price=str(price),
                     product_code=code, barcode=barcode)


def _count(rng: random.Random, spec: StormSpec, status: str) -> int:
    if status == "paid":
        return rng.randint(max(1, spec.paid_notifications - 2), spec.paid_notifications + 2)
    return rng.randint(1, 2)


def _fit_total(rng: random.Random, spec: StormSpec, planned: list[PlannedOrder]) -> list[PlannedOrder]:
    """Set each sent event to one notification, then spread the rest over paid events."""
    events = [(i, e) for i, p in enumerate(planned) if not p.silent for e in range(len(p.history))]
    if spec.notifications < len(events):
        raise MarketplaceError(f"notifications: this storm has {len(events)} notified status changes, "
                               f"so at least {len(events)} notifications, not {spec.notifications}")
    counts = {key: 1 for key in events}
    paid = [(i, e) for i, e in events if planned[i].history[e][0] == "paid"] or events
    for _ in range(spec.notifications - len(events)):
        counts[rng.choice(paid)] += 1
    return [p if p.silent else PlannedOrder(order=p.order, kind=p.kind, history=p.history, silent=p.silent,
                                            notifications=tuple(counts[(i, e)] for e in range(len(p.history))))
            for i, p in enumerate(planned)]


def _manifest(spec: StormSpec, now: datetime, planned: list[PlannedOrder], delivery: list) -> dict:
    def ids(predicate) -> list[str]:
        return [p.order.order_id for p in planned if predicate(p)]

    def included(p: PlannedOrder) -> bool:
        return p.order.source_channel != spec.excluded_channel

    groups = {
        "paid": ids(lambda p: p.kind == "paid"),
        "cancelled_after_paid": ids(lambda p: p.kind == "cancelled_after_paid"),
        "unpaid": ids(lambda p: p.kind == "unpaid"),
        "fulfillment": ids(lambda p: p.order.is_fulfillment),
        "excluded_channel": ids(lambda p: not included(p)),
        "silent": ids(lambda p: p.silent),
        "to_invoice": ids(lambda p: p.order.is_paid and included(p) and not p.order.is_fulfillment),
        "to_invoice_fulfillment": ids(lambda p: p.order.is_paid and included(p) and p.order.is_fulfillment),
    }
    sent_events = sum(len(p.history) for p in planned if not p.silent)
    counts = {
        "orders": len(planned),
        "notifications": len(delivery),
        "unsent_notifications": sum(sum(p.notifications) for p in planned if p.silent),
        "events": sent_events,
        "duplicates": len(delivery) - sent_events,
        **{name: len(groups[name]) for name in ("paid", "cancelled_after_paid", "unpaid", "fulfillment",
                                                "excluded_channel", "silent")},
        "packs": len({p.order.pack_id for p in planned if p.order.pack_id}),
    }
    return {
        "seed": spec.seed, "seller_id": spec.seller_id, "now": iso_z(now),
        "excluded_channel": spec.excluded_channel, "counts": counts, "groups": groups,
        "orders": [{
            "order_id": p.order.order_id, "pack_id": p.order.pack_id, "kind": p.kind,
            "history": [[status, order_timestamp(at)] for status, at in p.history],
            "final_status": p.order.status, "logistic_type": p.order.logistic_type,
            "source_channel": p.order.source_channel, "silent": p.silent,
            "notifications": 0 if p.silent else sum(p.notifications),
            "total": str(p.order.total()),
            "items": [{"seller_sku": it.seller_sku, "quantity": it.quantity, "unit_price": it.unit_price}
                      for it in p.order.items],
        } for p in planned],
        "delivery": [order_id for order_id, _ in delivery],
    }
