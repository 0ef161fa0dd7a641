"""Canales de venta in the browser (seed 003): the three tabs, then fixing and invoicing an order in error.

Staff connect the company's ERP through *Credenciales* and *Configuración* ("Siguiente"), press
"Actualizar" on *Facturación automática* (connected without it), and switch automatic invoicing on
later in the same tab, picking the customer city from the DANE list as they type. A marketplace
order whose SKU the ERP does not know lands in error with its reason in Spanish; the product is
created at the ERP; the page fills the SKU field by itself; "Facturar" invoices it, and a second
click (a page left open in another tab) says it is already invoiced: the ERP holds one invoice.
A second order in error is invoiced with "Facturar seleccionadas", with its own result.
Screenshots land in test-output/e2e/channels_in_the_browser/.
"""
from __future__ import annotations

import asyncio
import re

import pytest
import pytest_asyncio
import requests
from playwright.async_api import expect
from temporalio import activity as temporal_activity
from temporalio import workflow as temporal_workflow

from habilita.activities.channel_orders import channel_order_activities, notify_order
from habilita.models import ChannelConnection, ChannelOrder
from habilita.worker import build_activities, build_worker
from habilita.workflows.channel_order import ChannelOrderInvoicing
from habilita.workflows.channel_reconciliation import ChannelReconciliation
from habilita.workflows.registry import WORKFLOWS
from tests.channels.conftest import ACCESS_KEY, USERNAME, erp_simulator  # noqa: F401 (a fixture)
from tests.channels_marketplace.conftest import marketplace_simulator  # noqa: F401 (a fixture)
from tests.harness import terminate, test_settings

from .conftest import log_in, served_console
from .test_content_security_policy_in_the_browser import REPORT_VIOLATIONS

pytestmark = pytest.mark.e2e

SELLER = "123456789"
TOKEN = "APP_USR-hub-123456789-0123456789abcdef"
WORKFLOW_ID = "channels-CO-900123456"


@pytest.fixture
def settings(tmp_path, task_queue, erp_simulator, marketplace_simulator):  # noqa: F811
    """The test's settings on the ERP and marketplace simulators, the hub's token a seller of the marketplace."""
    marketplace_simulator.marketplace.add_seller(SELLER, TOKEN)
    return test_settings(tmp_path, TEMPORAL_TASK_QUEUE=task_queue, ERP_URL=erp_simulator.url,
                         MARKETPLACE_URL=marketplace_simulator.url, MARKETPLACE_TOKEN=TOKEN,
                         MARKETPLACE_APP_ID=marketplace_simulator.marketplace.application_id,
                         HABILITA_RECONCILE_SECONDS="2", HABILITA_OUTSIDE_READ_SECONDS="10")


def _workflow_name(cls) -> str:
    return temporal_workflow._Definition.must_from_class(cls).name


def _activity_name(method) -> str:
    return temporal_activity._Definition.must_from_callable(method).name


@pytest_asyncio.fixture
async def channel_worker(client, settings, task_queue, db):
    """Every workflow and activity of habilita, the order side's included (each once)."""
    workflows = {_workflow_name(w): w for w in [*WORKFLOWS, ChannelOrderInvoicing, ChannelReconciliation]}
    activities = {_activity_name(a): a for a in [*build_activities(settings),
                                                 *channel_order_activities(settings, client)]}
    async with build_worker(client, settings, task_queue=task_queue, workflows=list(workflows.values()),
                            activities=list(activities.values())) as running:
        yield running


@pytest_asyncio.fixture
async def channels_console(settings, db, client, channel_worker):
    async with served_console(settings, client) as url:
        yield url
    ids = [r.workflow_id for r in ChannelOrder.select(ChannelOrder.workflow_id)] + [WORKFLOW_ID + "-reconcile"]
    await terminate(client, ids)


def marketplace_order(url: str, sku: str, title: str) -> str:
    """A paid order of the seller at the marketplace, for one item; its id."""
    body = {"seller_id": SELLER, "status": "paid", "source_channel": "marketplace", "logistic_type": "cross_docking",
            "notify": 0, "buyer": {"name": "Laura Gómez", "document_type": "CC", "document_number": "1020304050",
                                   "email": "laura@example.co", "city": "Medellín", "state": "Antioquia"},
            "items": [{"seller_sku": sku, "title": title, "quantity": 1, "unit_price": "45900"}]}
    response = requests.post(url + "/_admin/orders", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["order_id"]


async def in_state(order_id: str, state: str, seconds: float = 60) -> ChannelOrder:
    for _ in range(int(seconds * 10)):
        row = ChannelOrder.get_or_none(ChannelOrder.order_id == order_id)
        if row is not None and row.state == state and row.reason:
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"order {order_id} never {state}: {row and (row.state, row.reason)}")


async def test_channels_in_the_browser(channels_console, browser_page, screenshots, staff, company, client, task_queue,
                                       settings, erp_simulator, marketplace_simulator):  # noqa: F811
    console_url, page = channels_console, browser_page
    erp = erp_simulator.admin
    erp.create_company(nit=company.tax_id)
    erp.add_products([{"code": "CAM-ALG-M", "name": "Camiseta algodón M", "price": 45900}], nit=company.tax_id)
    await page.add_init_script(REPORT_VIOLATIONS)  # the page's script runs under the console's CSP
    await log_in(page, console_url, staff)

    # "Conectar canal" for the company, found by its name.
    await page.click("text=Canales de venta")
    await page.fill("#company-term", "Espiga")
    await page.click("#connect-search button[type=submit]")
    await page.click(f".connect-channel[data-company='{company.id}']")
    await expect(page.locator("#tab-credentials")).to_have_attribute("aria-current", "page", timeout=20_000)

    # 1. Credenciales, "Siguiente".
    form = page.locator("form[data-action='enter_credentials']")
    await expect(form.locator("#tax_id")).to_have_value(company.tax_id)
    await form.locator("#name").fill("Siigo")
    await form.locator("#api_user").fill(USERNAME)
    await form.locator("#access_key").fill(ACCESS_KEY)
    await form.locator("#marketplace_user_id").fill(SELLER)
    await screenshots(page, "credentials")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#tab-configuration")).to_have_attribute("aria-current", "page", timeout=30_000)

    # 2. Configuración from the ERP's catalogs, "Siguiente".
    form = page.locator("form[data-action='configure']")
    await form.locator("#price_list_id").select_option("1273")
    await form.locator("#currency").select_option("COP")
    await form.locator("#warehouse_id").select_option("1270")
    await form.locator("#seller_id").select_option("629")
    await form.locator("#default_email").fill("ventas@laespiga.co")
    await form.locator("#default_phone").fill("+57 601 555 1234")
    await screenshots(page, "configuration")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#tab-automatic_invoicing")).to_have_attribute("aria-current", "page", timeout=30_000)

    # 3. Facturación automática: "Actualizar" connects the channel without it.
    await screenshots(page, "automatic-invoicing")
    await page.click("#send-connect_without_invoicing")
    await expect(page.locator("#connection-state")).to_have_text("Conectado", timeout=30_000)
    await expect(page.locator("#invoicing-state")).to_have_text("Facturación automática desactivada")
    await page.click("#tab-credentials")
    await expect(page.locator("dd[data-field='access_key']")).to_have_text("guardada sellada; nunca se muestra")
    assert ACCESS_KEY not in await page.content()

    # ... switched on later, in the same tab; the customer city picked from the DANE list as one types.
    await page.click("#tab-automatic_invoicing")
    form = page.locator("form[data-action='set_invoicing_rules']")
    await form.locator("#enabled").check()
    await form.locator("#order_states-completed").check()
    await form.locator("#document_type_id").select_option("24446")
    await form.locator("#payment_type_id").select_option("5636")
    await form.locator("#product_warehouse_id").select_option("1270")
    await form.locator("#customer_city_code").press_sequentially("bogot", delay=50)
    await expect(page.locator("#dane-cities option[value='11001']")).to_have_count(1)
    await form.locator("#customer_city_code").fill("11001")
    await expect(page.locator("#city-name")).to_contain_text("Bogotá")
    await screenshots(page, "automatic-invoicing-switched-on")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#invoicing-state")).to_have_text("Facturación automática activa", timeout=30_000)
    connection = ChannelConnection.get(ChannelConnection.workflow_id == WORKFLOW_ID)
    assert connection.state == "connected" and '"enabled": true' in connection.settings_json

    # An order whose SKU the ERP does not know: in error, its reason in Spanish, the field empty.
    first = marketplace_order(marketplace_simulator.url, "GORRA-01", "Gorra negra")
    second = marketplace_order(marketplace_simulator.url, "BOLSO-02", "Bolso de tela")
    for order_id in (first, second):
        await notify_order(client, task_queue=task_queue, connection_id=connection.id, company_tax_id=company.tax_id,
                           order_id=order_id)
    await in_state(first, "error")
    await in_state(second, "error")
    errors_url = f"{console_url}/admin/channels/{WORKFLOW_ID}?state=error"
    await page.goto(errors_url)
    row = page.locator(f"#order-{first}")
    await expect(row.locator(".order-reason")).to_contain_text("el ERP no tiene producto para GORRA-01")
    await expect(row.locator("form.invoice-form")).to_have_attribute("data-matched", "1")
    await expect(row.locator("input.sku-code")).to_have_value("")
    await screenshots(page, "order-in-error")

    # The product is created at the ERP: the field shows it by itself.
    erp.add_products([{"code": "GORRA-01", "name": "Gorra negra", "price": 45900},
                      {"code": "BOLSO-02", "name": "Bolso de tela", "price": 45900}], nit=company.tax_id)
    stale = await page.context.new_page()
    await page.reload()
    await expect(row.locator("input.sku-code")).to_have_value("GORRA-01")
    await expect(row.locator(".sku-found")).to_be_visible()
    await stale.goto(errors_url)  # a page left open: its "Facturar" will be the second click
    await expect(stale.locator(f"#order-{first} input.sku-code")).to_have_value("GORRA-01")
    await screenshots(page, "sku-found-at-the-erp")
    assert await page.evaluate("window.__cspViolations || []") == []

    # "Facturar": invoiced at once, its number on the row.
    await row.locator("button.invoice-now").click()
    await expect(page.locator(".alert-success")).to_contain_text(f"Orden {first} facturada como", timeout=30_000)
    invoiced = ChannelOrder.get(ChannelOrder.order_id == first)
    assert invoiced.state == "invoiced" and invoiced.invoice_number
    await page.goto(f"{console_url}/admin/channels/{WORKFLOW_ID}?state=invoiced")
    await expect(page.locator(f"#order-{first} .invoice-number")).to_have_text(invoiced.invoice_number)
    await expect(page.locator(f"#order-{first} .order-state")).to_have_text("facturada")
    await screenshots(page, "order-invoiced")

    # The second click, from the page left open: already invoiced, nothing created.
    await stale.locator(f"#order-{first} button.invoice-now").click()
    await expect(stale.locator(".alert-warning")).to_contain_text(
        f"La orden {first} ya está facturada como {invoiced.invoice_number}: no se creó otra factura.")
    await screenshots(stale, "second-click")
    await stale.close()
    ours = [i for i in erp.invoices(nit=company.tax_id) if re.search(rf"\b{first}\b", i["observations"])]
    assert len(ours) == 1, ours

    # "Facturar seleccionadas": the other order in error, with its own result.
    await page.goto(errors_url)
    await page.locator(f"input.select-order[value='{second}']").check()
    await page.click("#invoice-selected")
    await expect(page.locator("#bulk-summary")).to_have_attribute("data-invoiced", "1", timeout=40_000)
    await expect(page.locator(f"#bulk-results tr[data-order='{second}']")).to_have_attribute("data-result", "invoiced")
    await screenshots(page, "bulk-result")
    assert ChannelOrder.get(ChannelOrder.order_id == second).state == "invoiced"

    # The home counts the channel.
    await page.goto(console_url + "/admin/")
    await expect(page.locator("#kpi-channels .kpi-value")).to_have_text("1")
    await screenshots(page, "home")
