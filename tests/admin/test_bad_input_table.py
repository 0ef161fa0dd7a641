"""The bad-input table (ASVS 5.1): every text field staff type, against every kind of bad value.

The console's model forms (companies, users) and the human steps of P1 and P2 (DIAN registration, the
legal representative, the NIT confirmation, the support document at DIAN), each through both doors
staff use: the console's form and the `habilita process` command. The bad values: empty, too long,
NUL, control characters, non-ASCII digits, an emoji the letter's font cannot draw, a spreadsheet
formula, HTML, SQL-looking text, a wrong check digit. Each try must be refused at its field with a
Spanish message (the catalog's), store nothing, answer no 500 and not hang; each test asserts its
counts (printed as ``bad-input table: tried N, refused N, accepted wrongly 0, crashed 0``).

Counts when written: model forms tried 70, refused 70; P1 tried 186, refused 186; P2 tried 54,
refused 54; none accepted wrongly, none crashed. On the code before habilita/inputs the model forms
accepted 44 of their 70, the CLI took a 201-character actor and moved P1 past its registration, and
the representative's rules let 21 of their 54 values through at each door (an emoji in the position
then failed inside the letter's activity); P2's DIAN fields were already refused.
"""
from __future__ import annotations

import asyncio
import uuid

import pytest
from click.testing import CliRunner

from habilita.activities.representatives import LegalRepresentative
from habilita.activities.uploads import receive_signed_letter
from habilita.cli import cli
from habilita.inputs import limits
from habilita.models import AuditEvent, Company, DianSoftware, ProcessRecord, Representative, StoredFile, User
from habilita.workflows.certificate import (
    CertificateActivation, CertificatePathChoice, LoanContinuation, SignedLetterUpload,
)
from tests.harness import TEST_BOX, wait_for_step

from .bad_input import Field, Tally, bad_values, errors_at_fields, errors_in_cli_output
from .conftest import csrf_from, sign_in

ACTOR = "onboarding@habilita.test"
TEST_SET_ID = "8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"
SOFTWARE_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
SECONDS = 30  # no try may take longer: a hang is a failure

COMPANY_FIELDS = [
    Field("legal_name", "Panadería Los Andes SAS", 200),
    Field("tax_id", "800197268", 20, "digits", wrong_check_digit="800197261"),
    Field("check_digit", "4", 1, "digits", wrong_check_digit="1", also_at=("tax_id",)),
    Field("email", "facturas@losandes.co", 200, "email", required=False),
    Field("phone", "6015551234", 40, "digits", required=False),
    Field("city", "Bogotá D.C.", 100, required=False),
]
USER_FIELDS = [Field("email", "nueva@habilita.test", 200, "email"),
               Field("name", "Nueva Usuaria", 200, required=False)]
REGISTRATION_FIELDS = [Field("test_set_id", TEST_SET_ID, limits.DIAN_ID, "guid"),
                       Field("software_id", SOFTWARE_ID, limits.DIAN_ID, "guid"),
                       Field("pin", "12345", 5, "digits")]
NIT_BESIDE = {"document_type": "NIT", "document_number": "900123456"}
REPRESENTATIVE_FIELDS = [
    Field("full_name", "Ana María Gómez", limits.PERSON_NAME),
    Field("document_number", "52123456", limits.DOCUMENT_NUMBER, "digits"),
    Field("check_digit", "8", limits.CHECK_DIGIT, "digits", required=False, wrong_check_digit="3", context=NIT_BESIDE),
    Field("email", "ana@laespiga.co", limits.EMAIL, "email"),
    Field("phone", "3001234567", limits.PHONE, "digits"),
    Field("position", "Gerente general", limits.POSITION),
]
VALID_REPRESENTATIVE = {"full_name": "Ana María Gómez", "document_type": "CC", "document_number": "52123456",
                        "check_digit": "", "email": "ana@laespiga.co", "phone": "3001234567",
                        "position": "Gerente general"}
CONFIRMATION_FIELDS = [Field("confirmed_tax_id", "900123456-8", limits.TAX_ID_WITH_CHECK_DIGIT, "digits",
                             wrong_check_digit="900123456-1")]


async def in_thread(call, *args, **kwargs):
    """A console request or a command, off the event loop the worker runs on, within ``SECONDS``."""
    return await asyncio.wait_for(asyncio.to_thread(call, *args, **kwargs), SECONDS)


def cli_env(settings, temporal_env, task_queue) -> dict:
    return {
        "DATABASE_URL": settings.database_url, "HABILITA_VAR": str(settings.var_dir), "HABILITA_LOCALE": "es",
        "HABILITA_ENCRYPTION_KEY": settings.encryption_key, "SECRET_KEY": settings.secret_key,
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": temporal_env.client.namespace, "TEMPORAL_TASK_QUEUE": task_queue,
    }


def option(name: str) -> str:
    return "--" + name.replace("_", "-")


async def try_console(tally: Tally, browser, url: str, data: dict, field: Field, where: str) -> None:
    """Post one bad value through a console form: refused means the form comes back with it at its field."""
    try:
        answer = await in_thread(browser.post, url, data=data)
    except Exception as error:  # noqa: BLE001 - a hang or a crash is this table's finding, counted
        tally.crashed(where, repr(error))
        return
    if answer.status_code >= 500:
        tally.crashed(where, f"HTTP {answer.status_code}")
    elif answer.status_code != 200:
        tally.accepted(where)
    else:
        tally.refused_at(where, (field.name, *field.also_at), errors_at_fields(answer.get_data(as_text=True)))


async def try_cli(tally: Tally, env: dict, args: list[str], field: Field, where: str) -> None:
    """Run one `habilita process` step command with a bad value: refused means exit 1 naming the field."""
    try:
        result = await in_thread(CliRunner().invoke, cli, ["process", *args], env=env)
    except Exception as error:  # noqa: BLE001 - a hang is counted, not raised
        tally.crashed(where, repr(error))
        return
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tally.crashed(where, repr(result.exception))
    elif result.exit_code == 0:
        tally.accepted(where)
    else:
        tally.refused_at(where, (field.name, *field.also_at), errors_in_cli_output(result.output))


async def try_step(tally: Tally, browser, env: dict, *, page: str, workflow_id: str, update: str, command: str,
                   valid: dict, fields: list[Field], cli_target: str) -> None:
    """Every bad value of every field of one human step, through the console's form and the CLI's command."""
    token = csrf_from((await in_thread(browser.get, f"/admin/process/{page}")).get_data(as_text=True))
    for f in fields:
        for kind, value in bad_values(f):
            data = {**valid, **f.context, f.name: value}
            where = f"{command} {f.name} ({kind})"
            await try_console(tally, browser, f"/admin/process/{workflow_id}/act/{update}",
                              {"csrf_token": token, **data}, f, "console " + where)
            options = [part for name, given in data.items() for part in (option(name), given)]
            await try_cli(tally, env, [command, cli_target, "--actor", ACTOR, *options], f, "cli " + where)


@pytest.fixture
def signed_in(users):
    def browser_for(application, email: str):
        browser = application.test_client()
        assert sign_in(browser, email).status_code == 302
        return browser
    return browser_for


async def test_the_company_and_user_forms_refuse_each_bad_value_at_its_field_and_store_nothing(app, signed_in):
    tally = Tally()
    onboarding, admin = signed_in(app, "onboarding@habilita.test"), signed_in(app, "admin@habilita.test")
    companies, users = Company.select().count(), User.select().count()
    valid_company = {"country": "CO", **{f.name: f.valid for f in COMPANY_FIELDS}}
    token = csrf_from(onboarding.get("/admin/company/new/").get_data(as_text=True))
    for f in COMPANY_FIELDS:
        for kind, value in bad_values(f):
            await try_console(tally, onboarding, "/admin/company/new/",
                              {"csrf_token": token, **valid_company, f.name: value}, f,
                              f"company {f.name} ({kind})")
    token = csrf_from(admin.get("/admin/user/new/").get_data(as_text=True))
    for f in USER_FIELDS:
        for kind, value in bad_values(f):
            await try_console(tally, admin, "/admin/user/new/",
                              {"csrf_token": token, "roles": ["support"], "active": "y",
                               **{u.name: u.valid for u in USER_FIELDS}, f.name: value}, f,
                              f"user {f.name} ({kind})")

    tally.assert_all_refused()
    assert (Company.select().count(), User.select().count()) == (companies, users), "nothing was stored"
    saved = AuditEvent.select().where(AuditEvent.action.in_(["create company", "create user"])
                                      & (AuditEvent.outcome == "ok"))
    assert saved.count() == 0


@pytest.mark.timeout(900)
async def test_p1s_human_steps_refuse_each_bad_value_at_its_field_in_the_console_and_the_cli(
        live_app, signed_in, worker, company, temporal_env, settings, task_queue):
    tally = Tally()
    browser, env = signed_in(live_app, ACTOR), cli_env(settings, temporal_env, task_queue)
    p1 = f"einvoicing-CO-{company.tax_id}"
    page = (await in_thread(browser.get, f"/admin/company/details/?id={company.id}")).get_data(as_text=True)
    await in_thread(browser.post, "/admin/process/start", data={
        "csrf_token": csrf_from(page), "company_id": company.id, "process_type": "einvoicing"})
    version = (await wait_for_step(p1, "dian_registration", status="waiting")).version

    registration = {"operation_mode": "own_software", "test_set_id": TEST_SET_ID, "software_id": SOFTWARE_ID,
                    "pin": "12345"}
    await try_step(tally, browser, env, page=p1, workflow_id=p1, update="submit_dian_registration",
                   command="register", valid=registration, fields=REGISTRATION_FIELDS, cli_target=p1)
    actor = Field("actor", ACTOR, limits.ACTOR, "actor")
    for kind, value in bad_values(actor):
        options = [part for name, given in registration.items() for part in (option(name), given)]
        await try_cli(tally, env, ["register", p1, "--actor", value, *options], actor, f"cli register actor ({kind})")
    assert ProcessRecord.get_by_id(p1).version == version and DianSoftware.select().count() == 0

    token = csrf_from((await in_thread(browser.get, f"/admin/process/{p1}")).get_data(as_text=True))
    accepted = await in_thread(browser.post, f"/admin/process/{p1}/act/submit_dian_registration",
                               data={"csrf_token": token, **registration})
    assert accepted.status_code == 302, "the valid registration is accepted"
    child = temporal_env.client.get_workflow_handle(p1 + "-certificate")
    await wait_for_step(child.id, "choose_path", status="waiting")
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "loan"))
    version = (await wait_for_step(child.id, "representative", status="waiting")).version

    await try_step(tally, browser, env, page=p1, workflow_id=child.id, update="submit_representative",
                   command="representative", valid=VALID_REPRESENTATIVE, fields=REPRESENTATIVE_FIELDS, cli_target=p1)
    assert ProcessRecord.get_by_id(child.id).version == version
    assert Representative.select().count() == 0 and StoredFile.select().count() == 0, "nothing was stored"

    letter = await child.execute_update(CertificateActivation.submit_representative,
                                        LegalRepresentative(actor=ACTOR, **VALID_REPRESENTATIVE))
    await wait_for_step(child.id, "signed_letter", status="waiting")
    signed = receive_signed_letter(StoredFile.get_by_id(letter.stored_file_id).read(TEST_BOX), "firmada.pdf",
                                   box=TEST_BOX)
    await child.execute_update(CertificateActivation.upload_signed_letter,
                               SignedLetterUpload(ACTOR, signed.stored_file_id, signed.sha256))
    await child.execute_update(CertificateActivation.continue_with_loan, LoanContinuation(ACTOR))
    version = (await wait_for_step(p1, "test_set", status="waiting", seconds=60)).version

    await try_step(tally, browser, env, page=p1, workflow_id=p1, update="start_test_set", command="start-test-set",
                   valid={"confirmed_tax_id": "900123456-8"}, fields=CONFIRMATION_FIELDS, cli_target=p1)
    assert ProcessRecord.get_by_id(p1).version == version
    assert Company.get_by_id(company.id).tax_id_locked_at is None, "the NIT was not frozen"
    tally.assert_all_refused()


@pytest.mark.timeout(600)
async def test_p2s_dian_step_refuses_each_bad_value_at_its_field_in_the_console_and_the_cli(
        live_app, signed_in, worker, company, temporal_env, settings, task_queue):
    tally = Tally()
    browser, env = signed_in(live_app, ACTOR), cli_env(settings, temporal_env, task_queue)
    p2 = f"support_document-CO-{company.tax_id}"
    page = (await in_thread(browser.get, f"/admin/company/details/?id={company.id}")).get_data(as_text=True)
    await in_thread(browser.post, "/admin/process/start", data={
        "csrf_token": csrf_from(page), "company_id": company.id, "process_type": "support_document"})
    version = (await wait_for_step(p2, "dian_enablement", status="waiting")).version

    await try_step(tally, browser, env, page=p2, workflow_id=p2, update="confirm_support_document_at_dian",
                   command="ds-enable", fields=REGISTRATION_FIELDS, cli_target=p2,
                   valid={"operation_mode": "own_software", "test_set_id": str(uuid.uuid4()),
                          "software_id": SOFTWARE_ID, "pin": "12345"})
    assert ProcessRecord.get_by_id(p2).version == version and DianSoftware.select().count() == 0
    tally.assert_all_refused()
