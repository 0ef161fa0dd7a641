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

import dataclasses
import json
from dataclasses import dataclass, field

from habilita.states import Offered  # noqa: F401 (what the connection offers from the ERP's catalogs)

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


# Currencies a price list and an invoice may be in (the ERP prices products per currency).
CURRENCIES = ("COP", "USD", "EUR")

# Why the order side stopped invoicing a connection (``InvoicingStopped.code``): the ERP refused the
# credentials, blocked the API user, or the company's requests a minute ran out and did not come back.
STOP_CREDENTIALS_REFUSED = "channels.stop_credentials_refused"
STOP_USER_BLOCKED = "channels.stop_user_blocked"
STOP_RATE_LIMITED = "channels.stop_rate_limited"
STOP_REASONS = (STOP_CREDENTIALS_REFUSED, STOP_USER_BLOCKED, STOP_RATE_LIMITED)


@dataclass(frozen=True)
class InvoicingStopped:
    """Signal ``invoicing_stopped`` of the connection workflow: why the order side stopped invoicing.

    ``code`` is a catalog code (one of ``STOP_REASONS``) and ``params`` its values, as a
    :class:`habilita.messages.Message` holds them; every field has a default, so a signal sent
    without an argument still reads.
    """

    code: str = STOP_CREDENTIALS_REFUSED
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class InvoicingResumed:
    """Signal ``invoicing_resumed``: the order side invoices again (``note``: what changed, optional)."""

    note: str = ""


@dataclass(frozen=True)
class ReconcileStart:
    """The input of the per-connection reconciliation workflow (``ChannelReconciliation``)."""

    connection_id: int
    workflow_id: str


def settings_to_json(settings: ConnectionSettings) -> str:
    """``settings`` as the JSON ``ChannelConnection.settings_json`` keeps (tuples as lists, keys sorted)."""
    return json.dumps(dataclasses.asdict(settings), ensure_ascii=False, sort_keys=True)


def settings_from_json(text: str) -> ConnectionSettings:
    """The ``ConnectionSettings`` that :func:`settings_to_json` wrote; ``ValueError`` for anything else.

    Keys a later release adds to the rules are ignored; rules a row lacks take their defaults.
    """
    try:
        value = json.loads(text)
        configuration = ErpConfiguration(**{f.name: str(value["configuration"][f.name])
                                            for f in dataclasses.fields(ErpConfiguration)})
        given = value.get("rules") or {}
        rules = {}
        for f in dataclasses.fields(InvoicingRules):
            if f.name in given:
                rules[f.name] = _typed(f, given[f.name])
        return ConnectionSettings(connection_id=int(value["connection_id"]), version=int(value["version"]),
                                  configuration=configuration, rules=InvoicingRules(**rules),
                                  paused=bool(value.get("paused", False)))
    except (TypeError, KeyError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not the JSON of a connection's settings: {exc}") from exc


def _typed(f: dataclasses.Field, value):
    """A rule's value with its field's type: a tuple of str, a bool or a str."""
    if isinstance(f.default, tuple):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{f.name} must be a list")
        return tuple(str(v) for v in value)
    if isinstance(f.default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{f.name} must be true or false")
        return value
    return str(value)
