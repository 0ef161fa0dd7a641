"""A marketplace order and the notification announcing it, as habilita keeps them.

The values cross Temporal's default dataclass converter (workflow inputs,
activity results), so they hold only str, int, bool, tuples and nested
dataclasses. Amounts are **str decimals** (``"59900"``, ``"12500.50"``) in the
order's currency: floats would round, and ints would lose the cents some
currencies have. Ids (order, pack, seller, application) are str: marketplaces
send numbers that exceed what JSON readers in other languages keep exact.

A notification carries no order data, only the resource to fetch
(``/orders/2000001234``): :func:`order_id_from_resource` turns it into the
order id and refuses anything else, because the id ends up in a URL and in
workflow ids (``{company}:{channel}:{order id}``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

ORDER_STATUSES = ("confirmed", "payment_required", "payment_in_process", "paid", "partially_paid",
                  "partially_refunded", "pending_cancel", "cancelled", "invalid")
LOGISTIC_TYPES = ("fulfillment", "cross_docking", "xd_drop_off", "drop_off", "self_service", "custom",
                  "not_specified")
ORDERS_TOPIC = "orders_v2"

# ASCII only, on purpose: str.isdigit() and \d accept Arabic-Indic and other
# digits that int() turns into a different-looking id.
_ID = re.compile(r"[0-9]{1,20}", re.ASCII)
_RESOURCE = re.compile(r"/orders/([0-9]{1,20})", re.ASCII)
_DECIMAL = re.compile(r"[0-9]{1,15}(\.[0-9]{1,6})?", re.ASCII)


class OrderDataError(ValueError):
    """An order or notification value habilita cannot accept; the message names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class Buyer:
    """Who bought, as far as the marketplace tells: any field may be empty
    (the company's defaults fill the invoice; seed 003)."""

    name: str = ""
    document_type: str = ""
    document_number: str = ""
    email: str = ""
    phone: str = ""
    city: str = ""
    state: str = ""


@dataclass(frozen=True)
class OrderItem:
    """One line; ``seller_sku``, then ``product_code``, then ``barcode`` are
    tried in that order to find the ERP product."""

    seller_sku: str
    title: str
    quantity: int
    unit_price: str
    product_code: str = ""
    barcode: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 1:
            raise OrderDataError("quantity", f"must be a whole number of at least 1, not {self.quantity!r}")
        check_amount("unit_price", self.unit_price)

    @property
    def amount(self) -> Decimal:
        """Quantity times unit price."""
        return Decimal(self.unit_price) * self.quantity


@dataclass(frozen=True)
class Order:
    """An order in its current state at the marketplace (re-read on every notification)."""

    order_id: str
    status: str
    logistic_type: str
    source_channel: str
    date_created: str
    last_updated: str
    currency: str
    buyer: Buyer
    items: tuple[OrderItem, ...]
    shipping_cost: str = "0"
    pack_id: str = ""

    def __post_init__(self) -> None:
        check_id("order_id", self.order_id)
        if self.pack_id:
            check_id("pack_id", self.pack_id)
        if self.status not in ORDER_STATUSES:
            raise OrderDataError("status", f"{self.status!r} is not a marketplace order status "
                                           f"({', '.join(ORDER_STATUSES)})")
        if self.logistic_type not in LOGISTIC_TYPES:
            raise OrderDataError("logistic_type", f"{self.logistic_type!r} is not a logistic type "
                                                  f"({', '.join(LOGISTIC_TYPES)})")
        if not isinstance(self.items, tuple) or not self.items:
            raise OrderDataError("items", "an order has at least one item (a tuple of OrderItem)")
        check_amount("shipping_cost", self.shipping_cost)

    @property
    def is_paid(self) -> bool:
        return self.status == "paid"

    @property
    def is_fulfillment(self) -> bool:
        """Stock shipped from the marketplace's warehouse: invoiced under its own rule (seed 003)."""
        return self.logistic_type == "fulfillment"

    def items_total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal(0))

    def total(self) -> Decimal:
        """Items plus shipping charged to the buyer."""
        return self.items_total() + Decimal(self.shipping_cost)


@dataclass(frozen=True)
class Notification:
    """What the marketplace POSTs: which resource changed, never its data.

    ``sent`` and ``received`` are the marketplace's ISO timestamps (``sent`` is
    empty for one it never sent, as the missed feeds list them).
    """

    resource: str
    topic: str
    user_id: str
    application_id: str
    attempts: int = 1
    sent: str = ""
    received: str = ""

    def order_id(self) -> str:
        """The order this notification is about (see :func:`order_id_from_resource`)."""
        if self.topic != ORDERS_TOPIC:
            raise OrderDataError("topic", f"{self.topic!r} is not an order notification ({ORDERS_TOPIC})")
        return order_id_from_resource(self.resource)


def order_id_from_resource(resource: str) -> str:
    """``/orders/2000001234`` -> ``"2000001234"``; anything else is refused.

    Only ASCII digits after exactly ``/orders/`` (no query, no trailing slash,
    no newline): the id is put in URLs and workflow ids.
    """
    match = _RESOURCE.fullmatch(resource) if isinstance(resource, str) else None
    if match is None:
        raise OrderDataError("resource", f"{resource!r} is not an order resource like /orders/2000001234 "
                                         "(ASCII digits only)")
    return match.group(1)


def parse_notification(payload: Mapping) -> Notification:
    """A notification body as the marketplace POSTs it (ids as numbers or
    digit strings) -> :class:`Notification`; refuses missing or malformed fields."""
    if not isinstance(payload, Mapping):
        raise OrderDataError("notification", f"must be a JSON object, not {type(payload).__name__}")
    resource = payload.get("resource")
    if not isinstance(resource, str) or not resource:
        raise OrderDataError("resource", "is required (e.g. /orders/2000001234)")
    topic = payload.get("topic")
    if not isinstance(topic, str) or not topic:
        raise OrderDataError("topic", "is required (e.g. orders_v2)")
    attempts = payload.get("attempts", 1)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0:
        raise OrderDataError("attempts", f"must be a whole number, not {attempts!r}")
    return Notification(resource=resource, topic=topic,
                        user_id=id_text("user_id", payload.get("user_id")),
                        application_id=id_text("application_id", payload.get("application_id")),
                        attempts=attempts,
                        sent=_optional_text("sent", payload.get("sent")),
                        received=_optional_text("received", payload.get("received")))


def id_text(name: str, value) -> str:
    """A marketplace id given as a JSON number or a digit string -> its ASCII digits."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if not isinstance(value, str):
        raise OrderDataError(name, f"must be a number or a string of digits, not {value!r}")
    return check_id(name, value)


def check_id(name: str, value: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise OrderDataError(name, f"{value!r} is not an id of 1 to 20 ASCII digits")
    return value


def check_amount(name: str, value: str) -> str:
    """A non-negative decimal written with ASCII digits and an optional point."""
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise OrderDataError(name, f"{value!r} is not a non-negative decimal amount like 59900 or 12500.50")
    return value


def _optional_text(name: str, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise OrderDataError(name, f"must be a string, not {value!r}")
    return value
