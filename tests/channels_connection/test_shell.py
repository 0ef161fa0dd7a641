"""The shell's side of P4: the settings' JSON, the CLI's commands and the console's forms, where the access key
is typed, sealed into the connection's row and never sent."""
from __future__ import annotations

import asyncio
import dataclasses

import pytest
import pytest_asyncio
from click.testing import CliRunner
from wtforms import PasswordField, SelectField

from habilita.channels.configuration import (
    ConnectionSettings,
    ErpConfiguration,
    InvoicingRules,
    Offered,
    settings_from_json,
    settings_to_json,
)
from habilita.cli import cli
from habilita.models import ProcessRecord
from habilita.models.channels import ChannelConnection
from habilita.processes import CHANNELS
from tests.admin.conftest import app  # noqa: F401 (a fixture)
from tests.channels.conftest import ACCESS_KEY
from tests.channels_connection.conftest import SELLER_ID
from tests.harness import TEST_BOX, terminate

SETTINGS = ConnectionSettings(
    connection_id=7, version=3,
    configuration=ErpConfiguration("1273", "COP", "1270", "629", "ventas@tienda.co", "6015551234"),
    rules=InvoicingRules(enabled=True, source_channels=("mercadolibre", "tienda"), order_states=("completed",),
                         document_type_id="24446", customer_city_code="05001", exchange_rate="4100.50",
                         send_to_dian=True),
    paused=True)


def test_the_settings_json_round_trips_and_refuses_anything_else():
    text = settings_to_json(SETTINGS)
    assert settings_from_json(text) == SETTINGS
    assert '"source_channels": ["mercadolibre", "tienda"]' in text
    older = text.replace('"invoice_shipping": false, ', "")  # a row written before a rule existed
    assert settings_from_json(older).rules.invoice_shipping is False
    for junk in ("", "[]", '{"version": 1}', text.replace('"enabled": true', '"enabled": "yes"')):
        with pytest.raises(ValueError):
            settings_from_json(junk)


def test_the_credentials_form_asks_the_access_key_and_never_sends_it(app):  # noqa: F811
    from habilita.console.processes.step_forms import form_class, resolution_choices

    (credentials,) = CHANNELS.actions_for("credentials")
    configure = CHANNELS.action("configuration", "configure")
    status = type("Status", (), {"offers": {"price_list_id": [Offered("1273", "Precio de venta 1 (1273)")]}})()
    with app.test_request_context():
        form = form_class(credentials)(formdata=None)
        assert isinstance(form.access_key, PasswordField)
        assert not hasattr(form, "connection_id")
        offered = form_class(configure, resolution_choices([status]))(formdata=None)
        assert isinstance(offered.price_list_id, SelectField)
        assert offered.price_list_id.choices[1] == ("1273", "Precio de venta 1 (1273)")
    assert "access_key" not in {f.name for f in dataclasses.fields(credentials.input_type)}


def cli_env(settings, temporal_env, task_queue) -> dict:
    return {
        "DATABASE_URL": settings.database_url, "HABILITA_VAR": str(settings.var_dir),
        "HABILITA_ENCRYPTION_KEY": settings.encryption_key, "SECRET_KEY": settings.secret_key,
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": temporal_env.client.namespace, "TEMPORAL_TASK_QUEUE": task_queue,
        "HABILITA_LOCALE": "es",
    }


async def invoke(env: dict, *args: str, input: str | None = None):
    return await asyncio.to_thread(CliRunner().invoke, cli, ["channels", *args], env=env, input=input,
                                   catch_exceptions=False)


@pytest_asyncio.fixture
async def cli_process(temporal_env, company):
    workflow_id = CHANNELS.workflow_id(company)
    yield workflow_id
    await terminate(temporal_env.client, [workflow_id, workflow_id + "-reconcile"])


async def wait_for(workflow_id: str, step: str):
    for _ in range(400):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        if record is not None and record.current_step == step:
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} never reached {step}")


async def test_the_cli_drives_the_credentials_and_names_a_refused_field(
        temporal_env, worker, company, settings, task_queue, erp_account, cli_process):
    env = cli_env(settings, temporal_env, task_queue)
    listed = await invoke(env, "--help")
    assert listed.exit_code == 0
    for command in ("start", "status", "credentials", "configure", "invoicing", "connect", "pause", "resume",
                    "disconnect", "reload-catalogs"):
        assert command in listed.output
    helped = await invoke(env, "credentials", "--help")
    assert "--access-key" in helped.output and "--connection-id" not in helped.output

    started = await invoke(env, "start", "--company", company.tax_id, "--actor", "ana@example.co")
    assert started.exit_code == 0, started.output
    assert started.output.strip() == f"workflow_id: {cli_process}"
    await wait_for(cli_process, "credentials")

    common = ["credentials", "--company", company.tax_id, "--actor", "ana@example.co", "--name", "Siigo",
              "--nit", f"{company.tax_id}-{company.check_digit}", "--api-user", "tienda@apionmicrosoft.com",
              "--marketplace-user-id", SELLER_ID]
    refused = await invoke(env, *common, input="not-the-key\n")  # typed at the prompt, not echoed
    assert refused.exit_code == 1
    assert "access_key: el ERP rechazó el usuario API tienda@apionmicrosoft.com con esta Access Key" in refused.output
    assert "not-the-key" not in refused.output
    assert ProcessRecord.get_by_id(cli_process).current_step == "credentials"

    bad_seller = await invoke(env, *common[:-1], "12-34", "--access-key", ACCESS_KEY)
    assert bad_seller.exit_code == 1 and "marketplace_user_id:" in bad_seller.output

    accepted = await invoke(env, *common, "--access-key", ACCESS_KEY)
    assert accepted.exit_code == 0, accepted.output
    assert "api_user: tienda@apionmicrosoft.com" in accepted.output and ACCESS_KEY not in accepted.output
    await wait_for(cli_process, "configuration")
    row = ChannelConnection.get(ChannelConnection.workflow_id == cli_process)
    assert row.access_key(TEST_BOX) == ACCESS_KEY

    refused_config = await invoke(env, "configure", "--company", company.tax_id, "--actor", "ana@example.co",
                                  "--price-list-id", "9999", "--currency", "COP", "--warehouse-id", "1270",
                                  "--seller-id", "629", "--default-email", "ventas@tienda.co",
                                  "--default-phone", "6015551234")
    assert refused_config.exit_code == 1 and "price_list_id: 9999 no es uno de los que ofrece el ERP" in \
        refused_config.output
    status = await invoke(env, "status", "--company", company.tax_id)
    assert status.exit_code == 0 and "step: configuration" in status.output and ACCESS_KEY not in status.output


def test_the_console_seals_the_typed_key_into_the_process_row_before_building_the_update(app, company):  # noqa: F811
    from werkzeug.datastructures import MultiDict

    from habilita.console.processes.step_forms import (
        UploadRefused,
        build_input,
        form_class,
    )

    workflow_id = CHANNELS.workflow_id(company)
    row = ChannelConnection.create(company=company, workflow_id=workflow_id, name="", marketplace_user_id="",
                                   created_by="ana@example.co")
    (credentials,) = CHANNELS.actions_for("credentials")
    typed = MultiDict({"name": "Siigo", "tax_id": company.tax_id, "check_digit": company.check_digit,
                       "api_user": "tienda@apionmicrosoft.com", "marketplace_user_id": SELLER_ID,
                       "access_key": ACCESS_KEY})
    with app.test_request_context(method="POST", data=typed):
        form = form_class(credentials)(typed, meta={"csrf": False})
        data = build_input(credentials, form, {}, "ana@example.co", workflow_id=workflow_id)
        assert data.connection_id == row.id and ACCESS_KEY not in repr(data)
        assert ChannelConnection.get_by_id(row.id).access_key(TEST_BOX) == ACCESS_KEY
        with pytest.raises(UploadRefused) as refused:  # no process to seal it for: nothing is stored
            build_input(credentials, form, {}, "ana@example.co")
        assert refused.value.problem.field == "access_key"
