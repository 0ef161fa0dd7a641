"""The HTTP client of the ERP's public API (Siigo-like; the simulator in ``simulators/erp`` speaks it).

One instance per company connection: it authenticates lazily with the API
user and access key, caches the Bearer token until shortly before it
expires, re-authenticates once when a call is answered 401 (a token the ERP
expired early), and turns every failure into a :mod:`habilita.adapters.erp_errors`
exception saying which call failed and why. The access key and the token
never appear in a message or a ``repr``.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

import requests

from habilita.adapters.erp_errors import (
    ErpCredentialsRefused,
    ErpError,
    ErpProblem,
    ErpRateLimited,
    ErpRefused,
    ErpUnavailable,
    ErpUserBlocked,
)

PARTNER_ID = re.compile(r"[0-9A-Za-z]{3,100}")
IDEMPOTENCY_KEY = re.compile(r"[0-9A-Za-z]{1,30}")
# A token is renewed this long before the ERP says it expires, so no call carries a dying one.
TOKEN_MARGIN_SECONDS = 60.0
DEFAULT_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for the connection and then for the answer (the ERP can take minutes: ≥ 120 s)."""

    connect: float = 10.0
    read: float = 120.0


@dataclass(frozen=True)
class PriceList:
    id: int
    name: str
    position: int
    active: bool


@dataclass(frozen=True)
class Warehouse:
    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class Seller:
    id: int
    name: str
    email: str
    active: bool


@dataclass(frozen=True)
class CostCenter:
    id: int
    code: str
    name: str
    active: bool


@dataclass(frozen=True)
class PaymentType:
    id: int
    name: str
    due_date: bool  # a credit payment: it needs a due date
    active: bool


@dataclass(frozen=True)
class DocumentType:
    id: int
    code: str
    name: str
    cost_center_mandatory: bool
    active: bool


@dataclass(frozen=True)
class Tax:
    id: int
    name: str
    type: str  # IVA, INC, ...
    percentage: Decimal
    active: bool


@dataclass(frozen=True)
class Price:
    currency: str
    position: int  # the price list's position
    value: Decimal


@dataclass(frozen=True)
class Product:
    id: str
    code: str  # the SKU
    name: str
    barcode: str
    active: bool
    prices: tuple[Price, ...]
    tax_ids: tuple[int, ...]

    def price(self, *, currency: str = "COP", position: int = 1) -> Decimal | None:
        """The price in ``currency`` on the price list at ``position``; None when the product has none."""
        return next((p.value for p in self.prices if p.currency == currency and p.position == position), None)


@dataclass(frozen=True)
class Customer:
    id: str
    identification: str
    branch_office: int
    name: str


@dataclass(frozen=True)
class Stamp:
    """DIAN's verdict on an invoice: Draft (not sent or no answer yet), Accepted or Rejected."""

    status: str
    cufe: str | None
    errors: tuple[str, ...]


@dataclass(frozen=True)
class Invoice:
    id: str
    name: str  # prefix + number, e.g. "FE1024"
    prefix: str
    number: int
    date: str
    total: Decimal
    stamp: Stamp


class ErpClient:
    """Calls the ERP's API at ``base_url`` as API user ``username``."""

    def __init__(self, base_url: str, *, username: str, access_key: str, partner_id: str = "habilita",
                 timeouts: Timeouts = Timeouts(), session: requests.Session | None = None) -> None:
        if not PARTNER_ID.fullmatch(partner_id):
            raise ValueError(f"partner_id must be 3 to 100 letters or digits, not {partner_id!r}")
        self.url = base_url.rstrip("/")
        self.username = username
        self.partner_id = partner_id
        self.timeouts = timeouts
        self._access_key = access_key
        self._session = session or requests.Session()
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return f"ErpClient({self.url!r}, username={self.username!r}, partner_id={self.partner_id!r})"

    def close(self) -> None:
        """Release the pooled connections."""
        self._session.close()

    def __enter__(self) -> "ErpClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- calls ----------------------------------------------------------------

    def check_credentials(self) -> None:
        """Authenticate now; :class:`ErpCredentialsRefused` when the ERP refuses the pair."""
        with self._lock:
            self._authenticate()

    def price_lists(self) -> tuple[PriceList, ...]:
        return tuple(PriceList(id=e["id"], name=e["name"], position=e["position"], active=e["active"])
                     for e in self._call("GET", "/v1/price-lists"))

    def warehouses(self) -> tuple[Warehouse, ...]:
        return tuple(Warehouse(id=e["id"], name=e["name"], active=e["active"])
                     for e in self._call("GET", "/v1/warehouses"))

    def sellers(self) -> tuple[Seller, ...]:
        """The ERP's users invoices can be attributed to."""
        return tuple(Seller(id=e["id"], name=f"{e['first_name']} {e['last_name']}".strip(), email=e.get("email", ""),
                            active=e["active"])
                     for e in self._call("GET", "/v1/users", params={"page_size": 100})["results"])

    def cost_centers(self) -> tuple[CostCenter, ...]:
        return tuple(CostCenter(id=e["id"], code=str(e.get("code", "")), name=e["name"], active=e["active"])
                     for e in self._call("GET", "/v1/cost-centers"))

    def payment_types(self, *, document_type: str = "FV") -> tuple[PaymentType, ...]:
        return tuple(PaymentType(id=e["id"], name=e["name"], due_date=bool(e.get("due_date")), active=e["active"])
                     for e in self._call("GET", "/v1/payment-types", params={"document_type": document_type}))

    def document_types(self, *, type: str = "FV") -> tuple[DocumentType, ...]:  # noqa: A002 (the ERP's name)
        return tuple(DocumentType(id=e["id"], code=str(e.get("code", "")), name=e["name"],
                                  cost_center_mandatory=bool(e.get("cost_center_mandatory")), active=e["active"])
                     for e in self._call("GET", "/v1/document-types", params={"type": type}))

    def taxes(self) -> tuple[Tax, ...]:
        return tuple(Tax(id=e["id"], name=e["name"], type=e["type"], percentage=Decimal(str(e["percentage"])),
                         active=e["active"])
                     for e in self._call("GET", "/v1/taxes"))

    def find_product(self, *, code: str | None = None, barcode: str | None = None) -> Product | None:
        """The product with this code (SKU) or barcode; None when the ERP has none."""
        if (code is None) == (barcode is None):
            raise ValueError("find_product takes exactly one of code or barcode")
        params = {"code": code} if code is not None else {"barcode": barcode}
        results = self._call("GET", "/v1/products", params=params)["results"]
        return _product(results[0]) if results else None

    def find_customer(self, identification: str, *, branch_office: int = 0) -> Customer | None:
        """The customer with this identification and branch office; None when the ERP has none."""
        results = self._call("GET", "/v1/customers", params={"identification": identification,
                                                             "branch_office": branch_office})["results"]
        return _customer(results[0]) if results else None

    def create_customer(self, payload: dict) -> Customer:
        """Create a customer (person_type, id_type, identification, name, address with DANE codes...)."""
        return _customer(self._call("POST", "/v1/customers", json=payload))

    def create_invoice(self, payload: dict, *, idempotency_key: str) -> Invoice:
        """Create an invoice; repeating ``idempotency_key`` returns the invoice it created, never a second one."""
        if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise ValueError(f"an Idempotency-Key is 1 to 30 letters or digits, not {idempotency_key!r}")
        return _invoice(self._call("POST", "/v1/invoices", json=payload,
                                   headers={"Idempotency-Key": idempotency_key}))

    def get_invoice(self, invoice_id: str) -> Invoice:
        return _invoice(self._call("GET", f"/v1/invoices/{invoice_id}"))

    # --- plumbing -------------------------------------------------------------

    def _authenticate(self) -> str:
        """Get a new token (the caller holds the lock)."""
        response = self._send("POST", "/auth", token=None,
                              json={"username": self.username, "access_key": self._access_key})
        if response.status_code == 401:
            raise ErpCredentialsRefused(self._describe("POST", "/auth", response, _problems(response)),
                                        status=401, problems=_problems(response))
        body = self._read("POST", "/auth", response)
        self._token = body["access_token"]
        self._renew_at = time.monotonic() + float(body.get("expires_in", 0)) - TOKEN_MARGIN_SECONDS
        return self._token

    def _current_token(self, *, stale: str | None = None) -> str:
        with self._lock:
            if self._token is None or self._token == stale or time.monotonic() >= self._renew_at:
                return self._authenticate()
            return self._token

    def _call(self, method: str, path: str, **kwargs):
        token = self._current_token()
        response = self._send(method, path, token=token, **kwargs)
        if response.status_code == 401:
            # The ERP may expire a token before its announced time: renew it once.
            response = self._send(method, path, token=self._current_token(stale=token), **kwargs)
        return self._read(method, path, response)

    def _send(self, method: str, path: str, *, token: str | None, headers: dict | None = None,
              **kwargs) -> requests.Response:
        sent = {"Partner-Id": self.partner_id, "Accept": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        where = f"{method} {self.url}{path}"
        try:
            return self._session.request(method, self.url + path, headers=sent,
                                         timeout=(self.timeouts.connect, self.timeouts.read), **kwargs)
        except requests.ConnectTimeout as exc:
            raise ErpUnavailable(f"{where}: no connection within {self.timeouts.connect:g} s") from exc
        except requests.ReadTimeout as exc:
            raise ErpUnavailable(f"{where}: no answer within {self.timeouts.read:g} s") from exc
        except requests.RequestException as exc:
            raise ErpUnavailable(f"{where}: transport failed: {exc}") from exc

    def _read(self, method: str, path: str, response: requests.Response):
        status = response.status_code
        if status < 400:
            try:
                return response.json()
            except ValueError as exc:
                raise ErpUnavailable(f"{method} {self.url}{path}: HTTP {status} answer is not JSON: "
                                     f"{response.text[:200]!r}", status=status) from exc
        problems = _problems(response)
        message = self._describe(method, path, response, problems)
        if status == 401:
            raise ErpCredentialsRefused(message, status=status, problems=problems)
        if status == 429:
            raise ErpRateLimited(message, status=status, problems=problems,
                                 retry_after=_seconds(response.headers.get("Retry-After")))
        if status == 403 and any(p.code == "blocked_user" for p in problems):
            raise ErpUserBlocked(message, status=status, problems=problems)
        kind: type[ErpError] = ErpUnavailable if status >= 500 else ErpRefused
        raise kind(message, status=status, problems=problems)

    def _describe(self, method: str, path: str, response: requests.Response, problems) -> str:
        said = "; ".join(f"{p.code}: {p.message}" + (f" ({', '.join(p.params)})" if p.params else "")
                         for p in problems) or response.text[:200]
        return f"{method} {self.url}{path}: HTTP {response.status_code}: {said}"


def _problems(response: requests.Response) -> tuple[ErpProblem, ...]:
    """The ``Errors`` of an ERP error answer; () when the body is not in that shape."""
    try:
        errors = response.json().get("Errors") or []
    except (ValueError, AttributeError):
        return ()
    return tuple(ErpProblem(code=str(e.get("Code", "")), message=str(e.get("Message", "")),
                            params=tuple(str(p) for p in e.get("Params") or ()), detail=str(e.get("Detail") or ""))
                 for e in errors if isinstance(e, dict))


def _seconds(header: str | None) -> float:
    try:
        return max(0.0, float(header))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _product(body: dict) -> Product:
    prices = tuple(Price(currency=group["currency_code"], position=int(entry["position"]),
                         value=Decimal(str(entry["value"])))
                   for group in body.get("prices") or () for entry in group.get("price_list") or ())
    return Product(id=body["id"], code=body["code"], name=body["name"],
                   barcode=(body.get("additional_fields") or {}).get("barcode") or "", active=bool(body["active"]),
                   prices=prices, tax_ids=tuple(t["id"] for t in body.get("taxes") or ()))


def _customer(body: dict) -> Customer:
    return Customer(id=body["id"], identification=body["identification"], branch_office=body["branch_office"],
                    name=" ".join(body["name"]))


def _invoice(body: dict) -> Invoice:
    stamp = body.get("stamp") or {}
    return Invoice(id=body["id"], name=body["name"], prefix=body.get("prefix", ""), number=int(body["number"]),
                   date=body["date"], total=Decimal(str(body["total"])),
                   stamp=Stamp(status=stamp.get("status", "Draft"), cufe=stamp.get("cufe"),
                               errors=tuple(stamp.get("errors") or ())))
