"""``POST /notifications``: acknowledge fast, deduplicate on the order, let the workflow re-read it.

- A body that is not a notification (not JSON, a field missing or malformed)
  is answered **400** naming the field; nothing is started.
- A notification of another topic, or of a seller no connection listens to
  (``ChannelConnection.marketplace_user_id``, state connected or paused), is
  answered **200** and ignored: retrying it would not change that.
- Otherwise the order's workflow is signal-with-started (signal ``notified``;
  a duplicate finds the running workflow) on the configured task queue and
  the answer is **200**. The marketplace waits 500 ms from sending, so the
  receiver's budget (``ANSWER_SECONDS``) counts from the request's arrival:
  a body slow to arrive or a cold lookup leaves the Temporal call less time,
  and the call gets only what is left. If Temporal cannot answer in that
  time (or too little is left to try) the answer is **503**, the marketplace
  retries, and what it gives up on is listed in its missed feeds, which the
  reconciliation reads.

Connections are looked up in the database and kept ``CACHE_SECONDS``. The
Temporal client lives on one event loop in a background thread (as the
console's bridge does), shared by the server's request threads. Nothing
logged carries a token: notifications hold none, and request headers are
never logged.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import CancelledError as FutureCancelled
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import peewee
from temporalio.client import Client
from temporalio.service import RPCError

from habilita.activities.channel_orders import (
    LISTENING_STATES,
    OrderNotified,
    notify_order,
)
from habilita.channels.invoicing import order_workflow_id
from habilita.channels.orders import ORDERS_TOPIC, OrderDataError, parse_notification
from habilita.json_http import read_body, send_json
from habilita.models import ChannelConnection, Company, database_proxy

log = logging.getLogger(__name__)

# The marketplace waits 500 ms from sending. From the request's arrival (its headers read), the body, the
# lookup (a cached one takes a millisecond; a cold one, a few) and the Temporal call share this much; the
# Temporal call gets what is left. The other 100 ms are for the answer to travel and for a busy machine: a
# request thread whose wait for Temporal ran out has been seen to take 90 ms more to get the CPU back and answer.
ANSWER_SECONDS = 0.40
# With less than this left, the Temporal call is not tried: it could not answer in time, and a 503 at once
# lets the marketplace retry sooner.
MIN_TEMPORAL_SECONDS = 0.05
CONNECT_SECONDS = 10.0
CACHE_SECONDS = 10.0
# After a connection to Temporal failed, requests answer 503 at once for this long before one tries again:
# while Temporal is away, a storm of notifications does not become a storm of connection attempts.
RECONNECT_PAUSE = 1.0
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Listener:
    """The connection a seller's notifications belong to."""

    connection_id: int
    company_tax_id: str


class TemporalLink:
    """One Temporal client on its own event loop, for the server's request threads."""

    def __init__(self, factory: Callable[[], Awaitable[Client]]) -> None:
        self._factory = factory
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="receiver-temporal", daemon=True)
        self._thread.start()
        self._client: Client | None = None
        self._connecting = None
        self._next_attempt = 0.0  # time.monotonic() before which a failed connection is not tried again
        self._lock = threading.Lock()

    def start_connecting(self) -> None:
        """Connect in the background, so the first notification does not wait for it."""
        with self._lock:
            if self._client is None and self._connecting is None and time.monotonic() >= self._next_attempt:
                self._connecting = asyncio.run_coroutine_threadsafe(self._factory(), self._loop)

    def _client_within(self, seconds: float) -> Client:
        if self._client is not None:
            return self._client
        self.start_connecting()
        connecting = self._connecting
        if connecting is None:
            raise ConnectionError("Temporal: unreachable a moment ago, not tried again yet")
        try:
            client = connecting.result(seconds)
        except FutureTimeout:
            raise TimeoutError("Temporal: no connection yet") from None
        except Exception as exc:  # refused, bad address: a request after the pause tries again
            with self._lock:
                if self._connecting is connecting:
                    self._connecting, self._next_attempt = None, time.monotonic() + RECONNECT_PAUSE
            raise ConnectionError(f"Temporal: {exc}") from exc
        self._client = client
        return client

    def call(self, operation: Callable[[Client], Awaitable], *, seconds: float):
        """Run ``operation(client)`` on the link's loop; TimeoutError after ``seconds`` (the call is cancelled)."""
        started = time.monotonic()
        client = self._client_within(seconds)
        left = max(0.01, seconds - (time.monotonic() - started))
        future = asyncio.run_coroutine_threadsafe(operation(client), self._loop)
        try:
            return future.result(left)
        except FutureTimeout:
            future.cancel()
            raise TimeoutError(f"Temporal did not answer within {seconds:.2f} s") from None

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


class NotificationReceiver:
    """What the HTTP handler does with a body: (status, answer)."""

    def __init__(self, link: TemporalLink, *, task_queue: str, answer_seconds: float = ANSWER_SECONDS,
                 cache_seconds: float = CACHE_SECONDS) -> None:
        self.link = link
        self.task_queue = task_queue
        self.answer_seconds = answer_seconds
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Listener | None]] = {}
        self._cache_lock = threading.Lock()
        self.counts = {"accepted": 0, "refused": 0, "ignored": 0, "unavailable": 0}

    def receive(self, raw: bytes, *, arrived: float | None = None) -> tuple[int, dict]:
        """Answer ``raw``, a request that arrived at ``arrived`` (``time.monotonic()``; now if not given)."""
        deadline = (time.monotonic() if arrived is None else arrived) + self.answer_seconds
        try:
            body = json.loads(raw or b"")
        except ValueError:
            return self._count("refused", 400, {"error": "invalid_notification", "field": "body",
                                                "message": "the body is not JSON"})
        try:
            notice = parse_notification(body)
            if notice.topic != ORDERS_TOPIC:
                return self._count("ignored", 200, {"ignored": "topic", "topic": notice.topic})
            order_id = notice.order_id()
        except OrderDataError as exc:
            return self._count("refused", 400, {"error": "invalid_notification", "field": exc.field,
                                                "message": str(exc)})
        try:
            listener = self.listener(notice.user_id)
        except peewee.PeeweeException:
            log.exception("could not look up the connection of seller %s", notice.user_id)
            return self._count("unavailable", 503, {"error": "unavailable"})
        if listener is None:
            return self._count("ignored", 200, {"ignored": "no connection listens to this seller"})
        workflow_id = order_workflow_id(listener.company_tax_id, listener.connection_id, order_id)
        started = time.monotonic()
        left = deadline - started
        if left < MIN_TEMPORAL_SECONDS:
            log.warning("order %s of seller %s not handed to Temporal: %.3f s of the answer's %.2f s were left",
                        order_id, notice.user_id, max(left, 0.0), self.answer_seconds)
            return self._try_again_later()
        try:
            self.link.call(lambda client: notify_order(
                client, task_queue=self.task_queue, connection_id=listener.connection_id,
                company_tax_id=listener.company_tax_id, order_id=order_id,
                notice=OrderNotified(source="notification", received=notice.received),
                rpc_timeout=timedelta(seconds=left)), seconds=left)
        except (TimeoutError, ConnectionError, RPCError, asyncio.CancelledError, FutureCancelled) as exc:
            log.warning("order %s of seller %s not handed to Temporal after %.3f s: %s", order_id, notice.user_id,
                        time.monotonic() - started, type(exc).__name__)
            return self._try_again_later()
        return self._count("accepted", 200, {"ok": True, "workflow_id": workflow_id})

    def listener(self, user_id: str) -> Listener | None:
        """The connection listening to ``user_id`` (kept a few seconds, found or not)."""
        now = time.monotonic()
        with self._cache_lock:
            cached = self._cache.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        with database_proxy.connection_context():
            row = (ChannelConnection.select(ChannelConnection.id, Company.tax_id)
                   .join(Company).where((ChannelConnection.marketplace_user_id == user_id)
                                        & ChannelConnection.state.in_(LISTENING_STATES))
                   .order_by(ChannelConnection.id).tuples().first())
        found = Listener(connection_id=row[0], company_tax_id=row[1]) if row else None
        with self._cache_lock:
            self._cache[user_id] = (now + self.cache_seconds, found)
        return found

    def _count(self, what: str, status: int, answer: dict) -> tuple[int, dict]:
        self.counts[what] += 1
        return status, answer

    def _try_again_later(self) -> tuple[int, dict]:
        """Temporal was not asked, or did not answer, in time: 503, and the marketplace retries."""
        return self._count("unavailable", 503, {"error": "unavailable", "message": "try again later"})


def make_handler(receiver: NotificationReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            arrived = time.monotonic()
            raw = read_body(self)
            if len(raw) > MAX_BODY:
                return self._answer(413, {"error": "too_large", "field": "body"})
            if self.path.split("?", 1)[0].rstrip("/") != "/notifications":
                return self._answer(404, {"error": "not_found"})
            status, answer = receiver.receive(raw, arrived=arrived)
            self._answer(status, answer)

        def do_GET(self) -> None:
            if self.path == "/health":
                return self._answer(200, {"ok": True, **receiver.counts})
            self._answer(404, {"error": "not_found"})

        def _answer(self, status: int, body: dict) -> None:
            send_json(self, status, body)

        def log_message(self, format: str, *args) -> None:
            log.debug("%s %s", self.address_string(), format % args)  # the request line only, never headers

    return Handler


class ReceiverServer(ThreadingHTTPServer):
    """The HTTP server, its receiver and its Temporal link; ``close()`` stops them."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], receiver: NotificationReceiver) -> None:
        super().__init__(address, make_handler(receiver))
        self.receiver = receiver

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self.receiver.link.close()


def make_server(settings, *, host: str | None = None, port: int | None = None,
                client_factory: Callable[[], Awaitable[Client]] | None = None,
                answer_seconds: float = ANSWER_SECONDS) -> ReceiverServer:
    """The receiver bound to ``host:port`` (settings' by default; port 0: any free one), not yet serving."""
    if client_factory is None:
        from habilita.adapters.temporal import connect

        def client_factory():
            return connect(settings, identity="habilita-receiver")
    link = TemporalLink(client_factory)
    link.start_connecting()
    receiver = NotificationReceiver(link, task_queue=settings.task_queue, answer_seconds=answer_seconds)
    return ReceiverServer((host if host is not None else settings.receiver_host,
                           port if port is not None else settings.receiver_port), receiver)


def serve_in_thread(settings, *, host: str = "127.0.0.1", port: int = 0,
                    client_factory: Callable[[], Awaitable[Client]] | None = None,
                    answer_seconds: float = ANSWER_SECONDS) -> ReceiverServer:
    """Start the receiver on a background thread; ``server.url`` says where."""
    server = make_server(settings, host=host, port=port, client_factory=client_factory,
                         answer_seconds=answer_seconds)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="notification-receiver",
                     daemon=True).start()
    return server
