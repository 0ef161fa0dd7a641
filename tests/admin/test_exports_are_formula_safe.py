"""CSV exports never hand a spreadsheet a formula: a cell starting with = + - @, a tab or a carriage
return gets a single quote in front (habilita.csv_cells), in the audit log, the process list and a
process's history (the console's and `habilita audit export`'s)."""
from __future__ import annotations

import asyncio
import csv
import io

from click.testing import CliRunner

from habilita.cli import cli
from habilita.csv_cells import inert, inert_row
from habilita.models import AuditEvent, Company, ProcessRecord
from tests.harness import wait_for_step

from .conftest import csrf_from, sign_in

FORMULAS = ['=HYPERLINK("http://evil.example","ver")', "+57 1 234", "-2+3", "@SUM(A1:A9)", "\t=1+2", "\r=1+2"]


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_cell_that_starts_like_a_formula_gets_a_quote_and_others_stay_as_they_are():
    assert [inert(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert [inert(v) for v in ("Panadería", "900123456-8", "", 42, None, "a=b")] == [
        "Panadería", "900123456-8", "", 42, None, "a=b"]
    assert inert_row({"a": "=1", "b": 2}) == {"a": "'=1", "b": 2}


def test_the_audit_log_export_quotes_formulas_in_every_cell(as_role):
    AuditEvent.record(actor=FORMULAS[0], action="=cmd|' /C calc'!A0", target_type="process", target_id="@x",
                      reason="-2+3", detail="+1")
    answer = as_role("auditor").get("/admin/auditevent/export/csv/")
    assert answer.status_code == 200
    (row,) = [r for r in rows_of(answer.get_data(as_text=True)) if "'@x" in r.values()]
    values = list(row.values())
    assert "'" + FORMULAS[0] in values and "'=cmd|' /C calc'!A0" in values and "'@x" in values
    assert "'-2+3" in values and "'+1" in values
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in values), values


def test_the_process_list_export_quotes_formulas(as_role, company):
    # A name stored before the input rules existed: the export must not trust what is in the database.
    Company.update(legal_name="=HYPERLINK(\"http://evil.example\")").where(Company.id == company.id).execute()
    ProcessRecord.create(workflow_id="einvoicing-CO-900123456", process_type="einvoicing", company=company,
                         current_step="dian_registration", status="failed", last_error="@SUM(A1:A9) failed")
    text = as_role("auditor").get("/admin/processrecord/export/csv/").get_data(as_text=True)
    (row,) = rows_of(text)
    values = list(row.values())
    assert "'=HYPERLINK(\"http://evil.example\") (900123456-8)" in values
    assert "'@SUM(A1:A9) failed" in values
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in values), values


async def test_a_processs_history_exports_quote_formulas_in_the_console_and_the_cli(
        live_app, users, worker, company, temporal_env, settings, task_queue):
    browser = live_app.test_client()
    assert sign_in(browser, "onboarding@habilita.test").status_code == 302
    page = (await asyncio.to_thread(browser.get, f"/admin/company/details/?id={company.id}")).get_data(as_text=True)
    await asyncio.to_thread(browser.post, "/admin/process/start", data={
        "csrf_token": csrf_from(page), "company_id": company.id, "process_type": "einvoicing"})
    workflow_id = f"einvoicing-CO-{company.tax_id}"
    await wait_for_step(workflow_id, "dian_registration")
    AuditEvent.record(actor="=cmd|' /C calc'!A0", action="note", target_type="process", target_id=workflow_id,
                      detail="@SUM(A1:A9)")

    console = await asyncio.to_thread(
        lambda: browser.get(f"/admin/history/{workflow_id}/export.csv").get_data(as_text=True))
    env = {"DATABASE_URL": settings.database_url, "HABILITA_VAR": str(settings.var_dir),
           "HABILITA_ENCRYPTION_KEY": settings.encryption_key, "SECRET_KEY": settings.secret_key,
           "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
           "TEMPORAL_NAMESPACE": temporal_env.client.namespace, "TEMPORAL_TASK_QUEUE": task_queue}
    command = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "export", workflow_id, "--format", "csv"],
                                      env=env, catch_exceptions=False)
    assert command.exit_code == 0, command.output

    for text in (console, command.output):
        rows = rows_of(text)
        (note,) = [r for r in rows if r["action"] == "note"]
        assert note["actor"] == "'=cmd|' /C calc'!A0" and note["detail"] == "'@SUM(A1:A9)"
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values() if v), rows
