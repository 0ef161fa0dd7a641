"""P4 fixtures: the ERP simulator with the company's account, a worker with a stand-in reconciliation,
and a driver for the connection's steps that seals the access key as the console and the CLI do."""
from __future__ import annotations

import asyncio
import base64
import json
import uuid

import pytest
import pytest_asyncio
from temporalio import workflow as temporal_workflow
from temporalio.api.common.v1 import Payload

from habilita.adapters.codec import EncryptionCodec
from habilita.models import ProcessRecord
from habilita.models.channels import ChannelConnection
from habilita.processes.channels import seal_access_key
from habilita.workflows.channel_connection import (
    ConfigureConnection,
    EnterCredentials,
    SalesChannelConnection,
    SetInvoicingRules,
    StartChannelConnection,
)
from habilita.workflows.registry import WORKFLOWS
from tests.channels.conftest import ACCESS_KEY, USERNAME, erp_simulator  # noqa: F401 (a fixture)
from tests.channels_connection.stand_ins import StandInReconciliation
from tests.harness import TEST_BOX, terminate, test_settings

ACTOR = "ana@example.co"
SELLER_ID = "123456789"
# The simulator's catalogs (habilita.simulators.erp.catalogs).
PRICE_LIST, WAREHOUSE, SELLER = "1273", "1270", "629"
DOCUMENT_TYPE, DOCUMENT_WITH_COST_CENTER, COST_CENTER, PAYMENT = "24446", "24447", "235", "5636"
CONFIGURATION = dict(price_list_id=PRICE_LIST, currency="COP", warehouse_id=WAREHOUSE, seller_id=SELLER,
                     default_email="ventas@tienda.co", default_phone="+57 601 555 1234")
RULES = dict(enabled=True, source_channels="mercadolibre", order_states="completed,shipped",
             invoice_fulfillment=True, document_type_id=DOCUMENT_TYPE, payment_type_id=PAYMENT,
             customer_id_type="13", customer_city_code="11001", invoice_currency="COP", exchange_rate="1",
             product_warehouse_id=WAREHOUSE, send_to_dian=True)


@pytest.fixture
def settings(tmp_path, erp_simulator):
    return test_settings(tmp_path, ERP_URL=erp_simulator.url)


@pytest.fixture
def erp_account(erp_simulator, company):
    """The company's account at the ERP, with the API user and access key of tests/channels."""
    erp_simulator.admin.create_company(nit=company.tax_id)
    return erp_simulator


def workflow_name(cls) -> str:
    return temporal_workflow._Definition.must_from_class(cls).name


@pytest_asyncio.fixture
async def worker(client, settings, task_queue, db):
    """Every workflow and activity of habilita, with the stand-in in place of the real reconciliation."""
    from habilita.worker import build_worker

    ours = [w for w in WORKFLOWS if workflow_name(w) != "ChannelReconciliation"]
    async with build_worker(client, settings, task_queue=task_queue,
                            workflows=[*ours, StandInReconciliation]) as running:
        yield running


class P4:
    """Drives one SalesChannelConnection through its updates, sealing the access key as the shell does."""

    def __init__(self, client, task_queue, company, *, workflow_id: str | None = None, renew_after_events: int = 0):
        self.client, self.task_queue, self.company = client, task_queue, company
        self.workflow_id = workflow_id or f"channels-test-{uuid.uuid4()}"
        self.renew_after_events = renew_after_events
        self.handle = None

    async def start(self):
        self.handle = await self.client.start_workflow(
            SalesChannelConnection.run,
            StartChannelConnection(company_id=self.company.id, company_tax_id=self.company.display_tax_id,
                                   tax_id=self.company.tax_id, country=self.company.country, started_by=ACTOR,
                                   renew_after_events=self.renew_after_events),
            id=self.workflow_id, task_queue=self.task_queue)
        await self.wait_step("credentials")
        return self.handle

    async def status(self):
        return await self.handle.query(SalesChannelConnection.status)

    async def wait_step(self, step: str, timeout: float = 30):
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            status = await self.status()
            record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == self.workflow_id)
            if status.step == step and record is not None and record.current_step == step:
                return status
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"never reached step {step!r}; the process is at {status.step!r}")
            await asyncio.sleep(0.05)

    def credentials(self, access_key: str = ACCESS_KEY, **changes) -> EnterCredentials:
        """What the console sends: the key sealed into the row first, the update referring to it."""
        reference = seal_access_key(self.workflow_id, access_key, box=TEST_BOX)
        values = dict(actor=ACTOR, name="Siigo", tax_id=self.company.tax_id, check_digit=self.company.check_digit,
                      api_user=USERNAME, marketplace_user_id=SELLER_ID, **reference)
        return EnterCredentials(**{**values, **changes})

    async def enter_credentials(self, access_key: str = ACCESS_KEY, **changes):
        return await self.handle.execute_update(SalesChannelConnection.enter_credentials,
                                                self.credentials(access_key, **changes))

    async def configure(self, **changes):
        return await self.handle.execute_update(SalesChannelConnection.configure,
                                                ConfigureConnection(actor=ACTOR, **{**CONFIGURATION, **changes}))

    async def set_rules(self, **changes):
        return await self.handle.execute_update(SalesChannelConnection.set_invoicing_rules,
                                                SetInvoicingRules(actor=ACTOR, **{**RULES, **changes}))

    async def to_automatic_invoicing(self):
        await self.start()
        await self.enter_credentials()
        await self.wait_step("configuration")
        await self.configure()
        return await self.wait_step("automatic_invoicing")

    async def connected(self, **rules):
        await self.to_automatic_invoicing()
        await self.set_rules(**rules)
        return await self.wait_step("connected")

    def row(self) -> ChannelConnection:
        return ChannelConnection.get(ChannelConnection.workflow_id == self.workflow_id)


@pytest_asyncio.fixture
async def p4(client, task_queue, company, erp_account):
    driver = P4(client, task_queue, company)
    yield driver
    await terminate(client, [driver.workflow_id, driver.workflow_id + "-reconcile"])


async def decoded_history(client, workflow_id: str) -> bytes:
    """Every payload of the workflow's history, decoded with the application's codec: what a person with the
    key could read there (the raw history is encrypted whole, so a search of it proves nothing)."""
    history = json.loads((await client.get_workflow_handle(workflow_id).fetch_history()).to_json())
    raw = [Payload(metadata={k: base64.b64decode(v) for k, v in p.get("metadata", {}).items()},
                   data=base64.b64decode(p.get("data", ""))) for p in _payloads(history)]
    codec = EncryptionCodec(TEST_BOX)
    return b"\n".join(p.data for p in await codec.decode(raw)) + json.dumps(history).encode()


def _payloads(node) -> list[dict]:
    if isinstance(node, dict):
        if "metadata" in node and "data" in node:
            return [node]
        return [p for value in node.values() for p in _payloads(value)]
    if isinstance(node, list):
        return [p for value in node for p in _payloads(value)]
    return []
