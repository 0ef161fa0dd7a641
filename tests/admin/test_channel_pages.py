"""Canales de venta (P4, seed 003): the list, a connection's three tabs and its orders, "Facturar", the home.

Most tests need no Temporal: the pages read the projection and the channel rows, and every action that
would reach Temporal is either refused first (role, CSRF, an order already invoiced) or would answer 503.
The last ones drive the tabs through the connection workflow on the dev server with the ERP simulator.
"""
from __future__ import annotations

import asyncio
import json
import re

import pytest

from habilita.channels.configuration import ConnectionSettings, ErpConfiguration, InvoicingRules, settings_to_json
from habilita.messages import Message
from habilita.messages.stored import as_text
from habilita.models import AuditEvent, ChannelConnection, ChannelOrder, ProcessRecord, utcnow
from tests.channels.conftest import ACCESS_KEY, USERNAME, erp_simulator  # noqa: F401 (a fixture)
from tests.channels_marketplace.conftest import marketplace_simulator  # noqa: F401 (a fixture)
from tests.harness import TEST_BOX, terminate, test_settings

from .conftest import csrf_from

WORKFLOW_ID = "channels-CO-900123456"
MARKETPLACE_TOKEN = "APP_USR-hub-123456789-0123456789abcdef"
SECRET = "clave-de-acceso-muy-secreta-123"
CONFIGURATION = ErpConfiguration("1273", "COP", "1270", "629", "ventas@tienda.co", "6015551234")
RULES = InvoicingRules(enabled=True, order_states=("completed", "shipped"), document_type_id="24446",
                       payment_type_id="5636", customer_city_code="05001", product_warehouse_id="1270")
UNKNOWN = Message("order.sku_unknown", {"skus": [
    {"code": "order.sku_candidates", "params": {"sku": "GORRA-01", "tried": "GORRA-01, 7701234000011"}}]})


def in_thread(function, *args, **kwargs):
    """Flask's test client blocks; the console's Temporal bridge needs this loop free meanwhile."""
    return asyncio.to_thread(function, *args, **kwargs)


@pytest.fixture
def settings(tmp_path, erp_simulator, marketplace_simulator):  # noqa: F811
    """The test's settings, pointed at the ERP simulator (the SKU lookup and the connection's checks call it) and
    at the marketplace's, where the reconciliation of a connection whose automatic invoicing is on lists orders."""
    marketplace_simulator.marketplace.add_seller("123456789", MARKETPLACE_TOKEN)
    return test_settings(tmp_path, ERP_URL=erp_simulator.url, MARKETPLACE_URL=marketplace_simulator.url,
                         MARKETPLACE_TOKEN=MARKETPLACE_TOKEN,
                         MARKETPLACE_APP_ID=marketplace_simulator.marketplace.application_id)


def order(connection, order_id: str, state: str, reason: Message | None, **fields) -> ChannelOrder:
    return ChannelOrder.create(connection=connection, order_id=order_id, workflow_id=f"order-900123456-{connection.id}-{order_id}",
                               state=state, reason=as_text(reason) if reason else "", marketplace_status="paid",
                               source_channel="marketplace", buyer_name="Laura Gómez", total="45900", currency="COP",
                               **fields)


@pytest.fixture
def connected(db, company):
    return make_connected(company)


def make_connected(company) -> ChannelConnection:
    """A connected channel as the connection process leaves it, with one order in each state."""
    ProcessRecord.create(workflow_id=WORKFLOW_ID, process_type="channels", company=company, current_step="connected",
                         status="running", waiting_on="system")
    connection = ChannelConnection.create(
        company=company, workflow_id=WORKFLOW_ID, name="Siigo", erp_tax_id="900123456", erp_check_digit="8",
        api_user=USERNAME, marketplace_user_id="123456789", state="connected", created_by="ana@habilita.test")
    connection.seal_access_key(SECRET, box=TEST_BOX)
    connection.settings_json = settings_to_json(ConnectionSettings(connection.id, 2, CONFIGURATION, RULES))
    connection.settings_version = 2
    connection.save()
    add_orders(connection)
    return connection


def add_orders(connection: ChannelConnection) -> None:
    """One order in each state, with the reasons the order side writes."""
    order(connection, "2000000001", "invoiced", Message("order.invoiced", {"number": "FV-1-15"}),
          invoice_id="inv-15", invoice_number="FV-1-15", dian_status="Accepted", cufe="ab12" * 24,
          invoiced_at=utcnow())
    order(connection, "2000000002", "error", UNKNOWN, sku_overrides=json.dumps({"GORRA-01": "GORRA-NEGRA"}))
    order(connection, "2000000003", "skipped", Message("order.channel_excluded", {
        "channel": "tienda", "selected": ["marketplace"]}))
    order(connection, "2000000004", "waiting", Message("order.state_not_selected", {
        "state": {"code": "hub_state.pending", "params": {}},
        "selected": [{"code": "hub_state.completed", "params": {}}]}))
    order(connection, "2000000005", "error", Message("order.line_without_price", {
        "line": 1, "sku": "REGALO", "title": "Muestra gratis"}))
    order(connection, "2000000006", "error", Message("order.erp_refused", {
        "code": "invalid_total_payments", "detail": "la suma de los pagos no coincide"}))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_shows_each_connection_with_its_orders_counted_to_every_reader(as_role, connected):
    for role in ("onboarding", "support", "auditor", "admin"):
        page = as_role(role).get("/admin/channels/")
        html = text_of(page)
        assert page.status_code == 200, role
        assert "Canales de venta" in html and "Panadería La Espiga SAS" in html and "Siigo" in html
        row = re.search(r'<tr data-connection="\d+">(.*?)</tr>', html, re.S).group(1)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="text-right">(.*?)</td>', row, re.S)]
        assert cells == ["1", "3", "1", "1"], cells  # invoiced, in error, skipped, waiting
        assert "Conectado" in row
        assert ("connect-search" in html) == (role in ("onboarding", "admin")), role


def test_conectar_canal_finds_the_company_by_name_or_nit_and_only_onboarding_may_start_it(as_role, company):
    onboarding = as_role("onboarding")
    for term in ("Espiga", "900123456"):
        html = text_of(onboarding.get("/admin/channels/", query_string={"company": term}))
        assert f'data-company="{company.id}"' in html, term
    assert "Ninguna empresa coincide con Zapatería." in text_of(
        onboarding.get("/admin/channels/", query_string={"company": "Zapatería"}))
    auditor = as_role("auditor")
    token = csrf_from(text_of(auditor.get("/auth/profile")))
    assert auditor.post("/admin/channels/connect", data={"company_id": company.id, "csrf_token": token}).status_code == 403
    # Without a valid form token nothing starts (this console has no Temporal: a start would answer 503).
    answer = onboarding.post("/admin/channels/connect", data={"company_id": company.id}, follow_redirects=True)
    assert answer.status_code == 200 and "El formulario expiró" in text_of(answer)


def test_the_page_shows_the_orders_with_their_reasons_in_spanish_and_filters_them_by_state(as_role, connected):
    html = text_of(as_role("auditor").get(f"/admin/channels/{WORKFLOW_ID}"))
    assert 'aria-current="page">3. Facturación automática' in html, "connected: the third tab, with what was saved"
    assert "el ERP no tiene producto para GORRA-01 (se buscó GORRA-01, 7701234000011)" in html
    assert "no tiene precio" in html and "el ERP rechazó la factura" in html
    assert "tienda" in html and "marketplace" in html  # the rule that skipped it
    assert "FV-1-15" in html and f'title="{"ab12" * 24}"' in html and "CUFE ab12ab12ab…" in html
    for state, expected in (("error", {"2000000002", "2000000005", "2000000006"}), ("invoiced", {"2000000001"}),
                            ("skipped", {"2000000003"}), ("waiting", {"2000000004"})):
        page = text_of(as_role("support").get(f"/admin/channels/{WORKFLOW_ID}", query_string={"state": state}))
        assert set(re.findall(r'<tr id="order-(\d+)"', page)) == expected, state
    assert "invoice-now" not in html and "invoice-selected" not in html, "a reader gets no button"


def test_the_earlier_tabs_show_what_was_saved_and_never_the_access_key(as_role, connected):
    browser = as_role("auditor")
    credentials = text_of(browser.get(f"/admin/channels/{WORKFLOW_ID}", query_string={"tab": "credentials"}))
    assert USERNAME in credentials and "900123456-8" in credentials and "123456789" in credentials
    assert "guardada sellada; nunca se muestra" in credentials
    configuration = text_of(browser.get(f"/admin/channels/{WORKFLOW_ID}", query_string={"tab": "configuration"}))
    assert "ventas@tienda.co" in configuration and "1273" in configuration
    rules = text_of(browser.get(f"/admin/channels/{WORKFLOW_ID}", query_string={"tab": "automatic_invoicing"}))
    assert "Medellín (Antioquia) (05001)" in rules and "completada; enviada" in rules
    for html in (credentials, configuration, rules):
        assert SECRET not in html and "access_key_sealed" not in html


def test_onboarding_gets_the_fix_and_invoice_form_with_the_sku_set_before(as_role, connected):
    html = text_of(as_role("onboarding").get(f"/admin/channels/{WORKFLOW_ID}", query_string={"state": "error"}))
    form = re.search(r'<tr id="order-2000000002".*?</tr>', html, re.S).group(0)
    assert 'data-sku="GORRA-01" value="GORRA-NEGRA"' in form and "Código en el ERP para GORRA-01" in form
    assert "sku-match.json" in form and ">Facturar</button>" in form
    priced = re.search(r'<tr id="order-2000000005".*?</tr>', html, re.S).group(0)
    assert ">Facturar</button>" in priced and 'name="code"' not in priced, "no SKU to fix: the button alone"
    assert 'id="invoice-selected"' in html and html.count('class="select-order"') == 3
    assert "channels.js" in html and "<script>" not in html


def test_readers_cannot_invoice_and_a_form_without_its_token_sends_nothing(as_role, connected):
    url = f"/admin/channels/{WORKFLOW_ID}/orders/2000000002/invoice"
    for role in ("support", "auditor"):
        browser = as_role(role)
        token = csrf_from(text_of(browser.get("/auth/profile")))
        assert browser.post(url, data={"csrf_token": token}).status_code == 403, role
        assert browser.post(f"/admin/channels/{WORKFLOW_ID}/orders/invoice",
                            data={"csrf_token": token, "order_id": "2000000002"}).status_code == 403
        assert browser.get(f"/admin/channels/{WORKFLOW_ID}/orders/2000000002/sku-match.json").status_code == 403
        assert browser.post(f"/admin/channels/{WORKFLOW_ID}/act/pause_connection",
                            data={"csrf_token": token}).status_code == 403
    answer = as_role("onboarding").post(url, data={"sku": "GORRA-01", "code": "GORRA-01"}, follow_redirects=True)
    assert "El formulario expiró" in text_of(answer)
    refused = AuditEvent.select().where(AuditEvent.action == "invoice order").get()
    assert refused.outcome == "refused" and refused.detail.startswith("2000000002")


def test_a_second_click_on_an_invoiced_order_says_it_is_already_invoiced_and_sends_nothing(as_role, connected):
    browser = as_role("onboarding")
    token = csrf_from(text_of(browser.get(f"/admin/channels/{WORKFLOW_ID}")))
    answer = browser.post(f"/admin/channels/{WORKFLOW_ID}/orders/2000000001/invoice", data={"csrf_token": token},
                          follow_redirects=True)
    assert answer.status_code == 200, "nothing reached Temporal (this console has none: it would answer 503)"
    assert "La orden 2000000001 ya está facturada como FV-1-15: no se creó otra factura." in text_of(answer)
    bulk = browser.post(f"/admin/channels/{WORKFLOW_ID}/orders/invoice",
                        data={"csrf_token": token, "order_id": ["2000000001", "999"]})
    html = text_of(bulk)
    assert bulk.status_code == 200 and "0 de 2 órdenes facturadas ahora." in html
    assert re.search(r'data-order="2000000001" data-result="already"', html)
    assert "ya estaba facturada como FV-1-15" in html and "esta conexión no tiene esa orden" in html
    assert ChannelOrder.get(ChannelOrder.order_id == "2000000001").invoice_number == "FV-1-15"


def test_the_city_field_searches_dane_municipalities_by_name_or_code(as_role, db):
    browser = as_role("auditor")
    found = browser.get("/admin/channels/cities.json", query_string={"q": "bogota"}).get_json()["cities"]
    assert found[0] == {"code": "11001", "label": "Bogotá, D.C."} or found[0]["code"] == "11001"
    assert browser.get("/admin/channels/cities.json", query_string={"q": "05001"}).get_json()["cities"][0][
        "label"].startswith("Medellín")
    assert browser.get("/admin/channels/cities.json").get_json() == {"cities": []}


def test_if_the_sku_matches_at_the_erp_it_shows_by_itself(as_role, connected, erp_simulator):  # noqa: F811
    erp_simulator.admin.create_company(nit="900123456", access_key=SECRET)
    browser = as_role("onboarding")
    url = f"/admin/channels/{WORKFLOW_ID}/orders/2000000002/sku-match.json"
    assert browser.get(url).get_json() == {"available": True, "matches": {"GORRA-01": ""}}
    erp_simulator.admin.add_products([{"code": "GORRA-01", "name": "Gorra negra", "price": 30000}], nit="900123456")
    assert browser.get(url).get_json() == {"available": True, "matches": {"GORRA-01": "GORRA-01"}}
    other = f"/admin/channels/{WORKFLOW_ID}/orders/2000000005/sku-match.json"
    assert browser.get(other).get_json() == {"available": True, "matches": {}}, "no SKU missing: nothing asked"
    ChannelConnection.update(api_user="otro@apionmicrosoft.com").execute()
    assert browser.get(url).get_json()["available"] is False, "refused credentials: the field stays as it is"


def test_the_home_counts_the_channels_and_notifies_errors_and_a_stopped_invoicing(as_role, connected):
    ChannelConnection.update(invoicing_stopped_reason=as_text(Message("channels.stop_user_blocked"))).execute()
    html = text_of(as_role("auditor").get("/admin/"))
    kpi = re.search(r'id="kpi-channels".*?</div></div></div>', html, re.S).group(0)
    assert ">1</a>" in kpi and "canales de venta conectados" in kpi and "facturación detenida en 1" in kpi
    errors = re.search(r'id="kpi-channel-errors".*?</div></div></div>', html, re.S).group(0)
    assert ">3</a>" in errors
    assert "Órdenes en error en Siigo: 3" in html and f"/admin/channels/{WORKFLOW_ID}?state=error#orders" in html
    assert "Facturación automática detenida en Siigo" in html and "el ERP bloqueó el usuario API" in html.replace(
        "bloqueó al usuario", "bloqueó el usuario")


# --- on the dev server: the connection workflow behind the three tabs -------------------------------------


async def step_is(workflow_id: str, step: str, seconds: float = 20) -> ProcessRecord:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        if record is not None and record.current_step == step:
            return record
        assert asyncio.get_running_loop().time() < deadline, f"never reached {step}: {record and record.current_step}"
        await asyncio.sleep(0.1)


def field_errors(html: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(
        r'class="invalid-feedback d-block field-error" data-field="([^"]+)">([^<]*)<', html)}


async def send(browser, workflow_id: str, action: str, page_html: str, **fields):
    data = {"csrf_token": csrf_from(page_html), **fields}
    return await in_thread(browser.post, f"/admin/channels/{workflow_id}/act/{action}", data=data)


async def test_the_three_tabs_connect_without_automatic_invoicing_then_switch_it_on_with_refusals_at_fields(
        live_app, as_role, worker, company, client, erp_simulator):  # noqa: F811
    erp_simulator.admin.create_company(nit=company.tax_id)
    browser = as_role("onboarding", live_app)
    listing = await in_thread(browser.get, "/admin/channels/", query_string={"company": "Espiga"})
    started = await in_thread(browser.post, "/admin/channels/connect",
                              data={"company_id": company.id, "csrf_token": csrf_from(text_of(listing))})
    assert started.status_code == 302 and f"/admin/channels/{WORKFLOW_ID}" in started.location
    await step_is(WORKFLOW_ID, "credentials")
    page = text_of(await in_thread(browser.get, f"/admin/channels/{WORKFLOW_ID}"))
    assert 'aria-current="page">1. Credenciales' in page and 'type="password"' in page
    assert 'name="tax_id" type="text" value="900123456"' in page

    # 1. Credenciales: a wrong check digit is refused at its field, in Spanish; the key is never sent back.
    credentials = dict(name="Siigo", tax_id="900123456", check_digit="3", api_user=USERNAME,
                       access_key=ACCESS_KEY, marketplace_user_id="123456789")
    refused = await send(browser, WORKFLOW_ID, "enter_credentials", page, **credentials)
    html = text_of(refused)
    assert refused.status_code == 200 and "check_digit" in field_errors(html), field_errors(html)
    assert "dígito" in field_errors(html)["check_digit"].lower() and ACCESS_KEY not in html
    done = await send(browser, WORKFLOW_ID, "enter_credentials", html, **{**credentials, "check_digit": "8"})
    assert done.status_code == 302, field_errors(text_of(done))
    await step_is(WORKFLOW_ID, "configuration")

    # 2. Configuración: the ERP's catalogs as choices; a bad e-mail refused at its field.
    page = text_of(await in_thread(browser.get, f"/admin/channels/{WORKFLOW_ID}"))
    assert 'aria-current="page">2. Configuración' in page and '<option value="1273">' in page
    configuration = dict(price_list_id="1273", currency="COP", warehouse_id="1270", seller_id="629",
                         default_email="ventas@", default_phone="+57 601 555 1234")
    html = text_of(await send(browser, WORKFLOW_ID, "configure", page, **configuration))
    assert "default_email" in field_errors(html)
    done = await send(browser, WORKFLOW_ID, "configure", html, **{**configuration, "default_email": "ventas@tienda.co"})
    assert done.status_code == 302
    await step_is(WORKFLOW_ID, "automatic_invoicing")

    # 3. Facturación automática: "Actualizar" connects without it.
    page = text_of(await in_thread(browser.get, f"/admin/channels/{WORKFLOW_ID}"))
    assert 'aria-current="page">3. Facturación automática' in page and ">Actualizar</button>" in page
    assert (await send(browser, WORKFLOW_ID, "connect_without_invoicing", page)).status_code == 302
    await step_is(WORKFLOW_ID, "connected")
    page = text_of(await in_thread(browser.get, f"/admin/channels/{WORKFLOW_ID}"))
    assert "Facturación automática desactivada" in page and ">Actualizar</button>" not in page
    saved = text_of(await in_thread(browser.get, f"/admin/channels/{WORKFLOW_ID}", query_string={"tab": "credentials"}))
    assert USERNAME in saved and "guardada sellada; nunca se muestra" in saved and ACCESS_KEY not in saved

    # ... and switched on later, in the same tab: an unknown DANE code refused at its field first.
    rules = dict(enabled="y", order_states=["completed", "shipped"], document_type_id="24446", payment_type_id="5636",
                 customer_id_type="13", customer_city_code="99999", invoice_currency="COP", exchange_rate="1",
                 product_warehouse_id="1270")
    html = text_of(await send(browser, WORKFLOW_ID, "set_invoicing_rules", page, **rules))
    assert "99999 no es un código DANE de municipio" in field_errors(html).get("customer_city_code", ""), \
        field_errors(html)
    assert 'value="completed" id="order_states-completed" checked' in html, "what was ticked stays ticked"
    done = await send(browser, WORKFLOW_ID, "set_invoicing_rules", html, **{**rules, "customer_city_code": "11001"})
    assert done.status_code == 302
    for _ in range(50):
        connection = ChannelConnection.get(ChannelConnection.workflow_id == WORKFLOW_ID)
        if connection.settings_version >= 3:
            break
        await asyncio.sleep(0.1)
    settings = json.loads(connection.settings_json)
    assert settings["rules"]["enabled"] is True and settings["rules"]["order_states"] == ["completed", "shipped"]
    page = text_of(await in_thread(browser.get, f"/admin/channels/{WORKFLOW_ID}"))
    assert "Bogotá" in page and "Facturación automática activa" in page

    # The connection's own box: a disconnection asks why; pausing works.
    html = text_of(await send(browser, WORKFLOW_ID, "disconnect", page, reason=""))
    assert "reason" in field_errors(html)
    assert (await send(browser, WORKFLOW_ID, "pause_connection", page)).status_code == 302
    await step_is(WORKFLOW_ID, "paused")
    actions = {e.action for e in AuditEvent.select().where(AuditEvent.target_id == WORKFLOW_ID)}
    assert {"start process", "enter_credentials", "configure", "connect_without_invoicing", "set_invoicing_rules",
            "disconnect", "pause_connection"} <= actions
    await terminate(client, [WORKFLOW_ID + "-reconcile"])  # switched on, the connection reconciles: end it now


async def test_support_sees_a_connection_whose_invoicing_stopped_in_its_queue(live_app, as_role, connected):
    reason = {"code": "channels.stop_credentials_refused", "params": {}}
    ProcessRecord.update(last_error=as_text(Message("blocked.invoicing_stopped", {"reason": reason}))).execute()
    browser = as_role("support", live_app)
    html = text_of(await in_thread(browser.get, "/admin/support/"))
    assert WORKFLOW_ID in html and "la facturación automática está detenida" in html
    page = text_of(await in_thread(browser.get, f"/admin/channels/{WORKFLOW_ID}"))
    assert 'data-health="blocked"' in page and "Verlo en la cola de soporte" in page
