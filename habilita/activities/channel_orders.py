"""P4 order invoicing: every side effect of turning a marketplace order into one ERP invoice.

The order workflow (:mod:`habilita.workflows.channel_order`) decides; these
activities read the order at the marketplace, keep its ``ChannelOrder`` row,
read the connection's settings, match the products at the ERP and create the
invoice, and the reconciliation's round lists what the notifications missed.

**One order, one invoice.** The invoice is created with an ``Idempotency-Key``
derived from (company, connection, order id) (:func:`habilita.channels.invoicing.idempotency_key`),
never from a run or an attempt: a retry after a lost answer, a worker killed
between the ERP's answer and our write, a second run of the order's workflow
or a person's second click all get the invoice the first request created.
The ``ChannelOrder`` row (unique on connection + order id) records it; a run
that finds its row invoiced creates nothing.

**The ERP's limits.** Every ERP call of a worker goes through one
:class:`CompanyRateLimiter`, keyed by the ERP company, so the worker never
sends more than the company's limit in any window (100 a minute in
production, 10 on a test company). A 429 anyway (another worker, a smaller
limit than configured) holds the company's calls until ``Retry-After`` and
fails the attempt with ``next_retry_delay`` = Retry-After, and the limiter
learns the smaller limit. Refusals that cannot succeed on a retry
(``invalid_reference``, ``invalid_total_payments``..., credentials refused,
user blocked) are non-retryable: the ERP blocks an API user whose requests are
mostly errors, so nothing is ever retried blindly against a refusal, and
products are looked up (GET, never an error) before an invoice is sent.

Failures carry a catalog message as their first detail (``{"code", "params"}``):
the workflow writes it as the order's reason.
"""
from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import peewee
import requests
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from habilita.adapters.erp_client import ErpClient, Product
from habilita.adapters.erp_client import Timeouts as ErpTimeouts
from habilita.adapters.erp_errors import (
    ErpCredentialsRefused,
    ErpError,
    ErpRateLimited,
    ErpRefused,
    ErpUserBlocked,
)
from habilita.adapters.marketplace_client import MarketplaceClient
from habilita.adapters.marketplace_client import Timeouts as MarketplaceTimeouts
from habilita.adapters.marketplace_errors import (
    MarketplaceDataError,
    MarketplaceRefused,
    MarketplaceUnavailable,
)
from habilita.activities.erp_limiter import CompanyRateLimiter, ErpLimit, LimitWait
from habilita.activities.heartbeat import beating
from habilita.adapters.secrets_box import SecretBox
from habilita.channels import invoicing
from habilita.channels.configuration import (
    STOP_CREDENTIALS_REFUSED,
    STOP_RATE_LIMITED,
    STOP_USER_BLOCKED,
    ConnectionSettings,
    InvoicingRules,
    InvoicingStopped,
    settings_from_json,
)
from habilita.channels.invoicing import ErpTax, MatchedLine, SkuCandidate
from habilita.channels.orders import Order
from habilita.dian.clock import colombia_now
from habilita.messages import Message
from habilita.messages.catalog import in_english
from habilita.messages.stored import as_text
from habilita.models import (
    ChannelConnection,
    ChannelOrder,
    Company,
    database_proxy,
    utcnow,
)
from habilita.models.base import write_transaction

log = logging.getLogger(__name__)

ORDER_WORKFLOW = "ChannelOrderInvoicing"
RECONCILE_WORKFLOW = "ChannelReconciliation"
NOTIFIED_SIGNAL = "notified"
INVOICE_NOW_UPDATE = "invoice_now"
STOPPED_SIGNAL = "invoicing_stopped"
# Connections whose notifications start order workflows.
LISTENING_STATES = ("connected", "paused")

# Failure types the workflow reads (ApplicationError.type).
ERP_REFUSED = "ErpRefused"
ERP_CREDENTIALS_REFUSED = "ErpCredentialsRefused"
ERP_USER_BLOCKED = "ErpUserBlocked"
ERP_RATE_LIMITED = "ErpRateLimited"
ERP_BUSY = "ErpBusy"  # our own limiter: the company's window is full; the attempt gives its slot back
ERP_UNAVAILABLE = "ErpUnavailable"
MARKETPLACE_REFUSED = "MarketplaceRefused"
MARKETPLACE_UNAVAILABLE = "MarketplaceUnavailable"
# Failures that stop the connection's invoicing (every further call would fail the same way or make it worse).
STOPPING = frozenset({ERP_CREDENTIALS_REFUSED, ERP_USER_BLOCKED, ERP_RATE_LIMITED})
# ... and how the connection workflow names each (``InvoicingStopped.code``).
STOP_CODES = {ERP_CREDENTIALS_REFUSED: STOP_CREDENTIALS_REFUSED, ERP_USER_BLOCKED: STOP_USER_BLOCKED,
              ERP_RATE_LIMITED: STOP_RATE_LIMITED}

# A reconciliation lists again what changed a little before its watermark (clocks and the marketplace's
# index are not exact) and signals at most this many order workflows at once.
RECONCILE_MARGIN = timedelta(minutes=5)
RECONCILE_CONCURRENCY = 20
# The limiter waits this long inside an attempt; a longer wait gives the worker's slot back and retries later.
# ERP answers worth remembering: a found product or customer, a tax catalog.
ERP_CACHE_SECONDS = 60.0
# How long an order keeps trying while the ERP refuses with 429 (then invoicing stops: support sees why), or
# does not answer at all; counted from when the workflow asked, so waits in our own limiter never count.
RATE_LIMIT_PATIENCE = timedelta(hours=1)
UNAVAILABLE_PATIENCE = timedelta(hours=6)
# Blocking calls heartbeat this often (the workflow gives them a heartbeat timeout of a few times that).
BEAT_EVERY_SECONDS = 3.0


# --- what crosses the workflow boundary -------------------------------------------------------------------


@dataclass(frozen=True)
class OrderNotified:
    """The order workflow's signal ``notified``: something may have changed; re-read the order.
    Every field has a default: a signal sent without one must not fail the workflow's task."""

    source: str = "notification"  # notification, reconciliation, missed_feed
    received: str = ""


@dataclass(frozen=True)
class InvoiceFacts:
    """The ERP invoice an order became."""

    invoice_id: str
    number: str
    dian_status: str = ""
    cufe: str = ""
    date: str = ""
    total: str = ""


@dataclass(frozen=True)
class InvoiceNow:
    """The order workflow's update ``invoice_now``, the console's "Facturar": who clicked, and the ERP code a
    person set for marketplace SKUs the ERP did not know (``(marketplace sku, ERP product code)`` pairs)."""

    actor: str
    sku_overrides: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OrderOutcome:
    """Where an order stands: its state (waiting, invoicing, invoiced, error, skipped), why, its invoice."""

    order_id: str
    state: str
    reason: Message | None = None
    invoice: InvoiceFacts | None = None


@dataclass(frozen=True)
class OrderCarry:
    """What an order workflow carries into its next run (continue-as-new)."""

    state: str
    reason: Message | None = None
    settings: ConnectionSettings | None = None
    invoice: InvoiceFacts | None = None
    since: str = ""            # when the current wait began (ISO), for its bound
    pending_read: bool = False
    erp_error: bool = True     # in error because of the ERP (a person invoices it), not of a marketplace read


@dataclass(frozen=True)
class OrderStart:
    """The order workflow's input (its id says the same: ``order-{tax id}-{connection}-{order id}``)."""

    connection_id: int
    company_tax_id: str
    order_id: str
    carried: OrderCarry | None = None
    continue_as_new_after: int = 0  # history events before the run continues as new (0: the workflow's default)


@dataclass(frozen=True)
class FetchOrder:
    connection_id: int
    order_id: str
    workflow_id: str
    notifications: int = 0  # notifications received since the last read, to count on the row


@dataclass(frozen=True)
class OrderSeen:
    order: Order
    row_state: str
    invoice: InvoiceFacts | None
    sku_overrides: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ReadSettings:
    connection_id: int
    order_id: str


@dataclass(frozen=True)
class SettingsInForce:
    settings: ConnectionSettings | None
    paused: bool
    stopped_reason: str
    connection_workflow_id: str
    settings_version_seen: int = 0  # the version the order first saw (kept on its row)


@dataclass(frozen=True)
class MatchProducts:
    connection_id: int
    company_tax_id: str
    order: Order
    rules: InvoicingRules
    sku_overrides: tuple[tuple[str, str], ...] = ()
    fresh: bool = False  # a person's click: ask the ERP again, remember nothing
    since: str = ""      # when the workflow asked (ISO): the ERP's 429s and outages are retried for a while from it


@dataclass(frozen=True)
class MissingSku:
    marketplace_sku: str
    tried: tuple[SkuCandidate, ...]


@dataclass(frozen=True)
class Matched:
    lines: tuple[MatchedLine, ...]
    missing: tuple[MissingSku, ...] = ()


@dataclass(frozen=True)
class CreateInvoice:
    connection_id: int
    company_tax_id: str
    order: Order
    settings: ConnectionSettings
    lines: tuple[MatchedLine, ...]
    actor: str = ""
    since: str = ""  # as in MatchProducts


@dataclass(frozen=True)
class RecordOrder:
    """Write where an order stands (and why) on its row."""

    connection_id: int
    order_id: str
    workflow_id: str
    state: str
    reason: Message | None = None


@dataclass(frozen=True)
class CountNotifications:
    """Notifications an order workflow received after its last read (it ended without reading again)."""

    connection_id: int
    order_id: str
    workflow_id: str
    count: int


@dataclass(frozen=True)
class SetOverrides:
    connection_id: int
    order_id: str
    workflow_id: str
    sku_overrides: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class StopInvoicing:
    connection_workflow_id: str
    stopped: InvoicingStopped


@dataclass(frozen=True)
class ReconcileRound:
    connection_id: int
    since: str = ""  # ISO watermark; empty: since the connection was created


@dataclass(frozen=True)
class ReconcileOutcome:
    active: bool
    watermark: str = ""
    period_seconds: int = 60
    listed: int = 0
    missed: int = 0
    signalled: int = 0


class _TimedCache:
    """Answers worth keeping a little while (found products, customers, tax catalogs); thread-safe."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._values: dict = {}

    def get(self, key):
        with self._lock:
            found = self._values.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key, value) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + self.seconds, value)


_ASKED_AT: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("asked_at", default=None)


@contextmanager
def _asked_at(since: str) -> Iterator[None]:
    """While an activity runs: when its workflow asked (the start of its patience)."""
    token = _ASKED_AT.set(dt.datetime.fromisoformat(since) if since else None)
    try:
        yield
    finally:
        _ASKED_AT.reset(token)


def _waited(patience: timedelta) -> bool:
    asked = _ASKED_AT.get()
    return asked is not None and dt.datetime.now(dt.UTC) - asked > patience


def _final(failure: ApplicationError) -> ApplicationError:
    """The same failure, no longer retried."""
    return ApplicationError(failure.message, *failure.details, type=failure.type, non_retryable=True)


def _beating() -> AbstractContextManager:
    """Heartbeats while a blocking call runs, none at its start: the many quick attempts (a read, a lookup in
    the cache) cost the server nothing, and a worker killed mid-call is noticed within the workflow's
    ``heartbeat_timeout``."""
    return beating(BEAT_EVERY_SECONDS, at_start=False)


def _refusal(message: Message, kind: str, *, retryable: bool = False, delay: float | None = None) -> ApplicationError:
    """A failure whose first detail is the message the order's row shows."""
    return ApplicationError(in_english(message)[:1000], {"code": message.code, "params": message.params}, type=kind,
                            non_retryable=not retryable,
                            next_retry_delay=timedelta(seconds=delay) if delay is not None else None)


def erp_failure(exc: ErpError) -> ApplicationError:
    """An ERP failure as the activity raises it (the message names the call; never the key or token)."""
    detail = str(exc)[:500]
    if isinstance(exc, ErpCredentialsRefused):
        return _refusal(Message("order.erp_credentials_refused"), ERP_CREDENTIALS_REFUSED)
    if isinstance(exc, ErpUserBlocked):
        return _refusal(Message("order.erp_user_blocked"), ERP_USER_BLOCKED)
    if isinstance(exc, ErpRateLimited):
        return _refusal(Message("order.erp_rate_limited"), ERP_RATE_LIMITED, retryable=True,
                        delay=max(1.0, exc.retry_after))
    if isinstance(exc, ErpRefused):
        said = "; ".join(f"{p.message}" + (f" ({', '.join(p.params)})" if p.params else "")
                         for p in exc.problems) or detail
        return _refusal(Message("order.erp_refused", {"code": ", ".join(exc.codes) or str(exc.status),
                                                      "detail": said[:500]}), ERP_REFUSED)
    return _refusal(Message("order.erp_unavailable", {"detail": detail}), ERP_UNAVAILABLE, retryable=True)


def marketplace_failure(exc: Exception) -> ApplicationError:
    detail = str(exc)[:500]
    if isinstance(exc, MarketplaceUnavailable):
        return _refusal(Message("order.marketplace_refused", {"detail": detail}), MARKETPLACE_UNAVAILABLE,
                        retryable=True)
    return _refusal(Message("order.marketplace_refused", {"detail": detail}), MARKETPLACE_REFUSED)


# --- the activities -------------------------------------------------------------------------------------


class ChannelOrderActivities:
    """The order invoicing's side effects, with their clients, the per-company limiter and short caches."""

    def __init__(self, settings, box: SecretBox, client: Client | None, *, erp_limit: ErpLimit = ErpLimit(),
                 limiter: CompanyRateLimiter | None = None) -> None:
        self.settings = settings
        self.box = box
        self.client = client
        self.limiter = limiter or CompanyRateLimiter(erp_limit)
        self._erp_timeouts = ErpTimeouts(connect=settings.outside_connect_seconds, read=settings.outside_read_seconds)
        self._marketplace_timeouts = MarketplaceTimeouts(connect=settings.outside_connect_seconds,
                                                         read=settings.outside_read_seconds)
        self._lock = threading.Lock()
        self._erp_clients: dict[int, tuple[tuple, ErpClient]] = {}
        self._sessions = threading.local()
        self._products = _TimedCache(ERP_CACHE_SECONDS)
        self._customers = _TimedCache(ERP_CACHE_SECONDS * 10)
        self._taxes = _TimedCache(ERP_CACHE_SECONDS * 10)
        self._customer_locks: dict[tuple, threading.Lock] = {}

    # -- the marketplace -----------------------------------------------------------------------------------

    def _marketplace(self) -> MarketplaceClient:
        session = getattr(self._sessions, "marketplace", None)
        if session is None:
            session = self._sessions.marketplace = requests.Session()
        return MarketplaceClient(self.settings.marketplace_url, token=self.settings.marketplace_token,
                                 timeouts=self._marketplace_timeouts, session=session)

    @activity.defn
    def fetch_order(self, job: FetchOrder) -> OrderSeen:
        """The order as it is now at the marketplace; its row created or refreshed (and its notifications counted)."""
        try:
            with _beating():
                order = self._marketplace().order(job.order_id)
        except (MarketplaceUnavailable, MarketplaceRefused, MarketplaceDataError) as exc:
            self._count_notifications(job)
            raise marketplace_failure(exc) from exc
        with database_proxy.connection_context(), write_transaction():
            row = self._row(job.connection_id, job.order_id, job.workflow_id)
            (ChannelOrder.update(
                marketplace_status=order.status, source_channel=order.source_channel[:60],
                logistic_type=order.logistic_type, buyer_name=order.buyer.name[:200], total=str(order.total())[:24],
                currency=order.currency[:3], notifications=ChannelOrder.notifications + job.notifications,
                updated_at=utcnow())
             .where(ChannelOrder.id == row.id).execute())
        return OrderSeen(order=order, row_state=row.state, invoice=_invoice_of(row),
                         sku_overrides=_overrides_of(row))

    def _count_notifications(self, job: FetchOrder) -> None:
        if job.notifications:
            with database_proxy.connection_context(), write_transaction():
                row = self._row(job.connection_id, job.order_id, job.workflow_id)
                ChannelOrder.update(notifications=ChannelOrder.notifications + job.notifications).where(
                    ChannelOrder.id == row.id).execute()

    @staticmethod
    def _row(connection_id: int, order_id: str, workflow_id: str) -> ChannelOrder:
        """The order's one row (the unique key on connection + order id backs one workflow per order)."""
        row = ChannelOrder.get_or_none((ChannelOrder.connection == connection_id) & (ChannelOrder.order_id == order_id))
        if row is None:
            try:
                with database_proxy.atomic():
                    row = ChannelOrder.create(connection=connection_id, order_id=order_id, workflow_id=workflow_id)
            except peewee.IntegrityError:
                row = ChannelOrder.get((ChannelOrder.connection == connection_id) & (ChannelOrder.order_id == order_id))
        return row

    # -- the settings in force -----------------------------------------------------------------------------

    @activity.defn
    def read_settings(self, job: ReadSettings) -> SettingsInForce:
        """The connection's settings in force and its live state; the row keeps the version the order first saw."""
        with database_proxy.connection_context():
            connection = ChannelConnection.get_by_id(job.connection_id)
            settings = settings_from_json(connection.settings_json) if connection.settings_json else None
            version = settings.version if settings is not None else 0
            first = version
            if settings is not None:
                (ChannelOrder.update(settings_version=version)
                 .where((ChannelOrder.connection == job.connection_id) & (ChannelOrder.order_id == job.order_id)
                        & (ChannelOrder.settings_version == 0)).execute())
                first = (ChannelOrder.select(ChannelOrder.settings_version)
                         .where((ChannelOrder.connection == job.connection_id)
                                & (ChannelOrder.order_id == job.order_id)).scalar()) or version
        return SettingsInForce(settings=settings, paused=connection.state == "paused",
                               stopped_reason=connection.invoicing_stopped_reason or "",
                               connection_workflow_id=connection.workflow_id, settings_version_seen=first)

    # -- the ERP -------------------------------------------------------------------------------------------

    def _erp(self, connection_id: int) -> tuple[ErpClient, str]:
        """The connection's ERP client (one per connection, its token kept) and the limiter's key."""
        with database_proxy.connection_context():
            connection = ChannelConnection.get_by_id(connection_id)
            company_tax_id = Company.select(Company.tax_id).where(Company.id == connection.company_id).scalar()
        sealed = bytes(connection.access_key_sealed or b"")
        identity = (connection.api_user, sealed)
        with self._lock:
            known = self._erp_clients.get(connection_id)
            if known is None or known[0] != identity:
                if not sealed:
                    raise _refusal(Message("order.erp_credentials_refused"), ERP_CREDENTIALS_REFUSED)
                client = ErpClient(self.settings.erp_url, username=connection.api_user,
                                   access_key=connection.access_key(self.box), partner_id=self.settings.erp_partner_id,
                                   timeouts=self._erp_timeouts)
                if known is not None:
                    known[1].close()
                known = self._erp_clients[connection_id] = (identity, client)
        return known[1], connection.erp_tax_id or company_tax_id

    def _call(self, key: str, call):
        """One ERP call under the company's limit; its failures as the activity raises them. A 429 or an
        outage is retryable until its patience (from when the workflow asked) runs out."""
        try:
            slot = self.limiter.acquire(key, beat=activity.heartbeat if activity.in_activity() else None)
        except LimitWait as wait:
            raise _refusal(Message("order.erp_busy"), ERP_BUSY, retryable=True,
                           delay=wait.seconds) from wait
        try:
            return call()
        except ErpRateLimited as exc:
            self.limiter.refused(key, exc.retry_after)
            failure = erp_failure(exc)
            raise (_final(failure) if _waited(RATE_LIMIT_PATIENCE) else failure) from exc
        except ErpError as exc:
            failure = erp_failure(exc)
            if exc.retryable and _waited(UNAVAILABLE_PATIENCE):
                failure = _final(failure)
            raise failure from exc
        finally:
            self.limiter.answered(slot)

    def _find(self, client: ErpClient, key: str, candidate: SkuCandidate, *, fresh: bool) -> Product | None:
        cache_key = (key, candidate.kind, candidate.value)
        if not fresh:
            known = self._products.get(cache_key)
            if known is not None:
                return known
        if candidate.kind == "barcode":
            product = self._call(key, lambda: client.find_product(barcode=candidate.value))
        else:
            product = self._call(key, lambda: client.find_product(code=candidate.value))
        if product is not None and product.active:
            self._products.put(cache_key, product)
            return product
        return None

    def _first_found(self, client: ErpClient, key: str, candidates: tuple[SkuCandidate, ...], *,
                     fresh: bool) -> Product | None:
        for candidate in candidates:
            product = self._find(client, key, candidate, fresh=fresh)
            if product is not None:
                return product
        return None

    @activity.defn
    def match_products(self, job: MatchProducts) -> Matched:
        """The ERP product of every item (and of the shipping when it is invoiced), trying each item's
        candidates in order; the items no candidate matched, with what was tried."""
        with _beating(), _asked_at(job.since):
            client, key = self._erp(job.connection_id)
            overrides = dict(job.sku_overrides)
            lines, missing = [], []
            wanted = [(line, item, invoicing.sku_candidates(item, line, overrides, job.rules.generic_sku))
                      for line, item in invoicing.order_lines(job.order)]
            for line, item, candidates in wanted:
                product = self._first_found(client, key, candidates, fresh=job.fresh)
                sku = invoicing.marketplace_sku(item, line)
                if product is None:
                    missing.append(MissingSku(sku, candidates))
                    continue
                lines.append(MatchedLine(line=line, marketplace_sku=sku, code=product.code, quantity=item.quantity,
                                         unit_price=item.unit_price, description=item.title or product.name,
                                         tax_ids=product.tax_ids))
            if job.rules.invoice_shipping and Decimal(job.order.shipping_cost) > 0:
                candidates = invoicing.shipping_candidates(job.rules.generic_sku)
                product = self._first_found(client, key, candidates, fresh=job.fresh)
                if product is None:
                    missing.append(MissingSku(invoicing.SHIPPING_SKU, candidates))
                else:
                    lines.append(MatchedLine(line=0, marketplace_sku=invoicing.SHIPPING_SKU, code=product.code,
                                             quantity=1, unit_price=job.order.shipping_cost, description="Envío",
                                             tax_ids=product.tax_ids))
        return Matched(lines=tuple(lines), missing=tuple(missing))

    def _tax_catalog(self, client: ErpClient, key: str) -> dict[int, ErpTax]:
        known = self._taxes.get(key)
        if known is None:
            known = {t.id: ErpTax(id=t.id, type=t.type, percentage=str(t.percentage))
                     for t in self._call(key, client.taxes) if t.active}
            self._taxes.put(key, known)
        return known

    def _ensure_customer(self, client: ErpClient, key: str, payload: dict) -> None:
        """The buyer exists at the ERP (looked up, created when missing); one creation per buyer at a time."""
        identity = (key, payload["identification"])
        if self._customers.get(identity):
            return
        with self._lock:
            lock = self._customer_locks.setdefault(identity, threading.Lock())
        with lock:
            if self._customers.get(identity):
                return
            found = self._call(key, lambda: client.find_customer(payload["identification"]))
            if found is None:
                try:
                    self._call(key, lambda: client.create_customer(payload))
                except ApplicationError as exc:
                    # Another worker created it meanwhile: the customer is there, which is all we need.
                    cause = exc.__cause__
                    if not (isinstance(cause, ErpRefused) and "already_exists" in cause.codes):
                        raise
            self._customers.put(identity, True)

    @activity.defn
    def create_invoice(self, job: CreateInvoice) -> InvoiceFacts:
        """Create the order's invoice with its Idempotency-Key and record it on the row (a replay of the
        key returns the invoice already created: one order, one invoice)."""
        workflow_id = invoicing.order_workflow_id(job.company_tax_id, job.connection_id, job.order.order_id)
        with _beating(), _asked_at(job.since):
            with database_proxy.connection_context(), write_transaction():
                row = self._row(job.connection_id, job.order.order_id, workflow_id)
                if row.state == "invoiced" and row.invoice_id:
                    return _invoice_of(row)
                ChannelOrder.update(state="invoicing", attempts=ChannelOrder.attempts + 1, updated_at=utcnow()).where(
                    ChannelOrder.id == row.id).execute()
            client, key = self._erp(job.connection_id)
            customer = invoicing.customer_payload(job.order, job.settings)
            self._ensure_customer(client, key, customer)
            taxes = self._tax_catalog(client, key) if any(line.tax_ids for line in job.lines) else {}
            payload = invoicing.invoice_payload(job.order, job.settings, job.lines, taxes,
                                                customer_identification=customer["identification"],
                                                today=colombia_now().date())
            idempotency_key = invoicing.idempotency_key(job.company_tax_id, job.connection_id, job.order.order_id)
            invoice = self._call(key, lambda: client.create_invoice(payload, idempotency_key=idempotency_key))
        facts = InvoiceFacts(invoice_id=invoice.id, number=invoice.name, dian_status=invoice.stamp.status or "",
                             cufe=invoice.stamp.cufe or "", date=invoice.date, total=str(invoice.total))
        reason = (Message("order.invoiced_by", {"number": invoice.name, "actor": job.actor}) if job.actor
                  else Message("order.invoiced", {"number": invoice.name}))
        with database_proxy.connection_context():
            (ChannelOrder.update(state="invoiced", reason=as_text(reason), invoice_id=facts.invoice_id[:64],
                                 invoice_number=facts.number[:40], dian_status=facts.dian_status[:20],
                                 cufe=facts.cufe[:96], invoiced_at=utcnow(), updated_at=utcnow())
             .where((ChannelOrder.connection == job.connection_id) & (ChannelOrder.order_id == job.order.order_id))
             .execute())
        return facts

    # -- the row -------------------------------------------------------------------------------------------

    @activity.defn
    def record_order(self, job: RecordOrder) -> None:
        """Where the order stands and why (never over an invoiced row: an invoice is final)."""
        with database_proxy.connection_context(), write_transaction():
            row = self._row(job.connection_id, job.order_id, job.workflow_id)
            if row.state == "invoiced":
                return
            ChannelOrder.update(state=job.state, reason=as_text(job.reason) if job.reason else "",
                                updated_at=utcnow()).where(ChannelOrder.id == row.id).execute()

    @activity.defn
    def count_notifications(self, job: CountNotifications) -> None:
        self._count_notifications(FetchOrder(job.connection_id, job.order_id, job.workflow_id, job.count))

    @activity.defn
    def set_sku_overrides(self, job: SetOverrides) -> tuple[tuple[str, str], ...]:
        """Add a person's SKU corrections to the row's (a later one for the same SKU wins); all of them."""
        with database_proxy.connection_context(), write_transaction():
            row = self._row(job.connection_id, job.order_id, job.workflow_id)
            merged = {**dict(_overrides_of(row)), **{sku.strip(): code.strip() for sku, code in job.sku_overrides}}
            ChannelOrder.update(sku_overrides=json.dumps(merged, ensure_ascii=False, sort_keys=True),
                                updated_at=utcnow()).where(ChannelOrder.id == row.id).execute()
        return tuple(sorted(merged.items()))

    # -- the connection workflow -----------------------------------------------------------------------------

    @activity.defn
    async def stop_invoicing(self, job: StopInvoicing) -> bool:
        """Tell the connection workflow that invoicing must stop (support sees why); False when it is not running."""
        try:
            await self.client.get_workflow_handle(job.connection_workflow_id).signal(STOPPED_SIGNAL, job.stopped)
        except RPCError as exc:
            if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
                log.warning("connection workflow %s is not running; invoicing stop not delivered",
                            job.connection_workflow_id)
                return False
            raise
        return True

    # -- the reconciliation ------------------------------------------------------------------------------------

    @activity.defn
    async def reconcile_round(self, job: ReconcileRound) -> ReconcileOutcome:
        """List the orders changed since the watermark (less a margin) and the missed notifications, and
        signal-with-start the workflow of every order whose change its row has not seen; once the connection
        invoices again (resumed, no longer stopped, configured), wake the orders that waited on it."""
        started = dt.datetime.now(dt.UTC)
        loop = asyncio.get_running_loop()
        facts = await loop.run_in_executor(None, _connection_facts, job.connection_id)
        period = self.settings.reconcile_seconds
        if facts is None or facts["state"] == "disconnected":
            return ReconcileOutcome(active=False, period_seconds=period)
        since = dt.datetime.fromisoformat(job.since) if job.since else facts["created_at"]
        since = since - RECONCILE_MARGIN
        seller = facts["marketplace_user_id"]
        if facts["state"] not in LISTENING_STATES:
            return ReconcileOutcome(active=True, watermark=job.since, period_seconds=period)
        marketplace = self._marketplace()
        try:
            orders = await loop.run_in_executor(None, lambda: marketplace.recent_orders(seller, since.isoformat()))
            activity.heartbeat("listed")
            missed = await loop.run_in_executor(None, lambda: marketplace.missed_notifications(
                self.settings.marketplace_app_id))
        except (MarketplaceUnavailable, MarketplaceRefused, MarketplaceDataError) as exc:
            raise marketplace_failure(exc) from exc
        changed = {o.order_id: ("reconciliation", o.status, _moment(o.last_updated)) for o in orders}
        missed_orders = 0
        for notice in missed:
            received = _moment(notice.received)
            if notice.user_id != seller or notice.topic != "orders_v2" or received is None or received < since:
                continue
            try:
                order_id = notice.order_id()
            except ValueError:
                continue
            missed_orders += 1
            if order_id not in changed:
                changed[order_id] = ("missed_feed", "", received)
        due = await loop.run_in_executor(None, _needing_a_signal, job.connection_id, changed)
        if facts["state"] == "connected" and facts["configured"] and not facts["stopped"]:
            waking = await loop.run_in_executor(None, _waiting_on_the_connection, job.connection_id)
            for order_id in waking:
                changed.setdefault(order_id, ("reconciliation", "", None))
            due = sorted(set(due) | set(waking))
        queue = activity.info().task_queue
        gate = asyncio.Semaphore(RECONCILE_CONCURRENCY)

        async def signal(order_id: str) -> None:
            async with gate:
                await notify_order(self.client, task_queue=queue, connection_id=job.connection_id,
                                   company_tax_id=facts["company_tax_id"], order_id=order_id,
                                   notice=OrderNotified(source=changed[order_id][0]))

        for start in range(0, len(due), 200):
            await asyncio.gather(*(signal(o) for o in due[start:start + 200]))
            activity.heartbeat(f"signalled {start + len(due[start:start + 200])}")
        return ReconcileOutcome(active=True, watermark=started.isoformat(), period_seconds=period,
                                listed=len(orders), missed=missed_orders, signalled=len(due))


def _connection_facts(connection_id: int) -> dict | None:
    with database_proxy.connection_context():
        row = (ChannelConnection.select(ChannelConnection, Company.tax_id.alias("company_tax_id"))
               .join(Company).where(ChannelConnection.id == connection_id).objects().first())
        if row is None:
            return None
        return {"state": row.state, "company_tax_id": row.company_tax_id,
                "marketplace_user_id": row.marketplace_user_id, "configured": bool(row.settings_json),
                "stopped": bool(row.invoicing_stopped_reason), "created_at": row.created_at.replace(tzinfo=dt.UTC)}


# Why an order may be waiting on its connection rather than on itself: once the connection invoices again
# (configured, resumed, no longer stopped), the next round wakes these orders, which have no change to notify.
WAITING_ON_THE_CONNECTION = ("order.connection_paused", "order.invoicing_stopped", "order.not_configured")


def _waiting_on_the_connection(connection_id: int) -> list[str]:
    with database_proxy.connection_context():
        said = None
        for code in WAITING_ON_THE_CONNECTION:
            clause = ChannelOrder.reason.contains(f'"code": "{code}"')
            said = clause if said is None else said | clause
        return [order_id for (order_id,) in ChannelOrder.select(ChannelOrder.order_id).where(
            (ChannelOrder.connection == connection_id) & (ChannelOrder.state == "waiting") & said).tuples()]


def _needing_a_signal(connection_id: int, changed: dict) -> list[str]:
    """The orders whose workflow has not seen their latest change: no row yet, a status the row does not
    know, or a change after the row was last written; an invoiced order never (it is final)."""
    if not changed:
        return []
    with database_proxy.connection_context():
        rows = {r.order_id: r for r in ChannelOrder.select(
            ChannelOrder.order_id, ChannelOrder.state, ChannelOrder.marketplace_status, ChannelOrder.updated_at)
            .where((ChannelOrder.connection == connection_id) & ChannelOrder.order_id.in_(list(changed)))}
    due = []
    for order_id, (_source, status, moment) in changed.items():
        row = rows.get(order_id)
        if row is None:
            due.append(order_id)
        elif row.state == "invoiced":
            continue
        elif (status and status != row.marketplace_status) or (
                moment is not None and row.updated_at.replace(tzinfo=dt.UTC) < moment):
            due.append(order_id)
    return sorted(due)


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


async def notify_order(client: Client, *, task_queue: str, connection_id: int, company_tax_id: str, order_id: str,
                       notice: OrderNotified = OrderNotified(), rpc_timeout: timedelta | None = None) -> None:
    """Signal-with-start the order's workflow: a running one gets the signal; otherwise a run starts.

    ``ALLOW_DUPLICATE``: an order whose workflow ended without an invoice (it waited its bound, it was
    left in error) is decided again by a later notification; one that ended invoiced starts a run that
    finds its row invoiced and ends at once (see :mod:`habilita.workflows.channel_order`).
    """
    await client.start_workflow(
        ORDER_WORKFLOW, OrderStart(connection_id=connection_id, company_tax_id=company_tax_id, order_id=order_id),
        id=invoicing.order_workflow_id(company_tax_id, connection_id, order_id), task_queue=task_queue,
        start_signal=NOTIFIED_SIGNAL, start_signal_args=[notice],
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE, rpc_timeout=rpc_timeout)


async def send_invoice_now(client: Client, *, task_queue: str, connection_id: int, company_tax_id: str,
                           order_id: str, request: InvoiceNow, rpc_timeout: timedelta | None = None) -> OrderOutcome:
    """The console's "Facturar" as update-with-start: it reaches the order's running workflow, or starts a run
    when the last one has ended (that run reads the row first: an invoiced order answers its invoice)."""
    start = WithStartWorkflowOperation(
        ORDER_WORKFLOW, OrderStart(connection_id=connection_id, company_tax_id=company_tax_id, order_id=order_id),
        id=invoicing.order_workflow_id(company_tax_id, connection_id, order_id), task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        result_type=OrderOutcome)
    return await client.execute_update_with_start_workflow(INVOICE_NOW_UPDATE, request, start_workflow_operation=start,
                                                           result_type=OrderOutcome, rpc_timeout=rpc_timeout)


def _invoice_of(row: ChannelOrder) -> InvoiceFacts | None:
    if row.state != "invoiced" or not row.invoice_id:
        return None
    return InvoiceFacts(invoice_id=row.invoice_id, number=row.invoice_number, dian_status=row.dian_status,
                        cufe=row.cufe, date=row.invoiced_at.date().isoformat() if row.invoiced_at else "")


def _overrides_of(row: ChannelOrder) -> tuple[tuple[str, str], ...]:
    if not row.sku_overrides:
        return ()
    try:
        return tuple(sorted((str(k), str(v)) for k, v in json.loads(row.sku_overrides).items()))
    except (ValueError, AttributeError):
        return ()


def channel_order_activities(settings, client: Client | None, *, erp_limit: ErpLimit = ErpLimit(),
                             box: SecretBox | None = None, limiter: CompanyRateLimiter | None = None) -> list:
    """Every activity of P4's order invoicing and reconciliation, bound to one object (one limiter, one set
    of ERP clients per worker), for the worker to register. ``client`` signals the connection workflows and
    signal-with-starts the order workflows the reconciliation finds."""
    orders = ChannelOrderActivities(settings, box or SecretBox(settings.encryption_key), client, erp_limit=erp_limit,
                                    limiter=limiter)
    return [orders.fetch_order, orders.read_settings, orders.match_products, orders.create_invoice,
            orders.record_order, orders.count_notifications, orders.set_sku_overrides, orders.stop_invoicing, orders.reconcile_round]
