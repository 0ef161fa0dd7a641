"""The P4 demo: Café de la Sierra sells on the marketplace and invoices in its ERP.

The simulators keep their state in memory, so every start of the stack sets
them up again (the ERP company with its API user and products, the demo
seller's orders); the connection process is started and driven once, and
finds the same API user and the same orders after a restart (the access key
is derived from the stack's own secret key, never written anywhere in clear).
An order whose SKU the ERP lacks stays in error, for the console's "Facturar".
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass

import requests
from temporalio.client import Client

from habilita.adapters.secrets_box import SecretBox
from habilita.models import Company, ProcessRecord
from habilita.processes import CHANNELS
from habilita.processes.channels import seal_access_key
from habilita.processes.client import ProcessClient
from habilita.processes.refusals import Refusal
from habilita.settings import Settings
from habilita.workflows.channel_connection import ConfigureConnection, EnterCredentials, SetInvoicingRules

DEMO_TAX_ID = "901555444"
API_USER = "api@cafedelasierra.example.co"
SELLER = "7001"  # the demo seller's marketplace account: `habilita dev` gives the simulator its token
SANTA_MARTA = "47001"
# (code, name, barcode, price): what the ERP sells; ENVIO is the line a shipping cost is invoiced on.
PRODUCTS = (
    ("CAFE-250", "Café molido 250 g", "7701234000011", "18000"),
    ("CAFE-500", "Café en grano 500 g", "7701234000028", "32000"),
    ("TAZA-01", "Taza de cerámica", "7701234000035", "25000"),
    ("ENVIO", "Envío", "", "9000"),
)
# (order id, status, items as (seller SKU, quantity, unit price)): one waits for payment, one was cancelled,
# one sells a product the ERP does not have yet (error: its SKU, fixed and invoiced from the console).
ORDERS = (
    ("2000009001", "paid", (("CAFE-250", 2, "18000"),)),
    ("2000009002", "paid", (("CAFE-500", 1, "32000"), ("TAZA-01", 2, "25000"))),
    ("2000009003", "payment_in_process", (("CAFE-250", 1, "18000"),)),
    ("2000009004", "cancelled", (("TAZA-01", 1, "25000"),)),
    ("2000009005", "paid", (("MOLINO-01", 1, "120000"),)),
)


@dataclass(frozen=True)
class ChannelsDemo:
    workflow_id: str
    orders: int


def demo_access_key(settings: Settings) -> str:
    """The demo API user's access key: the same at every start, known only to this stack (from its secret)."""
    return hmac.new(settings.secret_key.encode(), b"demo erp access key", hashlib.sha256).hexdigest()[:32]


def seed_erp(settings: Settings, company: Company) -> None:
    """The ERP company, its API user and its products."""
    erp = settings.erp_url
    answer = requests.post(f"{erp}/_admin/companies", timeout=10, json={
        "nit": company.tax_id, "name": company.legal_name, "username": API_USER,
        "access_key": demo_access_key(settings), "test": False})
    if answer.status_code not in (200, 201, 409):  # 409: set up by an earlier seeding of this run of the simulator
        answer.raise_for_status()
    requests.post(f"{erp}/_admin/companies/{company.tax_id}/products", json={"products": [
        {"code": code, "name": name, "barcode": barcode, "price": price} for code, name, barcode, price in PRODUCTS]},
                  timeout=10).raise_for_status()


def seed_orders(settings: Settings) -> None:
    """The seller's orders, each notified to the receiver once (an order already invoiced stays so)."""
    for order_id, status, items in ORDERS:
        answer = requests.post(f"{settings.marketplace_url}/_admin/orders", timeout=10, json={
            "seller_id": SELLER, "order_id": order_id, "status": status, "notify": 1,
            "buyer": {"name": "Comprador de prueba", "email": "", "city": "Santa Marta"},
            "items": [{"seller_sku": sku, "title": sku, "quantity": quantity, "unit_price": price}
                      for sku, quantity, price in items]})
        if answer.status_code not in (200, 201, 409):
            answer.raise_for_status()


async def seed_channels_demo(client: Client, settings: Settings) -> ChannelsDemo | None:
    """Set up the simulators, then start and drive the demo connection once (safe to run again)."""
    company = Company.get_or_none((Company.country == "CO") & (Company.tax_id == DEMO_TAX_ID))
    if company is None:
        return None
    seed_erp(settings, company)
    processes = ProcessClient(client, task_queue=settings.task_queue)
    workflow_id = CHANNELS.workflow_id(company)
    if ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id) is None:
        await processes.start(CHANNELS, company, actor="demo", settings=settings)
        await _connect(processes, workflow_id, company, settings)
    seed_orders(settings)  # once connected: their notifications reach the connection's order workflows
    return ChannelsDemo(workflow_id, len(ORDERS))


async def _connect(processes: ProcessClient, workflow_id: str, company: Company, settings: Settings) -> None:
    """The three tabs as a person fills them, with the first entry of each ERP catalog."""
    for _ in range(50):  # the process opens its connection row in its first task
        try:
            sealed = seal_access_key(workflow_id, demo_access_key(settings), box=SecretBox(settings.encryption_key))
            break
        except Refusal:
            await asyncio.sleep(0.2)
    else:
        return
    credentials = CHANNELS.action("credentials", "enter_credentials")
    await processes.send(workflow_id, credentials, EnterCredentials(
        actor="demo", name="Mercado Libre", tax_id=company.tax_id, check_digit=company.check_digit,
        api_user=API_USER, marketplace_user_id=SELLER, **sealed))
    status = await processes.status(CHANNELS, workflow_id)

    def first(field: str) -> str:
        offered = status.offers.get(field) or []
        return offered[0].value if offered else ""

    await processes.send(workflow_id, CHANNELS.action("configuration", "configure"), ConfigureConnection(
        actor="demo", price_list_id=first("price_list_id"), currency="COP", warehouse_id=first("warehouse_id"),
        seller_id=first("seller_id"), default_email="ventas@cafedelasierra.example.co", default_phone="3001234567"))
    await processes.send(workflow_id, CHANNELS.action("automatic_invoicing", "set_invoicing_rules"), SetInvoicingRules(
        actor="demo", enabled=True, source_channels="", order_states="completed", invoice_fulfillment=False,
        document_type_id=first("document_type_id"), cost_center_id="", payment_type_id=first("payment_type_id"),
        customer_id_type="13", customer_city_code=SANTA_MARTA, invoice_currency="COP", exchange_rate="1",
        product_warehouse_id=first("product_warehouse_id"), generic_sku="", send_to_dian=False,
        invoice_shipping=False))
