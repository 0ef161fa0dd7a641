"""P4 on the local dev server against the ERP simulator over HTTP: the three steps, each refusal at its field."""
from __future__ import annotations

import asyncio
import base64

import pytest
from temporalio.client import WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.service import RPCError

from habilita.channels.configuration import (
    ConnectionSettings,
    ReconcileStart,
    settings_from_json,
)
from habilita.messages import Problem
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.models import AuditEvent, ProcessRecord
from habilita.processes.words import words_in
from habilita.workflows.channel_connection import (
    ConnectWithoutInvoicing,
    SalesChannelConnection,
)
from tests.channels.conftest import ACCESS_KEY, USERNAME
from tests.channels_connection.stand_ins import StandInReconciliation
from tests.harness import TEST_BOX

from .conftest import (
    ACTOR,
    CONFIGURATION,
    COST_CENTER,
    DOCUMENT_WITH_COST_CENTER,
    PRICE_LIST,
    SELLER_ID,
    decoded_history,
)


def fields_of(refused) -> dict[str, Problem]:
    """Each refused field's problem, as the update's failure details carry it."""
    return {p.field: p for p in map(Problem.from_detail, refused.value.cause.details) if p.code}


def spanish(problem: Problem) -> str:
    gettext = gettext_for("es")
    return render(problem, gettext, words_in(gettext))


async def reconciliation(p4) -> ReconcileStart:
    child = p4.client.get_workflow_handle(p4.workflow_id + "-reconcile")
    for _ in range(200):
        try:
            return await child.query(StandInReconciliation.started_with)
        except (RPCError, WorkflowQueryFailedError):  # not started yet (or its first task not run): ask again
            await asyncio.sleep(0.05)
    raise AssertionError("the reconciliation never started")


async def test_the_three_steps_connect_the_channel_with_automatic_invoicing(p4, worker, company):
    await p4.start()
    accepted = await p4.enter_credentials()
    assert (accepted.name, accepted.api_user, accepted.display_tax_id) == ("Siigo", USERNAME, "900123456-8")
    status = await p4.wait_step("configuration")
    offered = {o.value: o.label for o in status.offers["price_list_id"]}
    assert offered[PRICE_LIST] == f"Precio de venta 1 ({PRICE_LIST})"
    assert "1272" not in {o.value for o in status.offers["warehouse_id"]}, "an inactive warehouse is not offered"
    row = p4.row()
    assert (row.name, row.api_user, row.marketplace_user_id, row.state) == ("Siigo", USERNAME, SELLER_ID, "connecting")
    assert row.access_key(TEST_BOX) == ACCESS_KEY and ACCESS_KEY.encode() not in bytes(row.access_key_sealed)

    assert (await p4.configure()).version == 1
    await p4.wait_step("automatic_invoicing")
    saved = await p4.set_rules()
    assert (saved.version, saved.state) == (2, "connected")
    status = await p4.wait_step("connected")

    row = p4.row()
    stored = settings_from_json(row.settings_json)
    assert (row.state, row.settings_version, stored.version, stored.connection_id) == ("connected", 2, 2, row.id)
    assert stored.configuration == status.configuration and stored.configuration.default_phone == "+57 601 555 1234"
    assert stored.rules.order_states == ("completed", "shipped") and stored.rules.source_channels == ("mercadolibre",)
    assert stored.rules.enabled and stored.rules.send_to_dian and not stored.paused
    record = ProcessRecord.get_by_id(p4.workflow_id)
    assert (record.process_type, record.status, record.waiting_on) == ("channels", "waiting", "system")
    assert await reconciliation(p4) == ReconcileStart(connection_id=row.id, workflow_id=p4.workflow_id)
    assert (await p4.status()).reconciliation_id == p4.workflow_id + "-reconcile"
    assert {"channel_credentials", "channel_configuration", "channel_invoicing_rules"} <= {
        e.action for e in AuditEvent.select()}

    history = await decoded_history(p4.client, p4.workflow_id)
    assert USERNAME.encode() in history, "the decoded history is read (the API user is there)"
    assert ACCESS_KEY.encode() not in history
    assert base64.b64encode(ACCESS_KEY.encode()) not in history


async def test_wrong_credentials_are_refused_at_the_access_key_and_kept_nowhere_in_clear(p4, worker):
    await p4.start()
    wrong = "not-the-key-0123456789"

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p4.enter_credentials(wrong)

    (problem,) = fields_of(refused).values()
    assert (problem.field, problem.code) == ("access_key", "erp_credentials_refused")
    assert spanish(problem) == (f"el ERP rechazó el usuario API {USERNAME} con esta Access Key: "
                                "verifique ambos en el ERP")
    status = await p4.status()
    assert (status.step, status.api_user, status.offers) == ("credentials", "", {})
    assert p4.row().api_user == "" and p4.row().state == "connecting"
    history = await decoded_history(p4.client, p4.workflow_id)
    assert wrong.encode() not in history and base64.b64encode(wrong.encode()) not in history

    with pytest.raises(WorkflowUpdateFailedError) as missing:
        await p4.enter_credentials("", check_digit="3", marketplace_user_id="12a", name="")
    assert {f: p.code for f, p in fields_of(missing).items()} == {
        "access_key": "required", "check_digit": "tax_id_check_digit", "marketplace_user_id": "marketplace_user_digits",
        "name": "required"}

    with pytest.raises(WorkflowUpdateFailedError) as other:
        await p4.enter_credentials(tax_id="900700800", check_digit="4")
    assert fields_of(other)["tax_id"] == Problem("tax_id", "channel_nit_not_company", {"nit": "900123456"})

    await p4.enter_credentials()  # the right key, typed again, is sealed over the wrong one
    await p4.wait_step("configuration")


async def test_a_configuration_must_come_from_the_erps_catalogs_with_a_valid_contact(p4, worker):
    await p4.start()
    await p4.enter_credentials()
    await p4.wait_step("configuration")

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p4.configure(price_list_id="9999", warehouse_id="1272", currency="ARS",
                           default_email="ventas@", default_phone="12ab")

    problems = fields_of(refused)
    assert {f: p.code for f, p in problems.items()} == {
        "price_list_id": "not_in_erp_catalog", "warehouse_id": "not_in_erp_catalog", "currency": "one_of",
        "default_email": "not_an_email", "default_phone": "phone_format"}
    assert spanish(problems["price_list_id"]).startswith("9999 no es uno de los que ofrece el ERP; elija uno de: "
                                                         "Precio de venta 1 (1273)")
    assert spanish(problems["default_email"]) == "ventas@ no es un correo electrónico"
    assert "dígitos" in spanish(problems["default_phone"])
    assert (await p4.status()).configuration is None
    assert p4.row().settings_version == 0


@pytest.mark.parametrize("changes, field, code, words", [
    ({"customer_city_code": "99999"}, "customer_city_code", "dane_city_unknown",
     "99999 no es un código DANE de municipio: 5 dígitos, como 11001 para Bogotá"),
    ({"customer_city_code": ""}, "customer_city_code", "required", "este campo es obligatorio"),
    ({"exchange_rate": "0"}, "exchange_rate", "exchange_rate_positive", "la tasa de cambio debe ser mayor que cero, no 0"),
    ({"exchange_rate": "1,5"}, "exchange_rate", "not_a_decimal", "«1,5» no es un número decimal como 4100.50"),
    ({"order_states": "completed,entregada"}, "order_states", "one_of",
     "elija una de estas opciones: pendiente, enviada, completada, cancelada, otra"),
    ({"document_type_id": DOCUMENT_WITH_COST_CENTER}, "cost_center_id", "cost_center_required_by_document",
     "este tipo de transacción exige un centro de costos"),
    ({"payment_type_id": "5640"}, "payment_type_id", "not_in_erp_catalog", "5640 no es uno de los que ofrece el ERP"),
])
async def test_invoicing_rules_are_refused_at_their_field_in_spanish(p4, worker, changes, field, code, words):
    await p4.to_automatic_invoicing()

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await p4.set_rules(**changes)

    problems = fields_of(refused)
    assert list(problems) == [field] and problems[field].code == code
    assert spanish(problems[field]).startswith(words), spanish(problems[field])
    assert (await p4.status()).rules is None


async def test_a_cost_centre_satisfies_the_document_type_that_needs_one(p4, worker):
    await p4.to_automatic_invoicing()
    await p4.set_rules(document_type_id=DOCUMENT_WITH_COST_CENTER, cost_center_id=COST_CENTER)
    await p4.wait_step("connected")
    assert settings_from_json(p4.row().settings_json).rules.cost_center_id == COST_CENTER


async def test_connect_without_automatic_invoicing_then_switch_it_on(p4, worker):
    await p4.to_automatic_invoicing()
    saved = await p4.handle.execute_update(SalesChannelConnection.connect_without_invoicing,
                                           ConnectWithoutInvoicing(ACTOR))
    assert (saved.version, saved.state) == (2, "connected")
    status = await p4.wait_step("connected")
    assert not status.invoicing_enabled and status.reconciliation_id == ""
    assert settings_from_json(p4.row().settings_json).rules.enabled is False
    with pytest.raises(WorkflowUpdateFailedError):  # only at the automatic invoicing step
        await p4.handle.execute_update(SalesChannelConnection.connect_without_invoicing, ConnectWithoutInvoicing(ACTOR))

    assert (await p4.set_rules()).version == 3
    started = await reconciliation(p4)
    assert started.connection_id == p4.row().id
    stored: ConnectionSettings = settings_from_json(p4.row().settings_json)
    assert (stored.version, stored.rules.enabled, stored.configuration.price_list_id) == (3, True, PRICE_LIST)
    assert CONFIGURATION["seller_id"] == stored.configuration.seller_id
