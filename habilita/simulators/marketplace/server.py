"""The marketplace simulator's HTTP interface (JSON over HTTP/1.1).

Seller API (``Authorization: Bearer <token>``; tokens come from
``POST /_admin/sellers`` or ``--dev-token``; 401 without a valid one):

- ``GET /orders/{id}``: the order in the marketplace's shape (403 if it is
  another seller's, 404 if there is none).
- ``GET /orders/search?seller={id}&order.date_last_updated.from=ISO[&order.date_last_updated.to=ISO]
  [&order.status=S]&offset=0&limit=50``: the seller's orders by last update,
  oldest first; ``limit`` at most 50; ``paging.total`` counts all matches.
- ``GET /missed_feeds?app_id={id}[&topic=orders_v2]&offset=0&limit=50``:
  notifications not acknowledged within the last two days.

Admin API (dev/test only, no token):

- ``POST /_admin/sellers`` ``{"seller_id", "token"?}`` -> ``{"seller_id", "access_token"}``.
- ``POST /_admin/orders`` ``{"seller_id", "order_id"?, "notify": 1, "overrides": {}, ...order}``
  (the order as in :func:`.shape.order_from_spec`) -> 201 ``{"order", "notifications"}``.
- ``POST /_admin/orders/{id}`` ``{"status"?, "pack_id"?, "logistic_type"?, "source_channel"?,
  "notify": 1, "overrides"?}``: change it and notify.
- ``GET /_admin/orders/{id}``: seller, status history and served JSON.
- ``GET|POST /_admin/notify-url`` ``{"url": "http://..."}`` ("" to stop sending).
- ``GET /_admin/notifications``: every notification with its delivery state.
- ``POST /_admin/storm`` ``{"seed", ...StormSpec fields, "now"?: ISO, "pace_seconds"?}``
  -> ``{"manifest", "application_id", "seller_id", "access_token"}`` (409 if replayed).
- ``GET /health``.

Errors are the marketplace's ``{"message", "error", "status", "cause": []}``.
"""
from __future__ import annotations

import json
import threading
from dataclasses import fields
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from habilita.channels.orders import check_id
from habilita.json_http import read_body, send_json

from .dispatcher import DeliveryPolicy, Dispatcher
from .shape import order_from_spec, order_json
from .store import Marketplace, MarketplaceError, StoredOrder, check_seller
from .storm import StormSpec, plan_storm, play_storm, storm

MAX_LIMIT = 50
DEFAULT_POLICY = DeliveryPolicy()


class MarketplaceServer(ThreadingHTTPServer):
    """The HTTP server plus the dispatcher sending its notifications; ``close()`` stops both."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], marketplace: Marketplace,
                 policy: DeliveryPolicy = DEFAULT_POLICY) -> None:
        super().__init__(address, make_handler(marketplace))
        self.marketplace = marketplace
        self.dispatcher = Dispatcher(marketplace, policy)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self.dispatcher.stop()


def serve_in_thread(marketplace: Marketplace, *, host: str = "127.0.0.1", port: int = 0,
                    policy: DeliveryPolicy = DEFAULT_POLICY) -> MarketplaceServer:
    """Start the API and the dispatcher on background threads; ``server.url`` says where."""
    server = MarketplaceServer((host, port), marketplace, policy)
    server.dispatcher.start()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="marketplace-simulator",
                     daemon=True).start()
    return server


def make_handler(marketplace: Marketplace) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def _dispatch(self, method: str) -> None:
            self._raw = read_body(self)
            split = urlsplit(self.path)
            parts = [p for p in split.path.split("/") if p]
            query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
            try:
                route = self._route(method, parts)
                if route is None:
                    raise MarketplaceError(f"no resource {method} {split.path}", status=404, code="not_found")
                status, body = route(parts, query)
            except MarketplaceError as exc:
                status, body = exc.status, {"message": str(exc), "error": exc.code, "status": exc.status,
                                            "cause": []}
            self._answer(status, body)

        def _route(self, method: str, parts: list[str]):
            if method == "GET":
                if parts == ["health"]:
                    return lambda _p, _q: (200, {"ok": True})
                if parts == ["orders", "search"]:
                    return self._search
                if len(parts) == 2 and parts[0] == "orders":
                    return self._order
                if parts == ["missed_feeds"]:
                    return self._missed
                if parts == ["_admin", "notifications"]:
                    return lambda _p, _q: _delivery_answer(marketplace)
                if parts == ["_admin", "notify-url"]:
                    return lambda _p, _q: (200, {"url": marketplace.notify_url})
                if len(parts) == 3 and parts[:2] == ["_admin", "orders"]:
                    return self._admin_order
            if method == "POST":
                if parts == ["_admin", "sellers"]:
                    return self._add_seller
                if parts == ["_admin", "orders"]:
                    return self._create_order
                if len(parts) == 3 and parts[:2] == ["_admin", "orders"]:
                    return self._change_order
                if parts == ["_admin", "notify-url"]:
                    return self._set_notify_url
                if parts == ["_admin", "storm"]:
                    return self._storm
            return None

        # -- seller API ------------------------------------------------------------

        def _seller(self) -> str:
            scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
            seller = marketplace.seller_of(token.strip()) if scheme.lower() == "bearer" else None
            if seller is None:
                raise MarketplaceError("invalid access token", status=401, code="unauthorized")
            return seller

        def _order(self, parts, _query):
            seller = self._seller()
            stored = marketplace.order(_order_id(parts[1]))
            if stored.seller_id != seller:
                raise MarketplaceError(f"order {parts[1]} belongs to another seller", status=403,
                                       code="forbidden")
            return 200, order_json(stored)

        def _search(self, _parts, query):
            seller = self._seller()
            wanted = query.get("seller", "")
            if wanted != seller:
                raise MarketplaceError(f"seller={wanted!r}: the token is seller {seller}'s", status=403,
                                       code="forbidden")
            offset, limit = _paging(query)
            status = query.get("order.status") or None
            total, found = marketplace.search(seller, since=_moment(query, "order.date_last_updated.from"),
                                              until=_moment(query, "order.date_last_updated.to"),
                                              status=status, offset=offset, limit=limit)
            return 200, {"query": query, "results": [order_json(o) for o in found],
                         "paging": {"total": total, "offset": offset, "limit": limit},
                         "sort": {"id": "date_last_updated_asc"}}

        def _missed(self, _parts, query):
            self._seller()
            app_id = query.get("app_id", "")
            if app_id != marketplace.application_id:
                raise MarketplaceError(f"app_id={app_id!r} is not this application", status=403,
                                       code="forbidden")
            offset, limit = _paging(query)
            missed = marketplace.missed(topic=query.get("topic") or None)
            return 200, {"messages": [r.missed_entry() for r in missed[offset:offset + limit]],
                         "paging": {"total": len(missed), "offset": offset, "limit": limit}}

        # -- admin API -------------------------------------------------------------

        def _add_seller(self, _parts, _query):
            body = self._body()
            seller = check_seller(body.get("seller_id"))
            return 201, {"seller_id": seller, "access_token": marketplace.add_seller(seller, body.get("token"))}

        def _create_order(self, _parts, _query):
            body = self._body()
            seller = check_seller(body.get("seller_id"))
            order_id = _order_id(str(body["order_id"])) if body.get("order_id") else marketplace.new_order_id()
            now = marketplace.clock()
            order = order_from_spec(body, order_id=order_id, now=now)
            overrides = body.get("overrides") or {}
            if not isinstance(overrides, dict):
                raise MarketplaceError("overrides must be a JSON object")
            notify = _count(body, "notify")
            stored = StoredOrder(seller_id=seller, order=order, updated_at=now, overrides=overrides,
                                 history=((order.status, order.last_updated),))
            marketplace.put_orders([stored], [(order_id, now, False)] * notify)
            return 201, {"order_id": order_id, "order": order_json(stored), "notifications": notify}

        def _change_order(self, parts, _query):
            body = self._body()
            notify = _count(body, "notify")
            overrides = body.get("overrides")
            if overrides is not None and not isinstance(overrides, dict):
                raise MarketplaceError("overrides must be a JSON object")
            changes = {k: body[k] for k in ("status", "pack_id", "logistic_type", "source_channel") if k in body}
            stored = marketplace.change_order(_order_id(parts[2]), notify=notify, overrides=overrides, **changes)
            return 200, {"order": order_json(stored), "notifications": notify}

        def _admin_order(self, parts, _query):
            stored = marketplace.order(_order_id(parts[2]))
            return 200, {"seller_id": stored.seller_id, "history": [list(h) for h in stored.history],
                         "order": order_json(stored)}

        def _set_notify_url(self, _parts, _query):
            url = self._body().get("url") or ""
            if not isinstance(url, str):
                raise MarketplaceError("url must be a string")
            marketplace.set_notify_url(url)
            return 200, {"url": url}

        def _storm(self, _parts, _query):
            body = self._body()
            names = {f.name for f in fields(StormSpec)}
            unknown = set(body) - names - {"now", "pace_seconds", "token"}
            if unknown:
                raise MarketplaceError(f"unknown storm settings: {', '.join(sorted(unknown))}")
            if not isinstance(body.get("seed"), int):
                raise MarketplaceError("seed (a whole number) is required: it makes the storm reproducible")
            try:
                spec = StormSpec(**{k: v for k, v in body.items() if k in names})
            except TypeError as exc:
                raise MarketplaceError(str(exc)) from exc
            now = _moment(body, "now")
            pace = body.get("pace_seconds")
            if pace is not None and (not isinstance(pace, (int, float)) or isinstance(pace, bool) or pace < 0):
                raise MarketplaceError("pace_seconds must be a non-negative number")
            token = marketplace.add_seller(spec.seller_id, body.get("token"))
            if pace is None:
                manifest = storm(marketplace, spec, now=now)
            else:  # live: the events take time, so answer once the plan is known and play in the background
                plan = plan_storm(spec, now or marketplace.clock())
                replayed = [p.order.order_id for p in plan.orders if marketplace.has_order(p.order.order_id)]
                if replayed:
                    raise MarketplaceError(f"orders already exist: {', '.join(replayed[:5])}", status=409,
                                           code="conflict")
                threading.Thread(target=play_storm, args=(marketplace, plan), kwargs={"pace_seconds": pace},
                                 name="marketplace-storm", daemon=True).start()
                manifest = plan.manifest
            return 200, {"manifest": manifest, "application_id": marketplace.application_id,
                         "seller_id": spec.seller_id, "access_token": token}

        # -- plumbing ----------------------------------------------------------------

        def _body(self) -> dict:
            try:
                body = json.loads(self._raw or b"{}")
            except ValueError:
                raise MarketplaceError("the body must be a JSON object") from None
            if not isinstance(body, dict):
                raise MarketplaceError("the body must be a JSON object")
            return body

        def _answer(self, status: int, body: dict) -> None:
            send_json(self, status, body)

        def log_message(self, format: str, *args) -> None:
            pass  # the dev launcher and tests do not want a line per request

    return Handler


def _order_id(text: str) -> str:
    try:
        return check_id("order_id", text)
    except ValueError as exc:
        raise MarketplaceError(str(exc)) from exc


def _paging(query: dict) -> tuple[int, int]:
    offset, limit = _natural(query, "offset", 0), _natural(query, "limit", MAX_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise MarketplaceError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return offset, limit


def _natural(query: dict, name: str, default: int) -> int:
    text = query.get(name)
    if text in (None, ""):
        return default
    try:
        return int(check_id(name, text))
    except ValueError as exc:
        raise MarketplaceError(str(exc)) from exc


def _count(body: dict, name: str) -> int:
    value = body.get(name, 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise MarketplaceError(f"{name} is how many notifications to send (0 to 100), not {value!r}")
    return value


def _moment(source: dict, name: str) -> datetime | None:
    text = source.get(name)
    if text in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise MarketplaceError(f"{name}={text!r} is not an ISO 8601 time with a zone (e.g. 2024-05-02T10:00:00-05:00)")
    return moment


def _delivery_answer(marketplace) -> tuple[int, dict]:
    records, pending = marketplace.delivery_state()
    return 200, {"notifications": [r.admin_entry() for r in records], "pending": pending}
