"""The marketplace's seller API (Mercado Libre's shape; the simulator in
``simulators/marketplace`` speaks the same): one order, recent orders for the
reconciliation, and the notifications that were never acknowledged.

Every answer is mapped to :mod:`habilita.channels.orders` values; a field that
does not map raises :class:`MarketplaceDataError` naming it (e.g.
``order_items[1].unit_price``). Amounts are read as decimals straight from the
JSON text (never through float). The Bearer token goes in a header only: no
message, repr or log line of this module contains it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Self

import requests

from habilita.adapters.marketplace_errors import (
    MarketplaceDataError,
    MarketplaceRefused,
    MarketplaceUnavailable,
)
from habilita.channels.orders import (
    ORDERS_TOPIC,
    Buyer,
    Notification,
    Order,
    OrderDataError,
    OrderItem,
    check_id,
    id_text,
    parse_notification,
)

PAGE_SIZE = 50          # the marketplace's largest page
MAX_PAGES = 200         # 10,000 results: a reconciliation window that large means a wrong "since"
DEFAULT_CHANNEL = "marketplace"  # orders from before the marketplace sent context.channel


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for the TCP/TLS connection and then for the answer."""

    connect: float = 5.0
    read: float = 15.0


class MarketplaceClient:
    """Calls the seller API at ``base_url`` with the seller's ``token``."""

    def __init__(self, base_url: str, *, token: str, timeouts: Timeouts = Timeouts(),
                 session: requests.Session | None = None) -> None:
        if not token:
            raise ValueError("token is required: the marketplace answers 401 without one")
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts
        self._token = token
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"MarketplaceClient({self.base_url!r}, token=<hidden>)"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def order(self, order_id: str) -> Order:
        """The order in its current state; 404 -> :class:`MarketplaceRefused` with ``order_id``."""
        order_id = check_id("order_id", order_id)
        url = f"{self.base_url}/orders/{order_id}"
        order = order_from_marketplace(self._get(url, order_id=order_id), url=url)
        if order.order_id != order_id:
            raise MarketplaceDataError(f"GET {url}: id: asked for order {order_id}, got {order.order_id}",
                                       field="id", url=url)
        return order

    def recent_orders(self, seller_id: str, since_iso: str, *, until_iso: str = "") -> list[Order]:
        """The seller's orders updated since ``since_iso`` (ISO 8601 with a zone),
        every page followed, each order once, oldest update first."""
        seller_id = check_id("seller_id", seller_id)
        params = {"seller": seller_id, "order.date_last_updated.from": _iso("since_iso", since_iso),
                  "limit": PAGE_SIZE}
        if until_iso:
            params["order.date_last_updated.to"] = _iso("until_iso", until_iso)
        url = f"{self.base_url}/orders/search"
        orders: dict[str, Order] = {}
        for body in self._pages(url, params, "results"):
            for index, result in enumerate(body["results"]):
                order = order_from_marketplace(result, url=url, path=f"results[{index}]")
                orders[order.order_id] = order
        return list(orders.values())

    def missed_notifications(self, app_id: str, *, topic: str = ORDERS_TOPIC) -> list[Notification]:
        """Notifications the marketplace could not deliver (or never sent), oldest first."""
        app_id = check_id("app_id", app_id)
        url = f"{self.base_url}/missed_feeds"
        found = []
        for body in self._pages(url, {"app_id": app_id, "topic": topic, "limit": PAGE_SIZE}, "messages"):
            for index, message in enumerate(body["messages"]):
                try:
                    found.append(parse_notification(message))
                except OrderDataError as exc:
                    raise MarketplaceDataError(f"GET {url}: messages[{index}].{exc}", field=exc.field,
                                               url=url) from exc
        return found

    def _pages(self, url: str, params: dict, key: str):
        offset = 0
        for _ in range(MAX_PAGES):
            body = self._get(url, params={**params, "offset": offset})
            results, paging = body.get(key), body.get("paging")
            if not isinstance(results, list) or not isinstance(paging, dict) \
                    or not isinstance(paging.get("total"), int):
                raise MarketplaceDataError(f"GET {url}: the answer lacks {key}[] or paging.total",
                                           field=key, url=url)
            yield body
            offset += len(results)
            if not results or offset >= paging["total"]:
                return
        raise MarketplaceUnavailable(f"GET {url}: more than {MAX_PAGES} pages of {PAGE_SIZE}; "
                                     "narrow the time window", url=url)

    def _get(self, url: str, *, params: dict | None = None, order_id: str = "") -> dict:
        where = f"GET {url}"
        try:
            response = self._session.get(url, params=params, timeout=(self.timeouts.connect, self.timeouts.read),
                                         headers={"Authorization": f"Bearer {self._token}",
                                                  "Accept": "application/json"})
        except requests.Timeout as exc:
            raise MarketplaceUnavailable(f"{where}: no answer in time ({type(exc).__name__})", url=url) from exc
        except requests.RequestException as exc:
            raise MarketplaceUnavailable(f"{where}: no answer: {type(exc).__name__}: {exc}", url=url) from exc
        try:
            body = response.json(parse_float=Decimal)
        except ValueError:
            body = None
        status = response.status_code
        message = body.get("message", "") if isinstance(body, dict) else response.text[:200]
        if status >= 500 or status == 429:
            raise MarketplaceUnavailable(f"{where}: HTTP {status}: {message}", url=url, status=status)
        if status >= 400:
            code = body.get("error", "") if isinstance(body, dict) else ""
            if status == 404 and order_id:
                raise MarketplaceRefused(f"{where}: order {order_id} not found (HTTP 404)", url=url, status=404,
                                         order_id=order_id, code=code)
            raise MarketplaceRefused(f"{where}: HTTP {status}: {message}", url=url, status=status,
                                     order_id=order_id, code=code)
        if not isinstance(body, dict):
            raise MarketplaceDataError(f"{where}: HTTP {status} without a JSON object", field="(body)", url=url)
        return body


def order_from_marketplace(body: dict, *, url: str = "", path: str = "") -> Order:
    """The marketplace's order JSON -> :class:`Order` (amounts as Decimal or int in ``body``).

    Missing ``shipping.logistic_type`` maps to ``not_specified`` and missing
    ``context.channel`` to ``marketplace``; anything present but malformed is refused.
    """
    reader = _Reader(body, url=url, path=path)
    items = reader.array("order_items")
    if not items:
        reader.fail("order_items", "the order has no items")
    try:
        return Order(
            order_id=reader.id("id"),
            status=reader.text("status", required=True),
            logistic_type=reader.text("shipping", "logistic_type") or "not_specified",
            source_channel=reader.text("context", "channel") or DEFAULT_CHANNEL,
            pack_id=reader.id("pack_id", required=False),
            date_created=reader.moment("date_created"),
            last_updated=reader.moment("date_last_updated") if body.get("date_last_updated") is not None
            else reader.moment("last_updated"),
            currency=reader.text("currency_id", required=True),
            shipping_cost=reader.amount("shipping_cost", required=False),
            buyer=Buyer(
                name=" ".join(filter(None, (reader.text("buyer", "first_name"), reader.text("buyer", "last_name")))),
                document_type=reader.text("buyer", "billing_info", "doc_type"),
                document_number=reader.text("buyer", "billing_info", "doc_number"),
                email=reader.text("buyer", "email"),
                phone="".join(filter(None, (_text_of(reader.get("buyer", "phone", "area_code")),
                                            _text_of(reader.get("buyer", "phone", "number"))))),
                city=reader.text("shipping", "receiver_address", "city", "name"),
                state=reader.text("shipping", "receiver_address", "state", "name"),
            ),
            items=tuple(_item(reader.child("order_items", index), index) for index in range(len(items))),
        )
    except OrderDataError as exc:
        reader.fail(exc.field, str(exc).split(": ", 1)[-1])


def _item(reader: _Reader, index: int) -> OrderItem:
    attributes = reader.array("item", "attributes")
    barcode = ""
    for attribute in attributes:
        if isinstance(attribute, dict) and attribute.get("id") == "GTIN":
            barcode = _text_of(attribute.get("value_name"))
    quantity = reader.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        reader.fail("quantity", f"{quantity!r} is not a whole number of at least 1")
    try:
        return OrderItem(seller_sku=reader.text("item", "seller_sku"), title=reader.text("item", "title"),
                         quantity=quantity, unit_price=reader.amount("unit_price", required=True),
                         product_code=reader.text("item", "seller_custom_field"), barcode=barcode)
    except OrderDataError as exc:
        reader.fail(exc.field, str(exc).split(": ", 1)[-1])


class _Reader:
    """Typed access to a JSON object, failing with the full path of the field."""

    def __init__(self, body, *, url: str, path: str) -> None:
        self.url = url
        self.path = path
        if not isinstance(body, dict):
            self.fail("", f"expected a JSON object, got {type(body).__name__}")
        self.body = body

    def fail(self, field: str, message: str):
        where = ".".join(p for p in (self.path, field) if p) or "(body)"
        prefix = f"GET {self.url}: " if self.url else ""
        raise MarketplaceDataError(f"{prefix}{where}: {message}", field=where, url=self.url)

    def get(self, *names: str):
        value = self.body
        for depth, name in enumerate(names):
            if value is None:
                return None
            if not isinstance(value, dict):
                self.fail(".".join(names[:depth]), f"expected a JSON object, got {value!r}")
            value = value.get(name)
        return value

    def child(self, name: str, index: int) -> _Reader:
        path = ".".join(filter(None, (self.path, f"{name}[{index}]")))
        return _Reader(self.body[name][index], url=self.url, path=path)

    def array(self, *names: str) -> list:
        value = self.get(*names)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(".".join(names), f"expected a JSON array, got {value!r}")
        return value

    def text(self, *names: str, required: bool = False) -> str:
        value = self.get(*names)
        if value is None or value == "":
            if required:
                self.fail(".".join(names), "is missing")
            return ""
        if not isinstance(value, str):
            self.fail(".".join(names), f"expected a string, got {value!r}")
        return value

    def id(self, name: str, *, required: bool = True) -> str:
        value = self.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, "is missing")
            return ""
        try:
            return id_text(name, value)
        except OrderDataError as exc:
            self.fail(name, str(exc).split(": ", 1)[-1])

    def amount(self, name: str, *, required: bool) -> str:
        value = self.get(name)
        if value is None:
            if required:
                self.fail(name, "is missing")
            return "0"
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            self.fail(name, f"expected a number, got {value!r}")
        try:
            amount = Decimal(value)
        except InvalidOperation:
            self.fail(name, f"{value!r} is not a number")
        if not amount.is_finite() or amount < 0:
            self.fail(name, f"{value!r} is not a non-negative amount")
        return format(amount, "f")

    def moment(self, name: str) -> str:
        text = self.text(name, required=True)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.fail(name, f"{text!r} is not an ISO 8601 time with a zone")
        return text


def _text_of(value) -> str:
    """A phone part given as a string or a number; anything else is no value."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def _iso(name: str, text: str) -> str:
    try:
        parsed = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"{name}: {text!r} is not an ISO 8601 time with a zone (e.g. 2024-05-02T10:00:00-05:00)")
    return parsed.isoformat()
