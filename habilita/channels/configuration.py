"""What a channel connection is configured with (seed 003's three tabs), and the order states it speaks.

``ErpConfiguration`` is the *Configuración* tab: what the ERP's own catalogs
offer (ids as the ERP gives them, as text). ``InvoicingRules`` is the
*Facturación automática* tab: when an order is invoiced and the defaults the
order does not carry. Both cross Temporal's default dataclass converter
(update inputs, the connection workflow's state, the order workflows' input),
so they hold only str, bool and tuples; amounts and rates are str decimals.

The hub speaks five order states (seed 003: "Pendientes, enviadas,
completadas, canceladas y otras"); ``hub_state`` maps the marketplace's
statuses onto them, so a rule written in the hub's words applies to any
marketplace.
"""
from __future__ import annotations

from dataclasses import dataclass

# The hub's order states, in the seed's order.
PENDING, SHIPPED, COMPLETED, CANCELLED, OTHER = "pending", "shipped", "completed", "cancelled", "other"
HUB_STATES = (PENDING, SHIPPED, COMPLETED, CANCELLED, OTHER)

_FROM_MARKETPLACE = {
    "confirmed": PENDING, "payment_required": PENDING, "payment_in_process": PENDING, "partially_paid": PENDING,
    "paid": COMPLETED,
    "pending_cancel": CANCELLED, "cancelled": CANCELLED, "invalid": CANCELLED,
    "partially_refunded": OTHER,
}
# Shipment statuses that make a paid order "shipped" rather than "completed" (delivered or not yet sent).
_ON_ITS_WAY = frozenset({"shipped"})

# Customer identification types the ERP takes (docs/channels.md), the defaults a person picks from.
CUSTOMER_ID_TYPES = ("13", "31", "22", "41", "42", "50")


def hub_state(marketplace_status: str, shipping_status: str = "") -> str:
    """The hub's state of an order from the marketplace's status (and its shipment's, when known)."""
    state = _FROM_MARKETPLACE.get(marketplace_status, OTHER)
    if state == COMPLETED and shipping_status in _ON_ITS_WAY:
        return SHIPPED
    return state


@dataclass(frozen=True)
class ErpCredentials:
    """The *Credenciales* tab, as the workflow keeps it: never the access key itself.

    The shell seals the access key in the database before the update is sent
    (``ChannelConnection.access_key_sealed``); the workflow and its history
    carry only the connection's id, the API user and the NIT.
    """

    name: str
    tax_id: str
    check_digit: str
    api_user: str


@dataclass(frozen=True)
class ErpConfiguration:
    """The *Configuración* tab: one of each, from the ERP's catalogs."""

    price_list_id: str
    currency: str
    warehouse_id: str
    seller_id: str
    default_email: str
    default_phone: str


@dataclass(frozen=True)
class InvoicingRules:
    """The *Facturación automática* tab. Empty ``source_channels`` or ``order_states`` mean all of them."""

    enabled: bool = False
    source_channels: tuple[str, ...] = ()
    order_states: tuple[str, ...] = ()
    invoice_fulfillment: bool = False
    document_type_id: str = ""
    cost_center_id: str = ""
    payment_type_id: str = ""
    customer_id_type: str = "13"
    customer_city_code: str = ""
    invoice_currency: str = "COP"
    exchange_rate: str = "1"
    product_warehouse_id: str = ""
    generic_sku: str = ""
    send_to_dian: bool = False
    invoice_shipping: bool = False


@dataclass(frozen=True)
class ConnectionSettings:
    """What an order is invoiced under: the configuration and rules in force when it first arrived
    (a later edit applies to orders that arrive after it), with the version that names them."""

    connection_id: int
    version: int
    configuration: ErpConfiguration
    rules: InvoicingRules
    paused: bool = False
