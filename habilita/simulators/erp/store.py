"""The simulator's state, in memory: companies, their API users and tokens.

One :class:`ErpState` per server. Its lock guards the dictionaries; each
company's ``lock`` serializes changes to that company's documents (its
consecutive numbers and idempotency keys must be decided one at a time, as
the real ERP does), so one company's slow DIAN call never stalls another.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass

from habilita.adapters.dian_client import Timeouts
from habilita.dian.checkdigit import normalize_nit
from habilita.dian.errors import InvalidTaxId

from . import catalogs
from .customers import new_customer
from .errors import ApiError, required
from .guard import PRODUCTION_LIMIT, TEST_COMPANY_LIMIT, Guard
from .stamping import DianSetup, dian_setup

BEARER = "Bearer"  # the kind of token /auth gives (OAuth's token_type)
TOKEN_SECONDS = 86_400
_PREFIX = re.compile(r"[0-9A-Za-z]{0,4}")


@dataclass(frozen=True)
class Numbering:
    """The consecutive an invoice takes: a DIAN resolution, or the ERP's own when none is configured."""

    prefix: str
    from_number: int
    to_number: int
    resolution: str = ""
    valid_from: dt.date = dt.date.min
    valid_to: dt.date = dt.date.max
    technical_key: str | None = None  # None: the range cannot number electronic invoices

    def to_json(self) -> dict:
        return {"prefix": self.prefix, "from_number": self.from_number, "to_number": self.to_number,
                "resolution": self.resolution, "valid_from": str(self.valid_from), "valid_to": str(self.valid_to),
                "has_technical_key": self.technical_key is not None}


OWN_NUMBERING = Numbering(prefix="FV", from_number=1, to_number=999_999_999)


class Company:
    """One ERP tenant; mutable. ``lock`` serializes changes to its documents (customers, invoices,
    numbering); :class:`ErpState`'s lock guards the rest."""

    def __init__(self, *, nit: str, name: str, username: str, test: bool) -> None:
        self.nit = nit
        self.name = name
        self.username = username
        self.test = test
        self.limit_per_minute: int | None = None
        self.catalogs = catalogs.seed()
        self.products: dict[str, dict] = {}  # by code
        self.customers: dict[tuple[str, int], dict] = {}  # by (identification, branch office)
        self.invoices: dict[str, dict] = {}  # by id, in creation order
        self.idempotency: dict[str, str] = {}  # Idempotency-Key -> invoice id
        self.fingerprints: dict[str, str] = {}  # hash of a keyless payload -> invoice id
        self.numbering = OWN_NUMBERING
        self.next_number = OWN_NUMBERING.from_number
        self.dian: DianSetup | None = None
        self.closed_until: dt.date | None = None
        self.lock = threading.Lock()

    @property
    def limit(self) -> int:
        """Requests a minute this company may make."""
        if self.limit_per_minute is not None:
            return self.limit_per_minute
        return TEST_COMPANY_LIMIT if self.test else PRODUCTION_LIMIT

    def catalog_entry(self, catalog: str, value: object, field: str) -> dict:
        """The active entry of ``catalog`` with id ``value``; else ``invalid_reference`` or ``parameter_inactive``."""
        label = catalogs.LABELS[catalog]
        for entry in self.catalogs[catalog]:
            if str(entry["id"]) == str(value):
                if not entry["active"]:
                    raise ApiError.one(400, "parameter_inactive", f"El {label} {value} está inactivo",
                                       value, detail=field)
                return entry
        raise ApiError.one(400, "invalid_reference", f"El {label} {value} no existe", value, detail=field)

    def describe(self) -> dict:
        return {"nit": self.nit, "name": self.name, "username": self.username, "test": self.test,
                "limit_per_minute": self.limit, "numbering": self.numbering.to_json(),
                "next_number": self.next_number, "electronic": self.dian is not None,
                "closed_until": self.closed_until and str(self.closed_until),
                "products": len(self.products), "customers": len(self.customers), "invoices": len(self.invoices)}


class ErpState:
    """Everything one simulated ERP knows; thread-safe.

    ``dian_url`` is the DIAN SOAP service electronic invoices are sent to
    (None: sending is refused with ``document_settings``).
    """

    def __init__(self, *, dian_url: str | None = None, dian_timeouts: Timeouts = Timeouts(connect=5.0, read=60.0),
                 guard: Guard | None = None) -> None:
        self.dian_url = dian_url
        self.dian_timeouts = dian_timeouts
        self.guard = guard or Guard()
        self._lock = threading.RLock()
        self._companies: dict[str, Company] = {}
        self._users: dict[str, tuple[str, str]] = {}  # username -> (access key, NIT)
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (username, expires at, epoch seconds)

    # --- admin --------------------------------------------------------------

    def create_company(self, body: dict) -> dict:
        """A new tenant with its API user; the NIT and the username must be new."""
        nit = _nit(required(body.get("nit"), "nit"))
        name = str(required(body.get("name"), "name")).strip()
        username = str(required(body.get("username"), "username")).strip()
        access_key = str(required(body.get("access_key"), "access_key"))
        with self._lock:
            if nit in self._companies:
                raise ApiError.one(409, "already_exists", f"the company {nit} already exists", nit)
            if username in self._users:
                raise ApiError.one(409, "already_exists", f"the API user {username} already exists", username)
            company = Company(nit=nit, name=name, username=username, test=bool(body.get("test", False)))
            self._companies[nit] = company
            self._users[username] = (access_key, nit)
            return company.describe()

    def company(self, nit: str) -> Company:
        """The company with ``nit``; 404 otherwise."""
        with self._lock:
            found = self._companies.get(_nit(nit))
        if found is None:
            raise ApiError.one(404, "not_found", f"no company with NIT {nit}", nit)
        return found

    def add_products(self, nit: str, products: list) -> list[dict]:
        """Create products, or replace those with the same code (e.g. to activate one)."""
        company = self.company(nit)
        if not isinstance(products, list) or not products:
            raise ApiError.one(400, "parameter_required", "products must be a non-empty list", detail="products")
        created = []
        with company.lock:
            for index, spec in enumerate(products):
                product = _product(company, spec, index)
                previous = company.products.get(product["code"])
                if previous is not None:
                    product["id"] = previous["id"]
                company.products[product["code"]] = product
                created.append(product)
        return created

    def add_customer(self, company: Company, body: dict) -> dict:
        """Create a customer (``POST /v1/customers``)."""
        with company.lock:
            customer = new_customer(body, company.customers)
            company.customers[(customer["identification"], customer["branch_office"])] = customer
        return customer

    def set_numbering(self, nit: str, body: dict) -> dict:
        """Number the company's invoices from a DIAN resolution (``next_number`` defaults to ``from_number``)."""
        company = self.company(nit)
        prefix = str(body.get("prefix", ""))
        if not _PREFIX.fullmatch(prefix):
            raise ApiError.one(400, "invalid_type", f"a DIAN prefix has at most 4 letters or digits, not {prefix!r}",
                               prefix, detail="prefix")
        try:
            numbering = Numbering(
                prefix=prefix, from_number=int(required(body.get("from_number"), "from_number")),
                to_number=int(required(body.get("to_number"), "to_number")),
                resolution=str(body.get("resolution") or ""),
                valid_from=dt.date.fromisoformat(body.get("valid_from") or "2019-01-01"),
                valid_to=dt.date.fromisoformat(body.get("valid_to") or "2099-12-31"),
                technical_key=body.get("technical_key") or None)
            next_number = int(body.get("next_number") or numbering.from_number)
        except (TypeError, ValueError) as exc:
            raise ApiError.one(400, "invalid_type", f"numbering: {exc}") from exc
        if numbering.technical_key and not numbering.resolution:
            raise ApiError.one(400, "parameter_required", "an electronic numbering (with technical_key) needs the "
                               "DIAN resolution number", "resolution", detail="resolution")
        if not numbering.from_number <= next_number <= numbering.to_number:
            raise ApiError.one(400, "invalid_type", f"next_number {next_number} is outside "
                               f"{numbering.from_number}-{numbering.to_number}", next_number, detail="next_number")
        with company.lock:
            company.numbering, company.next_number = numbering, next_number
        return company.describe()

    def set_dian(self, nit: str, body: dict) -> dict:
        """Configure the DIAN software and signing certificate the company's invoices are sent with."""
        company = self.company(nit)
        setup = dian_setup(body, company_nit=company.nit)
        with company.lock:
            company.dian = setup
        return company.describe()

    def set_limit(self, nit: str, per_minute: object) -> dict:
        """Change a company's requests a minute (None: back to 100, or 10 on a test company)."""
        company = self.company(nit)
        if per_minute is not None and (isinstance(per_minute, bool) or not isinstance(per_minute, int)
                                       or per_minute < 1):
            raise ApiError.one(400, "invalid_type", "per_minute must be a positive whole number or null",
                               per_minute, detail="per_minute")
        with self._lock:
            company.limit_per_minute = per_minute
        return company.describe()

    def set_closed_until(self, nit: str, until: object) -> dict:
        """Close the accounting period through ``until`` (ISO date; None reopens): ``blocked_transactions``."""
        company = self.company(nit)
        try:
            closed = None if until is None else dt.date.fromisoformat(str(until))
        except ValueError as exc:
            raise ApiError.one(400, "invalid_type", f"date: {exc}", until, detail="date") from exc
        with self._lock:
            company.closed_until = closed
        return company.describe()

    def expire_tokens(self, username: str) -> int:
        """Make every token of ``username`` expired (to exercise a client's re-authentication)."""
        with self._lock:
            mine = [t for t, (user, _) in self._tokens.items() if user == username]
            for token in mine:
                self._tokens[token] = (username, 0.0)
        return len(mine)

    def invoices(self, nit: str) -> list[dict]:
        """The company's invoices in creation order, without their XML."""
        company = self.company(nit)
        with company.lock:
            return [public_invoice(i) for i in company.invoices.values()]

    def invoice_xml(self, invoice_id: str) -> bytes:
        """The signed XML of an invoice sent to DIAN."""
        with self._lock:
            companies = list(self._companies.values())
        for company in companies:
            invoice = company.invoices.get(invoice_id)
            if invoice is not None and invoice.get("_xml"):
                return invoice["_xml"]
        raise ApiError.one(404, "not_found", f"no signed XML for invoice {invoice_id}", invoice_id)

    # --- authentication -----------------------------------------------------

    def username_known(self, username: str) -> bool:
        with self._lock:
            return username in self._users

    def authenticate(self, username: str, access_key: str) -> dict:
        """A Bearer token for a right (username, access key) pair; 401 ``invalid_credentials`` otherwise."""
        with self._lock:
            known = self._users.get(username)
        if known is None or not hmac.compare_digest(known[0].encode(), access_key.encode()):
            raise ApiError.one(401, "invalid_credentials", "El usuario API o el access key no son válidos")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (username, time.time() + TOKEN_SECONDS)
        return {"access_token": token, "expires_in": TOKEN_SECONDS, "token_type": BEARER, "scope": "api"}

    def holder(self, token: str) -> tuple[str, Company, bool]:
        """(username, company, expired) of a token; 401 ``unauthorized`` when the token is unknown."""
        with self._lock:
            found = self._tokens.get(token)
            if found is None:
                raise ApiError.one(401, "unauthorized", "El token de acceso no es válido")
            username, expires_at = found
            company = self._companies[self._users[username][1]]
        return username, company, expires_at <= time.time()


def public_invoice(invoice: dict) -> dict:
    """An invoice as the API shows it (internal fields start with ``_``)."""
    return {k: v for k, v in invoice.items() if not k.startswith("_")}


def _nit(value: object) -> str:
    try:
        return normalize_nit(str(value))
    except InvalidTaxId as exc:
        raise ApiError.one(400, "invalid_type", f"nit: {exc}", value, detail="nit") from exc


def _product(company: Company, spec: object, index: int) -> dict:
    """A product in the ERP's shape from an admin spec: code, name, barcode, price or prices, taxes, active."""
    where = f"products[{index}]"
    if not isinstance(spec, dict):
        raise ApiError.one(400, "invalid_type", f"{where} must be an object", detail=where)
    code = str(required(spec.get("code"), f"{where}.code")).strip()
    prices = spec.get("prices")
    if prices is None:
        price = spec.get("price", 0)
        first = company.catalogs["price-lists"][0]
        prices = [{"currency_code": "COP",
                   "price_list": [{"position": first["position"], "name": first["name"], "value": price}]}]
    taxes = []
    for tax_id in spec.get("taxes", []):
        tax = next((t for t in company.catalogs["taxes"] if t["id"] == tax_id), None)
        if tax is None:
            raise ApiError.one(400, "invalid_reference", f"tax {tax_id} does not exist", tax_id,
                               detail=f"{where}.taxes")
        taxes.append({k: tax[k] for k in ("id", "name", "type", "percentage")})
    return {
        "id": str(uuid.uuid4()), "code": code, "name": str(required(spec.get("name"), f"{where}.name")),
        "type": "Product", "active": bool(spec.get("active", True)), "stock_control": True,
        "available_quantity": spec.get("available_quantity", 0), "taxes": taxes, "prices": prices,
        "additional_fields": {"barcode": str(spec.get("barcode") or "")},
    }
