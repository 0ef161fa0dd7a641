"""The marketplace's state, in memory: sellers and their tokens, orders, and
every notification with its delivery history.

One lock guards everything, and a condition on it wakes the dispatcher when a
notification falls due. The dispatcher only takes due deliveries and reports
how each went (:meth:`Marketplace.next_delivery`, :meth:`Marketplace.delivered`):
the HTTP sending happens outside the lock, so a slow receiver never blocks
the API.

A notification is *acknowledged* when the receiver answered 200 in time.
Until then it is *missed* (listed by ``/missed_feeds`` for ``retention``,
about two days as the real marketplace) once it was tried and failed, or when
it was never going to be sent: created while no notification URL was set, or
held back on purpose (a storm's silent orders).
"""
from __future__ import annotations

import copy
import heapq
import itertools
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone

from habilita.channels.orders import (
    LOGISTIC_TYPES,
    ORDER_STATUSES,
    ORDERS_TOPIC,
    Order,
    check_id,
)

DEFAULT_APPLICATION_ID = "5503910054141466"
FIRST_ORDER_ID = 2000000000000001
RETENTION = timedelta(days=2)


class MarketplaceError(ValueError):
    """A request the simulator refuses; ``status`` and ``code`` are what it answers."""

    def __init__(self, message: str, *, status: int = 400, code: str = "bad_request") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_z(moment: datetime) -> str:
    """The marketplace's notification timestamp: UTC with milliseconds and Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class StoredOrder:
    """An order as the simulator keeps it: the domain order in its current
    state, its seller, its status history, and raw JSON ``overrides`` merged
    into the served body (dev/test only: data a client must refuse)."""

    seller_id: str
    order: Order
    updated_at: datetime
    history: tuple[tuple[str, str], ...] = ()
    overrides: dict = field(default_factory=dict)


@dataclass
class NotificationRecord:
    """One notification and what happened to it (mutable, under the store's lock)."""

    id: str
    resource: str
    topic: str
    user_id: str
    application_id: str
    received: datetime
    attempts: int = 0
    sent: datetime | None = None
    acknowledged: bool = False
    held: bool = False          # never to be sent (a storm's silent order, or no URL was set)
    in_flight: bool = False
    last_status: int | None = None
    last_error: str = ""
    last_millis: int | None = None

    def body(self) -> dict:
        """The JSON the marketplace POSTs (ids as numbers, as it sends them)."""
        return {"_id": self.id, "resource": self.resource, "user_id": int(self.user_id), "topic": self.topic,
                "application_id": int(self.application_id), "attempts": self.attempts,
                "sent": iso_z(self.sent) if self.sent else None, "received": iso_z(self.received)}

    def missed_entry(self) -> dict:
        """How ``/missed_feeds`` lists it: the body plus the last delivery's outcome."""
        return {**self.body(), "response": {"http_code": self.last_status, "req_time": self.last_millis,
                                            "error": self.last_error}}

    def admin_entry(self) -> dict:
        return {**self.missed_entry(), "acknowledged": self.acknowledged, "held": self.held,
                "in_flight": self.in_flight}


@dataclass(frozen=True)
class Delivery:
    """A notification due now: what to POST and where."""

    notification_id: str
    url: str
    body: dict


class Marketplace:
    """Thread-safe state of the simulated marketplace.

    ``clock`` gives the current time (aware, UTC) for timestamps and the
    retention of missed notifications; tests may pass a fixed one.
    """

    def __init__(self, *, application_id: str = DEFAULT_APPLICATION_ID,
                 clock: Callable[[], datetime] = utc_now, retention: timedelta = RETENTION,
                 notify_url: str = "") -> None:
        self.application_id = check_id("application_id", application_id)
        self.clock = clock
        self.retention = retention
        self._lock = threading.Lock()
        self._due = threading.Condition(self._lock)
        self._tokens: dict[str, str] = {}            # token -> seller id
        self._orders: dict[str, StoredOrder] = {}
        self._notifications: dict[str, NotificationRecord] = {}
        self._queue: list[tuple[float, int, str]] = []  # (monotonic due time, sequence, notification id)
        self._sequence = itertools.count()
        self._next_order_id = FIRST_ORDER_ID
        self._notify_url = notify_url

    # -- sellers -----------------------------------------------------------------

    def add_seller(self, seller_id: str, token: str | None = None) -> str:
        """Register a seller and return a Bearer token for it (``token`` to fix one, e.g. a dev token)."""
        seller_id = check_seller(seller_id)
        token = token or f"APP_USR-{self.application_id}-{seller_id}-{secrets.token_hex(16)}"
        if not token.isascii() or not token.isprintable() or " " in token:
            raise MarketplaceError("a token is printable ASCII without spaces")
        with self._lock:
            owner = self._tokens.setdefault(token, seller_id)
        if owner != seller_id:
            raise MarketplaceError("that token already belongs to another seller", status=409, code="conflict")
        return token

    def seller_of(self, token: str) -> str | None:
        """The seller a Bearer token was issued to, or None."""
        with self._lock:
            return self._tokens.get(token)

    # -- orders --------------------------------------------------------------------

    def new_order_id(self) -> str:
        """An order id nobody uses yet (ascending, like the marketplace's)."""
        with self._lock:
            while str(self._next_order_id) in self._orders:
                self._next_order_id += 1
            order_id = str(self._next_order_id)
            self._next_order_id += 1
            return order_id

    def put_orders(self, orders: Iterable[StoredOrder], notifications: Iterable[tuple[str, datetime, bool]] = ()) -> None:
        """Add new orders and queue notifications about them in one step.

        ``notifications``: (order id, received at, held) in delivery order.
        Refuses the whole batch if any order id exists already, so a replayed
        storm cannot half-apply.
        """
        orders = list(orders)
        with self._lock:
            clashes = [o.order.order_id for o in orders if o.order.order_id in self._orders]
            if clashes:
                raise MarketplaceError(f"orders already exist: {', '.join(clashes[:5])}"
                                       + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else ""),
                                       status=409, code="conflict")
            for stored in orders:
                self._orders[stored.order.order_id] = stored
            for order_id, received, held in notifications:
                self._queue_notification(order_id, received, held)

    def change_order(self, order_id: str, *, at: datetime | None = None, notify: int = 1,
                     overrides: dict | None = None, **changes) -> StoredOrder:
        """Change fields of an order (status, pack_id, logistic_type, ...), bump
        its last update and queue ``notify`` notifications about it.
        ``overrides`` replace the raw JSON overrides served with it."""
        unknown = set(changes) - {"status", "pack_id", "logistic_type", "source_channel", "buyer", "items",
                                  "shipping_cost"}
        if unknown:
            raise MarketplaceError(f"cannot change {', '.join(sorted(unknown))} of an order")
        if "status" in changes and changes["status"] not in ORDER_STATUSES:
            raise MarketplaceError(f"status {changes['status']!r} is not one of {', '.join(ORDER_STATUSES)}")
        if "logistic_type" in changes and changes["logistic_type"] not in LOGISTIC_TYPES:
            raise MarketplaceError(f"logistic_type {changes['logistic_type']!r} is not one of "
                                   f"{', '.join(LOGISTIC_TYPES)}")
        at = at or self.clock()
        with self._lock:
            stored = self._get(order_id)
            try:
                order = replace(stored.order, last_updated=order_timestamp(at), **changes)
            except ValueError as exc:
                raise MarketplaceError(str(exc)) from exc
            history = stored.history
            if order.status != stored.order.status:
                history += ((order.status, order.last_updated),)
            stored = replace(stored, order=order, updated_at=at, history=history,
                             overrides=stored.overrides if overrides is None else dict(overrides))
            self._orders[order_id] = stored
            for _ in range(notify):
                self._queue_notification(order_id, at, False)
        return stored

    def notify(self, order_id: str, count: int = 1) -> None:
        """Queue ``count`` notifications about an existing order (what a status change would send)."""
        with self._lock:
            self._get(order_id)
            for _ in range(count):
                self._queue_notification(order_id, self.clock(), False)

    def has_order(self, order_id: str) -> bool:
        with self._lock:
            return order_id in self._orders

    def order(self, order_id: str) -> StoredOrder:
        with self._lock:
            return self._get(order_id)

    def search(self, seller_id: str, *, since: datetime | None = None, until: datetime | None = None,
               status: str | None = None, offset: int = 0, limit: int = 50) -> tuple[int, list[StoredOrder]]:
        """A seller's orders last updated within [since, until], oldest update
        first (stable for paging), and how many there are in all."""
        with self._lock:
            found = [o for o in self._orders.values() if o.seller_id == seller_id
                     and (since is None or o.updated_at >= since) and (until is None or o.updated_at <= until)
                     and (status is None or o.order.status == status)]
        found.sort(key=lambda o: (o.updated_at, int(o.order.order_id)))
        return len(found), found[offset:offset + limit]

    def _get(self, order_id: str) -> StoredOrder:
        stored = self._orders.get(order_id)
        if stored is None:
            raise MarketplaceError(f"order {order_id} not found", status=404, code="not_found")
        return stored

    # -- notifications -----------------------------------------------------------------

    @property
    def notify_url(self) -> str:
        with self._lock:
            return self._notify_url

    def set_notify_url(self, url: str) -> None:
        """Where notifications go ("" for nowhere: new ones are then held, i.e. missed)."""
        if url and not url.startswith(("http://", "https://")):
            raise MarketplaceError(f"notification URL must be http(s)://..., not {url!r}")
        with self._lock:
            self._notify_url = url
            self._due.notify_all()

    def _queue_notification(self, order_id: str, received: datetime, held: bool) -> None:
        stored = self._orders[order_id]
        record = NotificationRecord(id=secrets.token_hex(12), resource=f"/orders/{order_id}", topic=ORDERS_TOPIC,
                                    user_id=stored.seller_id, application_id=self.application_id,
                                    received=received, held=held or not self._notify_url)
        if record.held:
            record.last_error = "never sent (held back)" if held else "no notification URL was configured"
        self._notifications[record.id] = record
        if not record.held:
            heapq.heappush(self._queue, (time.monotonic(), next(self._sequence), record.id))
            self._due.notify()

    def next_delivery(self, timeout: float) -> Delivery | None:
        """Wait up to ``timeout`` seconds for a notification due now; mark it in flight."""
        deadline = time.monotonic() + timeout
        with self._due:
            while True:
                now = time.monotonic()
                if self._queue and self._queue[0][0] <= now:
                    _, _, notification_id = heapq.heappop(self._queue)
                    record = self._notifications.get(notification_id)
                    if record is None or record.acknowledged:
                        continue
                    if not self._notify_url:
                        record.held = True
                        record.last_error = "no notification URL was configured"
                        continue
                    record.attempts += 1
                    record.sent = self.clock()
                    record.in_flight = True
                    return Delivery(notification_id, self._notify_url, record.body())
                wait = deadline - now
                if self._queue:
                    wait = min(wait, self._queue[0][0] - now)
                if deadline - now <= 0:
                    return None
                self._due.wait(max(wait, 0.001))

    def delivered(self, notification_id: str, *, acknowledged: bool, status: int | None, error: str,
                  millis: int, retry_in: float | None) -> None:
        """Record how a delivery went; ``retry_in`` seconds to try again, None to give up."""
        with self._due:
            record = self._notifications.get(notification_id)
            if record is None:  # dropped meanwhile: older than the retention
                return
            record.in_flight = False
            record.acknowledged = acknowledged
            record.last_status, record.last_error, record.last_millis = status, error, millis
            if not acknowledged and retry_in is not None:
                heapq.heappush(self._queue, (time.monotonic() + retry_in, next(self._sequence), notification_id))
                self._due.notify()

    def missed(self, *, topic: str | None = None) -> list[NotificationRecord]:
        """Notifications not acknowledged (tried and failed, or never sent)
        received within the retention, oldest first."""
        horizon = self.clock() - self.retention
        with self._lock:
            for key in [k for k, r in self._notifications.items() if r.received < horizon]:
                del self._notifications[key]
            # A failed delivery leaves last_error set; one still on its first attempt is not missed yet.
            found = [copy.copy(r) for r in self._notifications.values()
                     if not r.acknowledged and (r.held or r.last_error) and (topic is None or r.topic == topic)]
        return sorted(found, key=lambda r: (r.received, r.id))

    def notifications(self) -> list[NotificationRecord]:
        """Every notification with its delivery state (admin/tests)."""
        return self.delivery_state()[0]

    def pending(self) -> int:
        """Notifications still queued or in flight (a test waits for 0)."""
        return self.delivery_state()[1]

    def delivery_state(self) -> tuple[list[NotificationRecord], int]:
        """Every notification and how many are still queued or in flight, read at one moment: a list said
        to be settled holds no delivery in flight."""
        with self._lock:
            queued = {entry[2] for entry in self._queue}
            pending = sum(1 for r in self._notifications.values()
                          if not r.acknowledged and not r.held and (r.in_flight or r.id in queued))
            return sorted((copy.copy(r) for r in self._notifications.values()),
                          key=lambda r: (r.received, r.id)), pending


def check_seller(seller_id) -> str:
    if isinstance(seller_id, int) and not isinstance(seller_id, bool):
        seller_id = str(seller_id)
    try:
        return check_id("seller_id", seller_id)
    except ValueError as exc:
        raise MarketplaceError(str(exc)) from exc


# Orders carry Colombia's offset, as the marketplace's site in Colombia shows them.
COLOMBIA = timezone(timedelta(hours=-5))


def order_timestamp(moment: datetime) -> str:
    """An order date as the marketplace writes it: ``2024-05-02T10:15:30.000-05:00``."""
    return moment.astimezone(COLOMBIA).isoformat(timespec="milliseconds")
