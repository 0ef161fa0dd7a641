"""The ERP simulator over HTTP on a loopback port, a company set up in it, and the real ``ErpClient``.

Helpers are handed out as fixtures or live in this file's classes; the
company has the products and the customer every invoice test needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from habilita.adapters.erp_client import ErpClient, Timeouts
from habilita.dian.clock import colombia_now
from habilita.simulators.erp import ErpState, serve_in_thread

COMPANY_NIT = "900700800"
COMPANY_NAME = "TIENDA DE PRUEBAS S.A.S."
USERNAME = "tienda@apionmicrosoft.com"
ACCESS_KEY = "c2VjcmV0LWFjY2Vzcy1rZXk="
CUSTOMER_ID = "1020304050"
PRODUCTS = [
    {"code": "SKU-001", "name": "Camiseta estampada", "barcode": "7701234567890", "price": 50000, "taxes": [13156]},
    {"code": "SKU-002", "name": "Libro de cocina", "price": 89900},
    {"code": "SKU-OLD", "name": "Gorra descontinuada", "price": 20000, "active": False},
]
CUSTOMER = {
    "person_type": "Person", "id_type": "13", "identification": CUSTOMER_ID, "name": ["María", "López"],
    "address": {"address": "Calle 10 # 5-51",
                "city": {"country_code": "Co", "state_code": "05", "city_code": "05001",
                         "state_name": "Antioquia", "city_name": "Medellín"}},
    "contacts": [{"first_name": "María", "last_name": "López", "email": "maria@example.co"}],
}


class ErpAdmin:
    """The simulator's ``/_admin`` endpoints, as a test or the dev stack uses them."""

    def __init__(self, url: str) -> None:
        self.url = url

    def create_company(self, nit: str = COMPANY_NIT, *, username: str = USERNAME, access_key: str = ACCESS_KEY,
                       test: bool = False) -> dict:
        return self.send("POST", "/_admin/companies", {"nit": nit, "name": COMPANY_NAME, "username": username,
                                                       "access_key": access_key, "test": test})

    def add_products(self, products: list[dict], nit: str = COMPANY_NIT) -> dict:
        return self.send("POST", f"/_admin/companies/{nit}/products", {"products": products})

    def configure(self, what: str, body: dict, nit: str = COMPANY_NIT) -> dict:
        return self.send("PUT", f"/_admin/companies/{nit}/{what}", body)

    def invoices(self, nit: str = COMPANY_NIT) -> list[dict]:
        return self.send("GET", f"/_admin/invoices?nit={nit}")["invoices"]

    def send(self, method: str, path: str, body: dict | None = None) -> dict:
        response = requests.request(method, self.url + path, json=body, timeout=10)
        assert response.status_code < 300, f"ERP admin {method} {path}: {response.status_code} {response.text}"
        return response.json()


@dataclass(frozen=True)
class ErpSimulator:
    """A running simulator: its base URL, its state and its admin endpoints."""

    url: str
    state: ErpState
    admin: ErpAdmin


@pytest.fixture
def erp_simulator():
    """The ERP simulator over HTTP on a free loopback port, without a DIAN URL (tests that stamp set
    ``state.dian_url``)."""
    state = ErpState()
    server = serve_in_thread(state)
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}"
    yield ErpSimulator(url=url, state=state, admin=ErpAdmin(url))
    server.shutdown()
    server.server_close()


@pytest.fixture
def erp_company(erp_simulator) -> str:
    """A production company with products and one customer; its NIT."""
    erp_simulator.admin.create_company()
    erp_simulator.admin.add_products(PRODUCTS)
    with client_for(erp_simulator) as client:
        client.create_customer(CUSTOMER)
    return COMPANY_NIT


@pytest.fixture
def erp_client(erp_simulator, erp_company):
    with client_for(erp_simulator) as client:
        yield client


def client_for(simulator: ErpSimulator, *, username: str = USERNAME, access_key: str = ACCESS_KEY,
               session: requests.Session | None = None) -> ErpClient:
    return ErpClient(simulator.url, username=username, access_key=access_key,
                     timeouts=Timeouts(connect=5, read=30), session=session)


def today() -> str:
    return colombia_now().date().isoformat()


def invoice_payload(**overrides) -> dict:
    """Two T-shirts at 50,000 plus IVA 19 %: 119,000 paid in cash."""
    body = {
        "document": {"id": 24446}, "date": today(),
        "customer": {"identification": CUSTOMER_ID, "branch_office": 0}, "seller": 629,
        "items": [{"code": "SKU-001", "description": "Camiseta estampada talla M", "quantity": 2, "price": 50000,
                   "taxes": [{"id": 13156}], "warehouse": 1270}],
        "payments": [{"id": 5636, "value": 119000, "due_date": today()}],
        "stamp": {"send": False}, "mail": {"send": False}, "observations": "Orden 2000001234",
    }
    body.update(overrides)
    return body
