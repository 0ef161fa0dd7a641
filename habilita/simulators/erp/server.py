"""The ERP simulator's HTTP interface (JSON over HTTP/1.1).

Public API (``Partner-Id`` header on every call; ``Authorization: Bearer``
on every ``/v1`` call; see :mod:`.guard` for limits and blocking):

- ``POST /auth`` {username, access_key} -> {access_token, expires_in, token_type}
- ``GET  /v1/price-lists``, ``/v1/warehouses``, ``/v1/cost-centers``, ``/v1/taxes``,
  ``/v1/payment-types?document_type=FV``, ``/v1/document-types?type=FV``: lists
- ``GET  /v1/users`` (sellers), ``/v1/products?code=&barcode=``, ``/v1/customers?identification=``: pages
- ``POST /v1/customers``; ``POST /v1/invoices`` (``Idempotency-Key``); ``GET /v1/invoices/<id>``

Admin (no auth; development and tests only):

- ``POST /_admin/companies`` {nit, name, username, access_key, test}; ``GET /_admin/companies/<nit>``
- ``POST /_admin/companies/<nit>/products`` {products: [{code, name, barcode, price|prices, taxes, active}]}
- ``PUT  /_admin/companies/<nit>/numbering`` {prefix, from_number, to_number, resolution, valid_from,
  valid_to, technical_key, next_number}
- ``PUT  /_admin/companies/<nit>/dian`` {software_id, pin, provider_nit, environment,
  key_pem + cert_pem | key_path + cert_path, password}
- ``PUT  /_admin/companies/<nit>/limit`` {per_minute: n | null}
- ``PUT  /_admin/companies/<nit>/closed-until`` {date: "YYYY-MM-DD" | null}
- ``POST /_admin/users/<username>/unblock``; ``POST /_admin/users/<username>/expire-tokens``
- ``GET  /_admin/invoices?nit=``: the company's invoices; ``GET /_admin/invoices/<id>/xml``: the signed XML

Errors always have the ERP's shape ``{"Status", "Errors": [{"Code", "Message", "Params", "Detail"}]}``.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from habilita.json_http import read_body, send_body

from . import invoicing
from .errors import ApiError
from .store import ErpState, public_invoice

PARTNER_ID = re.compile(r"[0-9A-Za-z]{3,100}")
_CATALOGS = ("price-lists", "warehouses", "cost-centers", "taxes")


class _Request:
    """What a route needs: method, path parts, query and the body already read."""

    def __init__(self, method: str, path: str, headers, raw: bytes) -> None:
        url = urlsplit(path)
        self.method = method
        self.parts = [p for p in url.path.split("/") if p]
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.headers = headers
        self.raw = raw

    def json(self) -> dict:
        try:
            body = json.loads(self.raw or b"{}")
        except ValueError as exc:
            raise ApiError.one(400, "invalid_type", f"El cuerpo no es JSON válido: {exc}", detail="body") from exc
        if not isinstance(body, dict):
            raise ApiError.one(400, "invalid_type", "El cuerpo debe ser un objeto JSON", detail="body")
        return body


def _not_found(request: _Request) -> ApiError:
    return ApiError.one(404, "not_found", f"No existe el recurso {request.method} /{'/'.join(request.parts)}")


def _check_partner(request: _Request) -> None:
    partner = request.headers.get("Partner-Id")
    if not partner:
        raise ApiError.one(400, "parameter_required", "El encabezado Partner-Id es obligatorio", "Partner-Id",
                           detail="Partner-Id")
    if not PARTNER_ID.fullmatch(partner):
        raise ApiError.one(400, "invalid_type", "Partner-Id debe tener de 3 a 100 letras o dígitos", partner,
                           detail="Partner-Id")


def _page(results: list, query: dict) -> dict:
    try:
        page, size = max(1, int(query.get("page", 1))), min(100, max(1, int(query.get("page_size", 25))))
    except ValueError as exc:
        raise ApiError.one(400, "invalid_type", "page y page_size deben ser números enteros") from exc
    return {"pagination": {"page": page, "page_size": size, "total_results": len(results)},
            "results": results[(page - 1) * size:page * size]}


class Routes:
    """The routes of one simulator; each returns (status, JSON body) or raises :class:`ApiError`."""

    def __init__(self, state: ErpState) -> None:
        self.state = state

    def dispatch(self, request: _Request) -> tuple[int, dict | bytes]:
        head = request.parts[:1]
        if head == ["_admin"]:
            return self.admin(request, request.parts[1:])
        if request.parts == ["auth"] and request.method == "POST":
            return self.auth(request)
        if head == ["v1"]:
            return self.api(request)
        if request.parts == ["health"]:
            return 200, {"ok": True}
        raise _not_found(request)

    # --- public API ---------------------------------------------------------

    def auth(self, request: _Request) -> tuple[int, dict]:
        _check_partner(request)
        body = request.json()
        username, access_key = str(body.get("username") or ""), str(body.get("access_key") or "")
        known = self.state.username_known(username)
        if known:
            self.state.guard.check_not_blocked(username)
        try:
            answer = self.state.authenticate(username, access_key)
        except ApiError as exc:
            if known:
                self.state.guard.record(username, exc.status)
            raise
        self.state.guard.record(username, 200)
        return 200, answer

    def api(self, request: _Request) -> tuple[int, dict]:
        _check_partner(request)
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError.one(401, "unauthorized", "Falta el encabezado Authorization: Bearer <token>")
        username, company, expired = self.state.holder(token.strip())
        guard = self.state.guard
        guard.check_not_blocked(username)
        try:
            if expired:
                raise ApiError.one(401, "unauthorized", "El token de acceso expiró; solicite uno nuevo en /auth")
            guard.admit(company.nit, company.limit)
            status, body = self.v1(request, company)
        except ApiError as exc:
            if exc.status != 429:
                guard.record(username, exc.status)
            raise
        guard.record(username, status)
        return status, body

    def v1(self, request: _Request, company) -> tuple[int, dict | list]:
        parts, query, method = request.parts[1:], request.query, request.method
        if method == "GET" and len(parts) == 1:
            name = parts[0]
            if name in _CATALOGS:
                return 200, company.catalogs[name]
            if name == "users":
                return 200, _page(company.catalogs["users"], query)
            if name == "payment-types":
                if not query.get("document_type"):
                    raise ApiError.one(400, "parameter_required", "El parámetro document_type es obligatorio",
                                       "document_type", detail="document_type")
                return 200, company.catalogs["payment-types"] if query["document_type"] == "FV" else []
            if name == "document-types":
                wanted = query.get("type", "FV")
                return 200, [d for d in company.catalogs["document-types"] if d["type"] == wanted]
            if name == "products":
                found = [p for p in list(company.products.values())
                         if query.get("code") in (None, p["code"])
                         and query.get("barcode") in (None, p["additional_fields"]["barcode"])]
                return 200, _page(found, query)
            if name == "customers":
                found = [c for c in list(company.customers.values())
                         if query.get("identification") in (None, c["identification"])
                         and query.get("branch_office") in (None, str(c["branch_office"]))]
                return 200, _page(found, query)
        if method == "POST" and parts == ["customers"]:
            return 201, self.state.add_customer(company, request.json())
        if method == "POST" and parts == ["invoices"]:
            return invoicing.create_invoice(self.state, company, request.json(),
                                            request.headers.get("Idempotency-Key"))
        if method == "GET" and len(parts) == 2 and parts[0] == "invoices":
            invoice = company.invoices.get(parts[1])
            if invoice is None:
                raise ApiError.one(404, "not_found", f"La factura {parts[1]} no existe", parts[1])
            return 200, public_invoice(invoice)
        raise _not_found(request)

    # --- admin --------------------------------------------------------------

    def admin(self, request: _Request, parts: list[str]) -> tuple[int, dict | bytes]:
        state, method = self.state, request.method
        if parts == ["companies"] and method == "POST":
            return 201, state.create_company(request.json())
        if len(parts) == 2 and parts[0] == "companies" and method == "GET":
            return 200, state.company(parts[1]).describe()
        if len(parts) == 3 and parts[0] == "companies":
            nit, what = parts[1], parts[2]
            if what == "products" and method == "POST":
                return 201, {"products": state.add_products(nit, request.json().get("products"))}
            if method == "PUT":
                setters = {
                    "numbering": lambda body: state.set_numbering(nit, body),
                    "dian": lambda body: state.set_dian(nit, body),
                    "limit": lambda body: state.set_limit(nit, body.get("per_minute")),
                    "closed-until": lambda body: state.set_closed_until(nit, body.get("date")),
                }
                if what in setters:
                    return 200, setters[what](request.json())
        if len(parts) == 3 and parts[0] == "users" and method == "POST":
            if parts[2] == "unblock":
                state.guard.unblock(parts[1])
                return 200, {"username": parts[1], "blocked": False}
            if parts[2] == "expire-tokens":
                return 200, {"username": parts[1], "expired": state.expire_tokens(parts[1])}
        if parts == ["invoices"] and method == "GET":
            nit = request.query.get("nit")
            if not nit:
                raise ApiError.one(400, "parameter_required", "the nit parameter is required", "nit", detail="nit")
            return 200, {"nit": nit, "invoices": state.invoices(nit)}
        if len(parts) == 3 and parts[0] == "invoices" and parts[2] == "xml" and method == "GET":
            return 200, state.invoice_xml(parts[1])
        raise _not_found(request)


def make_handler(state: ErpState) -> type[BaseHTTPRequestHandler]:
    routes = Routes(state)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes: without TCP_NODELAY every kept-alive
        # answer waits ~40 ms for a delayed ACK, and a 100-request burst takes seconds.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._handle("PUT")

        def _handle(self, method: str) -> None:
            raw = read_body(self)
            try:
                status, body = routes.dispatch(_Request(method, self.path, self.headers, raw))
            except ApiError as exc:
                return self._answer(exc.status, exc.to_json(), exc.headers)
            except Exception as exc:  # noqa: BLE001 - a simulator bug still answers in the ERP's shape
                error = ApiError.one(500, "internal_error", f"{type(exc).__name__}: {exc}")
                return self._answer(500, error.to_json(), {})
            self._answer(status, body, {})

        def _answer(self, status: int, body, headers: dict[str, str]) -> None:
            if isinstance(body, bytes):
                send_body(self, status, body, "application/xml", headers)
            else:
                send_body(self, status, json.dumps(body, ensure_ascii=False).encode(),
                          "application/json; charset=utf-8", headers)

        def log_message(self, format: str, *args) -> None:
            pass  # the dev launcher and tests do not want a line per request

    return Handler


def make_server(state: ErpState, *, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """The simulator bound to ``host:port`` (0: any free port), not yet serving."""
    server = ThreadingHTTPServer((host, port), make_handler(state))
    server.daemon_threads = True
    return server


def serve_in_thread(state: ErpState, *, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start the simulator on a background thread; ``server.server_address`` says where."""
    server = make_server(state, host=host, port=port)
    threading.Thread(target=server.serve_forever, name="erp-simulator", daemon=True).start()
    return server
