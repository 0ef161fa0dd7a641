"""P4 order invoicing on real servers: the Temporal dev server, the ERP and marketplace simulators over HTTP,
the notification receiver, and a worker of the order workflows (in this process, or in one a test kills).

``hub`` puts them together: the company's ERP account with the products of the
marketplace's storm catalog, a seller whose token is the hub's, a
``ChannelConnection`` row with its settings as the connection process writes
them (``settings_to_json``), the receiver the marketplace notifies.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.service import RPCError

from habilita.activities.channel_orders import ErpLimit, channel_order_activities
from habilita.adapters.codec import data_converter
from habilita.channels.configuration import (
    ConnectionSettings,
    ErpConfiguration,
    InvoicingRules,
    settings_to_json,
)
from habilita.channels.invoicing import order_workflow_id
from habilita.models import ChannelConnection, ChannelOrder
from habilita.receiver import serve_in_thread as serve_receiver
from habilita.worker import build_worker
from habilita.workflows.channel_order import ChannelOrderInvoicing
from habilita.workflows.channel_reconciliation import ChannelReconciliation
from tests.channels.conftest import (  # noqa: F401
    ACCESS_KEY,
    COMPANY_NIT,
    USERNAME,
    ErpSimulator,
    erp_simulator,
)
from tests.channels_marketplace.conftest import marketplace_simulator  # noqa: F401 (a fixture)
from tests.channels_orders.stand_ins import ConnectionStandIn
from tests.harness import TEST_BOX, TEST_ENCRYPTION_KEY

SELLER = "123456789"
TOKEN = "APP_USR-hub-123456789-0123456789abcdef"
# The marketplace storm's catalog (habilita.simulators.marketplace.storm.CATALOG) as the company keeps it
# at the ERP: most by the seller SKU, the earphones by their product code, the coffee by its barcode only;
# the thermos and the backpack carry IVA 19 % (marketplace prices include it); ENVIO invoices shipping.
ERP_PRODUCTS = [
    {"code": "CAM-ALG-M", "name": "Camiseta algodón M", "price": 45900},
    {"code": "CAM-ALG-L", "name": "Camiseta algodón L", "price": 45900},
    {"code": "TERM-500", "name": "Termo acero 500 ml", "price": 62000, "taxes": [13156]},
    {"code": "P-3001", "name": "Audífonos bluetooth", "price": 129900},
    {"code": "CAFE250", "name": "Café de origen 250 g", "barcode": "7701234000059", "price": 28500},
    {"code": "MOCH-20L", "name": "Morral 20 litros", "price": 159000, "taxes": [13156]},
    {"code": "LAMP-LED", "name": "Lámpara LED", "price": 84900},
    {"code": "CUAD-100", "name": "Cuaderno 100 hojas", "price": 8900},
    {"code": "ENVIO", "name": "Envío", "price": 0},
]
CONFIGURATION = ErpConfiguration(price_list_id="1273", currency="COP", warehouse_id="1270", seller_id="629",
                                 default_email="ventas@tienda.co", default_phone="6015551234")
RULES = InvoicingRules(enabled=True, source_channels=("marketplace",), order_states=("completed", "shipped"),
                       invoice_fulfillment=False, document_type_id="24446", payment_type_id="5636",
                       customer_id_type="13", customer_city_code="11001", invoice_currency="COP", exchange_rate="1",
                       product_warehouse_id="1270", send_to_dian=False, invoice_shipping=True)
# Generous: the storm is not a test of the ERP's limit (tests/channels_orders/test_erp_limits.py is).
WIDE_LIMIT = ErpLimit(requests=100_000, window_seconds=60)


@dataclass
class Hub:
    """One company's connection and everything around it."""

    settings: object
    client: Client
    task_queue: str
    connection: ChannelConnection
    company_tax_id: str
    erp: ErpSimulator
    marketplace: object  # the MarketplaceServer
    receiver: object     # the ReceiverServer

    def workflow_id(self, order_id: str) -> str:
        return order_workflow_id(self.company_tax_id, self.connection.id, order_id)

    def handle(self, order_id: str):
        """The order's workflow (its latest run), typed: its result is an ``OrderOutcome``."""
        return self.client.get_workflow_handle_for(ChannelOrderInvoicing.run, self.workflow_id(order_id))

    def rows(self) -> dict[str, ChannelOrder]:
        return {r.order_id: r for r in ChannelOrder.select().where(ChannelOrder.connection == self.connection.id)}

    def invoices(self) -> list[dict]:
        return self.erp.admin.invoices()

    def invoices_by_order(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for invoice in self.invoices():
            order_id = invoice["observations"].split()[1]
            counts[order_id] = counts.get(order_id, 0) + 1
        return counts

    def set_rules(self, **changes) -> ConnectionSettings:
        """Write new settings (version + 1) on the connection row, as the connection process does."""
        current = ConnectionSettings(connection_id=self.connection.id, version=self.connection.settings_version + 1,
                                     configuration=CONFIGURATION, rules=dataclasses.replace(RULES, **changes))
        ChannelConnection.update(settings_json=settings_to_json(current), settings_version=current.version).where(
            ChannelConnection.id == self.connection.id).execute()
        self.connection = ChannelConnection.get_by_id(self.connection.id)
        return current

    def create_order(self, *, notify: int = 1, **order) -> str:
        """A new order of the seller at the marketplace (notified ``notify`` times); its id."""
        body = {"seller_id": SELLER, "status": "paid", "source_channel": "marketplace",
                "logistic_type": "cross_docking", "notify": notify,
                "buyer": {"name": "Laura Gómez", "document_type": "CC", "document_number": "1020304050",
                          "email": "laura@example.co", "city": "Medellín", "state": "Antioquia"},
                "items": [{"seller_sku": "CAM-ALG-M", "title": "Camiseta algodón talla M", "quantity": 1,
                           "unit_price": "45900"}], **order}
        import requests

        response = requests.post(self.marketplace.url + "/_admin/orders", json=body, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()["order_id"]

    async def wait_for(self, predicate, *, seconds: float = 60, what: str = "") -> dict[str, ChannelOrder]:
        """Poll the rows until ``predicate(rows)`` holds."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            rows = self.rows()
            if predicate(rows):
                return rows
            if asyncio.get_running_loop().time() > deadline:
                states = {}
                for row in rows.values():
                    states[row.state] = states.get(row.state, 0) + 1
                raise AssertionError(f"{what or 'condition'} not met after {seconds}s; rows by state: {states}")
            await asyncio.sleep(0.1)

    async def order_states(self, order_ids, state: str, *, seconds: float = 60) -> dict[str, ChannelOrder]:
        wanted = set(order_ids)
        return await self.wait_for(lambda rows: all(o in rows and rows[o].state == state and rows[o].reason
                                                    for o in wanted),
                                   seconds=seconds, what=f"{len(wanted)} orders {state}")


def client_factory(client: Client):
    """How a server of ours (the receiver) connects to this test's Temporal: its own client, its own loop."""
    target, namespace = client.service_client.config.target_host, client.namespace

    def connect():
        return Client.connect(target, namespace=namespace, data_converter=data_converter(TEST_ENCRYPTION_KEY))
    return connect


def order_worker(client, settings, task_queue, *, erp_limit: ErpLimit = WIDE_LIMIT, limiter=None):
    """A worker of the order workflows, the reconciliation and the connection's stand-in, on this test's queue."""
    return build_worker(client, settings, task_queue=task_queue,
                        workflows=[ChannelOrderInvoicing, ChannelReconciliation, ConnectionStandIn],
                        activities=channel_order_activities(settings, client, erp_limit=erp_limit, limiter=limiter))


@pytest.fixture
def erp_account(erp_simulator):
    """The company's account at the ERP (a production company, its limit raised for storms), with the products."""
    erp_simulator.admin.create_company()
    erp_simulator.admin.add_products(ERP_PRODUCTS)
    erp_simulator.admin.configure("limit", {"per_minute": 100_000})
    return erp_simulator


def make_connection(company, *, rules: InvoicingRules = RULES, access_key: str = ACCESS_KEY,
                    workflow_id: str | None = None, state: str = "connected") -> ChannelConnection:
    """The connection's row as the connection process leaves it once connected, created a day ago (so the
    reconciliation's first round reaches back to the storm's orders)."""
    connection = ChannelConnection.create(
        company=company, workflow_id=workflow_id or f"channels-test-{uuid.uuid4()}", name="Siigo",
        erp_tax_id=COMPANY_NIT, erp_check_digit="", api_user=USERNAME, marketplace_user_id=SELLER, state=state,
        created_by="test", created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=1))
    connection.seal_access_key(access_key, box=TEST_BOX)
    settings = ConnectionSettings(connection_id=connection.id, version=1, configuration=CONFIGURATION, rules=rules)
    connection.settings_json, connection.settings_version = settings_to_json(settings), 1
    connection.save()
    return connection


@pytest.fixture
def hub_settings(settings, erp_simulator, marketplace_simulator, task_queue):
    marketplace_simulator.marketplace.add_seller(SELLER, TOKEN)
    return dataclasses.replace(settings, erp_url=erp_simulator.url, marketplace_url=marketplace_simulator.url,
                               marketplace_token=TOKEN, marketplace_app_id=marketplace_simulator.marketplace.application_id,
                               task_queue=task_queue, reconcile_seconds=2, outside_read_seconds=10)


@pytest.fixture
def hub(db, company, client, task_queue, hub_settings, erp_account, marketplace_simulator):
    connection = make_connection(company)
    receiver = serve_receiver(hub_settings, client_factory=client_factory(client))
    marketplace_simulator.marketplace.set_notify_url(receiver.url + "/notifications")
    yield Hub(settings=hub_settings, client=client, task_queue=task_queue, connection=connection,
              company_tax_id=company.tax_id, erp=erp_account, marketplace=marketplace_simulator, receiver=receiver)
    marketplace_simulator.marketplace.set_notify_url("")
    receiver.close()


@pytest_asyncio.fixture
async def running(hub):
    """The hub with a worker in this process; its order workflows terminated at the end."""
    async with order_worker(hub.client, hub.settings, hub.task_queue):
        yield hub
    await terminate_orders(hub)


async def terminate_orders(hub: Hub) -> None:
    """End what a test left running (waiting orders, the reconciliation), so later tests never meet them."""
    ids = [r.workflow_id for r in ChannelOrder.select(ChannelOrder.workflow_id)
           .where(ChannelOrder.connection == hub.connection.id)]
    ids += [f"{hub.connection.workflow_id}-reconcile", hub.connection.workflow_id]
    for workflow_id in ids:
        try:
            await hub.client.get_workflow_handle(workflow_id).terminate("test over")
        except RPCError:
            pass


def worker_process(hub: Hub, *, erp_limit: ErpLimit = WIDE_LIMIT) -> subprocess.Popen:
    """The order worker in its own process (tests/channels_orders/order_worker.py), on this test's servers."""
    s, client = hub.settings, hub.client
    env = {**os.environ, "DATABASE_URL": s.database_url, "HABILITA_VAR": str(s.var_dir),
           "TEMPORAL_ADDRESS": client.service_client.config.target_host, "TEMPORAL_NAMESPACE": client.namespace,
           "TEMPORAL_TASK_QUEUE": hub.task_queue, "HABILITA_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
           "SECRET_KEY": "test-secret-key", "ERP_URL": s.erp_url, "MARKETPLACE_URL": s.marketplace_url,
           "MARKETPLACE_TOKEN": s.marketplace_token, "MARKETPLACE_APP_ID": s.marketplace_app_id,
           "HABILITA_RECONCILE_SECONDS": str(s.reconcile_seconds),
           "HABILITA_OUTSIDE_READ_SECONDS": str(s.outside_read_seconds),
           "ERP_LIMIT_REQUESTS": str(erp_limit.requests), "ERP_LIMIT_WINDOW": str(erp_limit.window_seconds)}
    return subprocess.Popen([sys.executable, "-m", "tests.channels_orders.order_worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
