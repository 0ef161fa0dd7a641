"""A sales channel's orders as the console shows and acts on them (P4, seed 003).

- :func:`order_counts` and :func:`orders_of`: the ``ChannelOrder`` rows of a
  connection, counted and listed by state (SQL on the (connection, state) index).
- :func:`unknown_skus`: the marketplace SKUs an order in error could not find
  at the ERP, read from its stored reason (``order.sku_unknown``), with the
  code a person set before.
- :class:`SkuFinder`: "if the SKU matches it shows by itself": the ERP product
  whose code is the marketplace SKU (or one of the codes tried), looked up with
  the connection's own API user through the same ``ErpClient`` the activities
  use, GETs only, with short timeouts. The page asks it through a small JSON
  endpoint after it is shown, so no page waits on the ERP.
- :func:`invoice_now` and :func:`invoice_many`: the "Facturar" button: the order
  workflow's update ``invoice_now`` (update-with-start), which invoices an order
  once however many times it is sent (a second click gets the same invoice).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
from dataclasses import dataclass
from datetime import timedelta

import peewee
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from habilita.activities.channel_orders import InvoiceNow, OrderOutcome, send_invoice_now
from habilita.adapters.erp_client import ErpClient, Timeouts
from habilita.adapters.erp_errors import ErpError
from habilita.adapters.secrets_box import DecryptionError
from habilita.messages.stored import from_text
from habilita.models import ChannelConnection, ChannelOrder
from habilita.processes.refusals import NO_ANSWER, Refusal, refusal_from

# The states a person filters by, in the order the page shows them ("invoicing" is shown as it passes).
FILTER_STATES = ("error", "waiting", "invoiced", "skipped")
COUNTED_STATES = ("invoiced", "error", "skipped", "waiting", "invoicing")
ORDERS_PER_PAGE = 50
# A person waits this long for "Facturar" (the ERP may be slow: past it the page says it is still under way).
INVOICE_WITHIN = 20.0
# "Facturar seleccionadas": at most this many orders at once, a few at a time, all within one request.
BULK_LIMIT = 50
BULK_AT_ONCE = 4
BULK_WITHIN = 25.0
# The SKU lookup: short timeouts, a few codes per SKU, a few SKUs per order.
LOOKUP_TIMEOUTS = Timeouts(connect=2.0, read=5.0)
LOOKUPS_PER_SKU = 3
SKUS_PER_ORDER = 10


def order_counts(connection_ids: list[int]) -> dict[int, dict[str, int]]:
    """Orders per connection and state: ``{connection id: {state: n}}`` (every counted state present)."""
    counts = {cid: dict.fromkeys(COUNTED_STATES, 0) for cid in connection_ids}
    if not connection_ids:
        return counts
    rows = (ChannelOrder.select(ChannelOrder.connection, ChannelOrder.state, peewee.fn.COUNT(1))
            .where(ChannelOrder.connection.in_(connection_ids))
            .group_by(ChannelOrder.connection, ChannelOrder.state).tuples())
    for connection_id, state, n in rows:
        counts.setdefault(connection_id, dict.fromkeys(COUNTED_STATES, 0))[state] = n
    return counts


def orders_of(connection: ChannelConnection, state: str = "", page: int = 1) -> tuple[list[ChannelOrder], int]:
    """A page of the connection's orders (newest change first), only those in ``state`` when it is one of
    :data:`FILTER_STATES`; and how many pages there are."""
    where = ChannelOrder.connection == connection.id
    if state in FILTER_STATES:
        where &= ChannelOrder.state == state
    total = ChannelOrder.select().where(where).count()
    pages = max(1, -(-total // ORDERS_PER_PAGE))
    page = min(max(1, page), pages)
    rows = list(ChannelOrder.select().where(where)
                .order_by(ChannelOrder.updated_at.desc(), ChannelOrder.id.desc())
                .paginate(page, ORDERS_PER_PAGE))
    return rows, pages


def overrides_of(order: ChannelOrder) -> dict[str, str]:
    """The ERP codes a person set for the order's SKUs (``{marketplace sku: ERP code}``)."""
    try:
        found = json.loads(order.sku_overrides) if order.sku_overrides else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


@dataclass(frozen=True)
class UnknownSku:
    """A marketplace SKU of an order in error that no ERP product matched, what was tried, and the code a
    person set for it before (empty: none)."""

    sku: str
    tried: tuple[str, ...]
    override: str = ""


def unknown_skus(order: ChannelOrder) -> list[UnknownSku]:
    """The SKUs the ERP did not know, from the order's reason (``order.sku_unknown``); empty for any other."""
    reason = from_text(order.reason)
    if order.state != "error" or reason is None or reason.code != "order.sku_unknown":
        return []
    overrides = overrides_of(order)
    found = []
    for entry in reason.params.get("skus") or ():
        params = entry.get("params") if isinstance(entry, dict) else None
        if not isinstance(params, dict) or not str(params.get("sku") or "").strip():
            continue
        sku = str(params["sku"]).strip()
        tried = tuple(t.strip() for t in str(params.get("tried") or "").split(",") if t.strip() and t.strip() != "-")
        found.append(UnknownSku(sku=sku, tried=tried, override=overrides.get(sku, "")))
    return found[:SKUS_PER_ORDER]


class SkuFinder:
    """ERP products by code for the console, one ``ErpClient`` per connection (its token kept between
    lookups), GETs only: a lookup that finds nothing is not an error at the ERP."""

    def __init__(self, settings, box) -> None:
        self._settings = settings
        self._box = box
        self._lock = threading.Lock()
        self._clients: dict[int, tuple[tuple, ErpClient, threading.Lock]] = {}

    def _client(self, connection: ChannelConnection) -> tuple[ErpClient, threading.Lock]:
        sealed = bytes(connection.access_key_sealed or b"")
        identity = (connection.api_user, sealed)
        with self._lock:
            known = self._clients.get(connection.id)
            if known is None or known[0] != identity:
                client = ErpClient(self._settings.erp_url, username=connection.api_user,
                                   access_key=connection.access_key(self._box),
                                   partner_id=self._settings.erp_partner_id, timeouts=LOOKUP_TIMEOUTS)
                if known is not None:
                    known[1].close()
                known = self._clients[connection.id] = (identity, client, threading.Lock())
        return known[1], known[2]

    def matches(self, connection: ChannelConnection, skus: list[UnknownSku]) -> dict[str, str] | None:
        """For each SKU, the ERP code that now matches it: the code a person set, else the SKU itself, else
        a code tried before (empty: none yet); None when the ERP cannot be asked now."""
        if not connection.access_key_sealed or not connection.api_user:
            return None
        try:
            client, lock = self._client(connection)
            found = {}
            with lock:
                for unknown in skus:
                    candidates = list(dict.fromkeys(c for c in (unknown.override, unknown.sku, *unknown.tried) if c))
                    found[unknown.sku] = next((product.code for product in (
                        client.find_product(code=code) for code in candidates[:LOOKUPS_PER_SKU])
                        if product is not None and product.active), "")
            return found
        except (ErpError, DecryptionError):
            return None

    def close(self) -> None:
        with self._lock:
            for _, client, _ in self._clients.values():
                client.close()
            self._clients.clear()


@dataclass(frozen=True)
class InvoiceResult:
    """What one "Facturar" came to: the order's outcome, or why it was refused (a ``Refusal``)."""

    order_id: str
    outcome: OrderOutcome | None = None
    refusal: Refusal | None = None
    already: bool = False  # it was invoiced before this click: nothing new was created
    missing: bool = False  # the connection has no such order

    @property
    def invoiced(self) -> bool:
        return self.outcome is not None and self.outcome.state == "invoiced" and self.outcome.invoice is not None


async def _send(client, settings, connection: ChannelConnection, company_tax_id: str, order_id: str, actor: str,
                overrides: tuple[tuple[str, str], ...]) -> OrderOutcome:
    try:
        return await send_invoice_now(
            client, task_queue=settings.task_queue, connection_id=connection.id, company_tax_id=company_tax_id,
            order_id=order_id, request=InvoiceNow(actor=actor, sku_overrides=overrides),
            rpc_timeout=timedelta(seconds=INVOICE_WITHIN))
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise Refusal(NO_ANSWER, message="the order did not answer in time") from None
    except (WorkflowUpdateFailedError, RPCError) as error:
        raise refusal_from(error) from error


def invoice_now(bridge, settings, connection: ChannelConnection, company_tax_id: str, order_id: str, *,
                actor: str, overrides: tuple[tuple[str, str], ...] = ()) -> OrderOutcome:
    """Send "Facturar" for one order; its outcome, or a ``Refusal`` (``NoAnswer`` past :data:`INVOICE_WITHIN`)."""
    async def send(client):
        return await _send(client, settings, connection, company_tax_id, order_id, actor, overrides)

    try:
        return bridge.call(send, timeout=INVOICE_WITHIN + 2)
    except concurrent.futures.TimeoutError:
        raise Refusal(NO_ANSWER, message="the order did not answer in time") from None


def invoice_many(bridge, settings, connection: ChannelConnection, company_tax_id: str, order_ids: list[str], *,
                 actor: str) -> dict[str, InvoiceResult]:
    """"Facturar seleccionadas": each order's "Facturar" (with the SKU codes already set on it), a few at a
    time; an order not answered within :data:`BULK_WITHIN` is reported as still under way."""
    async def send_all(client):
        gate = asyncio.Semaphore(BULK_AT_ONCE)

        async def one(order_id: str) -> InvoiceResult:
            async with gate:
                try:
                    outcome = await asyncio.wait_for(
                        _send(client, settings, connection, company_tax_id, order_id, actor, ()), BULK_WITHIN)
                except asyncio.TimeoutError:
                    return InvoiceResult(order_id, refusal=Refusal(NO_ANSWER, message="no answer in time"))
                except Refusal as refusal:
                    return InvoiceResult(order_id, refusal=refusal)
                return InvoiceResult(order_id, outcome=outcome)

        started = asyncio.get_running_loop().time()

        async def bounded(order_id: str) -> InvoiceResult:
            left = BULK_WITHIN - (asyncio.get_running_loop().time() - started)
            try:
                return await asyncio.wait_for(one(order_id), max(left, 0.1))
            except asyncio.TimeoutError:
                return InvoiceResult(order_id, refusal=Refusal(NO_ANSWER, message="no answer in time"))

        return await asyncio.gather(*(bounded(o) for o in order_ids))

    results = bridge.call(send_all, timeout=BULK_WITHIN + 5)
    return {r.order_id: r for r in results}
