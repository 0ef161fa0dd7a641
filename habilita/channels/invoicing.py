"""Whether and how a marketplace order becomes an ERP invoice: pure decisions, no I/O.

Everything here is a function of its arguments (the order as last read, the
connection's settings in force, the products the ERP matched, today's date),
so the order workflow can decide inside the sandbox and the activities can
build the ERP's payload the same way every time:

- :func:`decide`: invoice, wait or skip, with the reason as a catalog message
  (``order.*`` in :mod:`habilita.messages.order_codes`). A *skip* is final (a
  cancelled order, an excluded channel, fulfillment not invoiced, automatic
  invoicing off); a *wait* is not (an order not yet in a state the rules
  invoice waits for its next change).
- :func:`sku_candidates`: the ERP codes to try for an item, in order: a
  person's correction, the seller SKU, the product code, the barcode, the
  generic SKU when the rules name one.
- :func:`unpriced_line`: a line priced 0 is refused before the ERP sees it
  (DIAN refuses it; the ERP would count the refusal against the API user).
- :func:`invoice_payload` and :func:`customer_payload`: the ERP's JSON.
- :func:`idempotency_key` and :func:`order_workflow_id`: stable names of one
  order (company, connection, order id), never of a run.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from habilita.dian.amounts import compute_totals, money
from habilita.inputs.identifiers import ascii_digits
from habilita.messages import Message
from habilita.messages.stored import from_text

from .cities import fold, search
from .configuration import CANCELLED, HUB_STATES, PENDING, ConnectionSettings, hub_state
from .orders import Order, OrderItem

INVOICE, WAIT, SKIP = "invoice", "wait", "skip"
# Marketplace statuses that end an order without an invoice; ``pending_cancel`` may still go back to paid.
FINAL_CANCELLED = frozenset({"cancelled", "invalid"})
# The ERP product a shipping line is invoiced as (a service product the company creates in the ERP).
SHIPPING_SKU = "ENVIO"
# The DIAN's identification of a final consumer, for a buyer who gave no document.
FINAL_CONSUMER_ID = "222222222222"
FINAL_CONSUMER_NAME = ("Consumidor", "Final")
# How buyers' document types are written at the marketplace -> the ERP's id_type.
BUYER_DOCUMENT_TYPES = {"CC": "13", "NIT": "31", "CE": "22", "PP": "41", "PAS": "41", "PASAPORTE": "41",
                        "DNI": "42", "DE": "42"}
COMPANY_ID_TYPES = frozenset({"31", "50"})
IDEMPOTENCY_KEY_LENGTH = 30
_DIGITS = re.compile(r"[^0-9]")
_TAX_SCHEMES = {"IVA": "01", "INC": "04", "ICA": "03"}


@dataclass(frozen=True)
class Decision:
    """What to do with an order now, and why (a catalog message)."""

    outcome: str  # INVOICE, WAIT or SKIP
    reason: Message

    @property
    def final(self) -> bool:
        return self.outcome == SKIP


@dataclass(frozen=True)
class SkuCandidate:
    """One ERP product to look for: by ``code`` (the ERP's SKU) or by ``barcode``."""

    kind: str   # "code" or "barcode"
    value: str
    source: str  # override, seller_sku, product_code, barcode, generic


@dataclass(frozen=True)
class MatchedLine:
    """An invoice line: the ERP product found for an order item (or the shipping), with its taxes."""

    line: int            # 1-based position in the order; 0 for shipping
    marketplace_sku: str
    code: str            # the ERP product code
    quantity: int
    unit_price: str      # the marketplace's price, taxes included (str decimal)
    description: str
    tax_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ErpTax:
    """A tax of the ERP's catalog: its type (IVA, INC, ICA) and percentage (str decimal)."""

    id: int
    type: str
    percentage: str


def hub_state_word(state: str) -> dict:
    """A hub state as a nested message, so the reader sees it in their language."""
    return {"code": f"hub_state.{state}", "params": {}}


def decide(order: Order, settings: ConnectionSettings | None, *, paused: bool = False,
           stopped_reason: str = "") -> Decision:
    """Invoice, wait or skip ``order`` under ``settings`` (None: the connection is not configured yet).

    ``paused`` and ``stopped_reason`` are the connection's live state (a person paused it; invoicing was
    stopped after the ERP refused the credentials, blocked the user or kept rate-limiting; the reason as the
    connection row keeps it, a stored message): the order waits.
    Final reasons come first, so a cancelled order reads "cancelled" whatever the rules.
    """
    state = hub_state(order.status)
    if order.status in FINAL_CANCELLED:
        return Decision(SKIP, Message("order.cancelled", {"marketplace_status": order.status}))
    if state == CANCELLED:
        return Decision(WAIT, Message("order.cancelled", {"marketplace_status": order.status}))
    if settings is None:
        return Decision(WAIT, Message("order.not_configured"))
    rules = settings.rules
    if not rules.enabled:
        return Decision(SKIP, Message("order.invoicing_disabled"))
    if rules.source_channels and order.source_channel not in rules.source_channels:
        return Decision(SKIP, Message("order.channel_excluded", {"channel": order.source_channel,
                                                                 "selected": list(rules.source_channels)}))
    if order.is_fulfillment and not rules.invoice_fulfillment:
        return Decision(SKIP, Message("order.fulfillment_excluded"))
    selected = [s for s in HUB_STATES if s in rules.order_states and s != CANCELLED]
    if rules.order_states and state not in selected:
        return Decision(WAIT, Message("order.state_not_selected", {
            "state": hub_state_word(state), "selected": [hub_state_word(s) for s in selected]}))
    if settings.paused or paused:
        return Decision(WAIT, Message("order.connection_paused"))
    if stopped_reason:
        told = from_text(stopped_reason)
        return Decision(WAIT, Message("order.invoicing_stopped", {
            "reason": {"code": told.code, "params": told.params} if told else stopped_reason}))
    return Decision(INVOICE, Message("order.to_invoice", {"state": hub_state_word(state)}))


def is_pending(order: Order) -> bool:
    return hub_state(order.status) == PENDING


def marketplace_sku(item: OrderItem, line: int) -> str:
    """What names an item to a person (and keys a correction): its seller SKU, else its product code,
    else its barcode, else its line."""
    return item.seller_sku or item.product_code or item.barcode or f"#{line}"


def sku_candidates(item: OrderItem, line: int, overrides: Mapping[str, str], generic_sku: str = ""
                   ) -> tuple[SkuCandidate, ...]:
    """The ERP products to try for ``item``, best first, each once."""
    found: list[SkuCandidate] = []
    override = overrides.get(marketplace_sku(item, line), "").strip()
    for kind, value, source in (("code", override, "override"), ("code", item.seller_sku, "seller_sku"),
                                ("code", item.product_code, "product_code"), ("barcode", item.barcode, "barcode"),
                                ("code", generic_sku.strip(), "generic")):
        value = (value or "").strip()
        if value and not any(c.kind == kind and c.value == value for c in found):
            found.append(SkuCandidate(kind, value, source))
    return tuple(found)


def shipping_candidates(generic_sku: str = "") -> tuple[SkuCandidate, ...]:
    candidates = [SkuCandidate("code", SHIPPING_SKU, "shipping")]
    if generic_sku.strip() and generic_sku.strip() != SHIPPING_SKU:
        candidates.append(SkuCandidate("code", generic_sku.strip(), "generic"))
    return tuple(candidates)


def invoices_shipping(order: Order, settings: ConnectionSettings) -> bool:
    return settings.rules.invoice_shipping and Decimal(order.shipping_cost) > 0


def unpriced_line(order: Order) -> Message | None:
    """The first line priced 0, as the reason the order is not sent to the ERP; None when all have a price."""
    for line, item in enumerate(order.items, start=1):
        if Decimal(item.unit_price) <= 0:
            return Message("order.line_without_price", {"line": line, "sku": marketplace_sku(item, line),
                                                        "title": item.title})
    return None


def unknown_skus(missing: Mapping[str, tuple[SkuCandidate, ...]]) -> Message:
    """The reason an order is in error: the marketplace SKUs no ERP product matched, with what was tried."""
    return Message("order.sku_unknown", {"skus": [
        {"code": "order.sku_candidates", "params": {"sku": sku, "tried": ", ".join(c.value for c in tried) or "-"}}
        for sku, tried in missing.items()]})


def idempotency_key(company_tax_id: str, connection_id: int, order_id: str) -> str:
    """The invoice's ``Idempotency-Key``: 30 letters and digits, the same for an order whatever run,
    retry or person sends it (so the ERP answers a repeat with the invoice it created)."""
    digest = hashlib.sha256(f"habilita:{company_tax_id}:{connection_id}:{order_id}".encode()).digest()
    return ("HO" + base64.b32encode(digest).decode().rstrip("="))[:IDEMPOTENCY_KEY_LENGTH]


def order_workflow_id(company_tax_id: str, connection_id: int, order_id: str) -> str:
    """One workflow per order of a company's connection: ``order-{tax id}-{connection}-{order id}``."""
    return f"order-{company_tax_id}-{connection_id}-{order_id}"


# --- the ERP's payloads ----------------------------------------------------------------------------------


def _id(value: str):
    """An ERP catalog id as the ERP gives it: a number when it is one."""
    value = (value or "").strip()
    return int(value) if ascii_digits(value) else value


def _number(value: Decimal):
    """A JSON number for an amount: an int when whole, else a float of at most 2 decimals."""
    value = money(value)
    return int(value) if value == value.to_integral_value() else float(value)


def customer_identity(order: Order, settings: ConnectionSettings) -> tuple[str, str]:
    """(id_type, identification) of the buyer: their document, else the final consumer."""
    buyer = order.buyer
    number = _DIGITS.sub("", buyer.document_number or "")
    if not number:
        return settings.rules.customer_id_type or "13", FINAL_CONSUMER_ID
    kind = BUYER_DOCUMENT_TYPES.get((buyer.document_type or "").strip().upper().replace(".", ""))
    return kind or settings.rules.customer_id_type or "13", number


def buyer_city_code(order: Order, default: str) -> str:
    """The buyer's DANE city when the marketplace's name finds exactly that municipality, else ``default``."""
    name, department = order.buyer.city.strip(), fold(order.buyer.state or "")
    if name:
        for city in search(name, limit=10):
            if fold(city.name) == fold(name) and (not department or department in fold(city.department)
                                                  or fold(city.department) in department):
                return city.code
    return default


def customer_payload(order: Order, settings: ConnectionSettings) -> dict:
    """The ERP customer for the order's buyer, completed with the connection's defaults (seed 003)."""
    configuration, rules = settings.configuration, settings.rules
    id_type, identification = customer_identity(order, settings)
    buyer = order.buyer
    company = id_type in COMPANY_ID_TYPES
    if identification == FINAL_CONSUMER_ID:
        name = list(FINAL_CONSUMER_NAME)
    elif company:
        name = [buyer.name.strip() or "Cliente"]
    else:
        words = buyer.name.split()
        name = [" ".join(words[:-1]), words[-1]] if len(words) > 1 else [words[0] if words else "Cliente", "-"]
    city = buyer_city_code(order, rules.customer_city_code)
    email = buyer.email.strip() or configuration.default_email
    phone = _DIGITS.sub("", buyer.phone or "") or _DIGITS.sub("", configuration.default_phone or "")
    contact = {"first_name": name[0], "last_name": name[1] if len(name) > 1 else "", "email": email}
    if phone:
        contact["phone"] = {"number": phone}
    return {
        "person_type": "Company" if company else "Person", "id_type": id_type, "identification": identification,
        "branch_office": 0, "name": name,
        "address": {"address": ", ".join(p for p in (buyer.city.strip(), buyer.state.strip()) if p) or "Sin dirección",
                    "city": {"country_code": "Co", "state_code": city[:2], "city_code": city}},
        "phones": [{"number": phone}] if phone else [],
        "contacts": [contact],
    }


def net_price(gross: Decimal, taxes: tuple[ErpTax, ...]) -> Decimal:
    """The unit price before taxes of a price that includes them (marketplace prices do), to the cent."""
    rate = sum((Decimal(t.percentage) for t in taxes), Decimal(0))
    return money(gross / (1 + rate / 100)) if rate else money(gross)


@dataclass(frozen=True)
class _TotalLine:
    quantity: Decimal
    unit_price: Decimal
    taxes: tuple


@dataclass(frozen=True)
class _TotalTax:
    scheme: str
    percent: Decimal


def invoice_payload(order: Order, settings: ConnectionSettings, lines: tuple[MatchedLine, ...],
                    taxes: Mapping[int, ErpTax], *, customer_identification: str, today: dt.date) -> dict:
    """The ERP invoice of ``order``: dated ``today`` (the ERP refuses earlier dates), one item per matched
    line at its price before taxes, one payment of the total the ERP computes, ``stamp.send`` per the rule."""
    configuration, rules = settings.configuration, settings.rules
    warehouse = rules.product_warehouse_id or configuration.warehouse_id
    items, totals = [], []
    for line in lines:
        line_taxes = tuple(taxes[t] for t in line.tax_ids if t in taxes)
        price = net_price(Decimal(line.unit_price), line_taxes)
        item = {"code": line.code, "description": line.description[:200], "quantity": line.quantity,
                "price": _number(price), "taxes": [{"id": t.id} for t in line_taxes]}
        if warehouse:
            item["warehouse"] = _id(warehouse)
        items.append(item)
        totals.append(_TotalLine(Decimal(line.quantity), price, tuple(
            _TotalTax(_TAX_SCHEMES.get(t.type, t.type), Decimal(t.percentage)) for t in line_taxes)))
    total = compute_totals(totals).payable
    payload = {
        "document": {"id": _id(rules.document_type_id)},
        "date": today.isoformat(),
        "customer": {"identification": customer_identification, "branch_office": 0},
        "seller": _id(configuration.seller_id),
        "observations": f"Orden {order.order_id}" + (f" (paquete {order.pack_id})" if order.pack_id else ""),
        "items": items,
        "payments": [{"id": _id(rules.payment_type_id), "value": _number(total), "due_date": today.isoformat()}],
        "stamp": {"send": bool(rules.send_to_dian)},
        "mail": {"send": False},
    }
    if rules.cost_center_id:
        payload["cost_center"] = _id(rules.cost_center_id)
    currency = rules.invoice_currency or configuration.currency
    if currency and currency != "COP":
        payload["currency"] = {"code": currency, "exchange_rate": float(Decimal(rules.exchange_rate or "1"))}
    return payload


def order_lines(order: Order) -> tuple[tuple[int, OrderItem], ...]:
    return tuple(enumerate(order.items, start=1))
