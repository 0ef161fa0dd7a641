"""Orders in the marketplace's JSON shape, and orders from the admin's simpler one.

Served shape (what ``GET /orders/{id}`` answers; the parts a channel hub reads):
``id``, ``status``, ``date_created``, ``last_updated``/``date_last_updated``,
``pack_id`` (number or null), ``currency_id``, ``total_amount``,
``shipping_cost``, ``order_items[].item.{id,title,seller_sku,seller_custom_field,attributes[GTIN]}``,
``order_items[].quantity/unit_price``, ``shipping.logistic_type``,
``shipping.receiver_address.{city,state}.name``, ``buyer.{first_name,last_name,email,phone,billing_info}``,
``seller.id``, ``context.channel`` (the source channel). Amounts are JSON
numbers, as the marketplace sends them.

Admin shape (``POST /_admin/orders``): flat and close to
:class:`habilita.channels.orders.Order`; see :func:`order_from_spec`.
"""
from __future__ import annotations

import copy
import re
from datetime import datetime
from decimal import Decimal

from habilita.channels.orders import Buyer, Order, OrderItem

from .store import MarketplaceError, StoredOrder, order_timestamp

SITE = "MCO"  # the marketplace's site for Colombia


def order_json(stored: StoredOrder) -> dict:
    """The order as the marketplace serves it, with the stored overrides merged in."""
    order = stored.order
    first_name, _, last_name = order.buyer.name.partition(" ")
    body = {
        "id": int(order.order_id),
        "status": order.status,
        "status_detail": None,
        "date_created": order.date_created,
        "date_closed": order.last_updated if order.status == "paid" else None,
        "last_updated": order.last_updated,
        "date_last_updated": order.last_updated,
        "pack_id": int(order.pack_id) if order.pack_id else None,
        "currency_id": order.currency,
        "total_amount": _number(order.items_total()),
        "paid_amount": _number(order.total()) if order.status in ("paid", "partially_refunded") else 0,
        "shipping_cost": _number(Decimal(order.shipping_cost)),
        "order_items": [{
            "item": {
                "id": f"{SITE}{1000000000 + index}",
                "title": item.title,
                "seller_sku": item.seller_sku or None,
                "seller_custom_field": item.product_code or None,
                "attributes": [{"id": "GTIN", "value_name": item.barcode}] if item.barcode else [],
                "variation_id": None,
            },
            "quantity": item.quantity,
            "unit_price": _number(Decimal(item.unit_price)),
            "full_unit_price": _number(Decimal(item.unit_price)),
            "currency_id": order.currency,
        } for index, item in enumerate(order.items, start=1)],
        "shipping": {
            "id": 40000000000 + int(order.order_id) % 10_000_000_000,
            "logistic_type": order.logistic_type,
            "receiver_address": {"city": {"name": order.buyer.city or None},
                                 "state": {"name": order.buyer.state or None}},
        },
        "buyer": {
            "id": 100000000 + int(order.order_id) % 900_000_000,
            "nickname": re.sub(r"[^A-Z0-9]", "", order.buyer.name.upper())[:20] or None,
            "first_name": first_name or None,
            "last_name": last_name or None,
            "email": order.buyer.email or None,
            "phone": {"area_code": None, "number": order.buyer.phone or None},
            "billing_info": {"doc_type": order.buyer.document_type or None,
                             "doc_number": order.buyer.document_number or None},
        },
        "seller": {"id": int(stored.seller_id)},
        "context": {"channel": order.source_channel, "site": SITE, "flows": []},
        "tags": ["paid"] if order.status == "paid" else [],
    }
    return merge(body, stored.overrides)


def merge(body: dict, overrides: dict) -> dict:
    """``body`` with ``overrides`` merged in: nested objects merge, anything else replaces."""
    merged = copy.deepcopy(body)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def order_from_spec(spec: dict, *, order_id: str, now: datetime) -> Order:
    """An order from the admin's shape::

        {"status": "paid", "logistic_type": "cross_docking", "source_channel": "marketplace",
         "pack_id": "", "currency": "COP", "shipping_cost": "0",
         "buyer": {"name", "document_type", "document_number", "email", "phone", "city", "state"},
         "items": [{"seller_sku", "title", "quantity", "unit_price", "product_code", "barcode"}]}

    Everything but ``items`` has a default; amounts are decimal strings or numbers.
    """
    if not isinstance(spec, dict):
        raise MarketplaceError("the order must be a JSON object")
    buyer = spec.get("buyer") or {}
    items = spec.get("items")
    if not isinstance(buyer, dict):
        raise MarketplaceError("buyer must be a JSON object")
    if not isinstance(items, list) or not items:
        raise MarketplaceError("items: an order needs at least one item")
    stamp = order_timestamp(now)
    try:
        return Order(
            order_id=order_id,
            status=_text(spec, "status", "paid"),
            logistic_type=_text(spec, "logistic_type", "cross_docking"),
            source_channel=_text(spec, "source_channel", "marketplace"),
            pack_id=_text(spec, "pack_id", ""),
            date_created=stamp, last_updated=stamp,
            currency=_text(spec, "currency", "COP"),
            shipping_cost=_amount(spec.get("shipping_cost", "0"), "shipping_cost"),
            buyer=Buyer(**{name: _text(buyer, name, "") for name in
                           ("name", "document_type", "document_number", "email", "phone", "city", "state")}),
            items=tuple(_item(item, index) for index, item in enumerate(items)),
        )
    except (TypeError, ValueError) as exc:
        raise MarketplaceError(str(exc)) from exc


def _item(item, index: int) -> OrderItem:
    if not isinstance(item, dict):
        raise MarketplaceError(f"items[{index}] must be a JSON object")
    quantity = item.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise MarketplaceError(f"items[{index}].quantity must be a whole number, not {quantity!r}")
    return OrderItem(seller_sku=_text(item, "seller_sku", ""), title=_text(item, "title", ""), quantity=quantity,
                     unit_price=_amount(item.get("unit_price"), f"items[{index}].unit_price"),
                     product_code=_text(item, "product_code", ""), barcode=_text(item, "barcode", ""))


def _text(source: dict, name: str, default: str) -> str:
    value = source.get(name, default)
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise MarketplaceError(f"{name} must be a string, not {value!r}")
    return value


def _amount(value, name: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    raise MarketplaceError(f"{name} must be a decimal string like \"59900\" or a whole number, not {value!r}")


def _number(amount: Decimal) -> int | float:
    """A JSON number for an amount: whole amounts as integers, others as the
    shortest float that reads back as the same decimal."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)
