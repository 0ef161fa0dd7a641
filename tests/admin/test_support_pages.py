"""The support queue and history pages: support acts, auditors read, the server checks the role."""
from __future__ import annotations

import asyncio
import csv
import io
import json
import re

from habilita.messages.event_codes import EVENTS
from habilita.models import AuditEvent, ProcessRecord
from tests.support.conftest import (  # noqa: F401 (fixtures)
    dian_company, dian_faults, dian_sim, start_drill, support_worker, wait_for, wait_for_step,
)
from tests.support.drill import DrillInput, DrillProcess
from habilita.worker import build_worker
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, StartEnablement
from tests.support.test_workers import serving

from .conftest import csrf_from

TEST_SET_ID = "8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"
SOFTWARE_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
PIN = "48213"


async def failing_at_dian(client, start_drill, dian_faults, how_many=1):
    dian_faults(fail_always=True)
    handles = [await start_drill() for _ in range(how_many)]
    for handle in handles:
        await wait_for_step(handle.id, "collect")
        await handle.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))
    for handle in handles:
        await wait_for(lambda: _attempts(handle, 3), "three failed attempts")
    return handles


async def _attempts(handle, attempt):
    return any(p.attempt >= attempt for p in (await handle.describe()).raw_description.pending_activities)


def shows(number: str, text: str) -> bool:
    """``number`` standing alone in ``text`` (not inside a longer run of digits, like a timestamp)."""
    return re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text) is not None


def in_thread(function, *args, **kwargs):
    """Flask's test client blocks; the console's Temporal bridge needs this loop free meanwhile."""
    return asyncio.to_thread(function, *args, **kwargs)


async def test_support_sees_why_a_process_is_stuck_and_retries_it_now(
        live_app, as_role, client, support_worker, start_drill, dian_faults, users):
    (handle,) = await failing_at_dian(client, start_drill, dian_faults)
    browser = as_role("support", live_app)

    page = await in_thread(browser.get, "/admin/support/?signal=activity_retrying")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-workflow-id="{handle.id}"' in html and "HTTP 503" in html
    dian_faults()
    token = csrf_from(html)
    preview = await in_thread(browser.post, "/admin/support/preview", data={
        "csrf_token": token, "action": "retry", "workflow_id": handle.id, "reason": "DIAN is back"})
    assert 'data-count="1"' in preview.get_data(as_text=True)
    done = await in_thread(browser.post, "/admin/support/run", data={
        "csrf_token": csrf_from(preview.get_data(as_text=True)), "action": "retry", "workflow_id": handle.id,
        "reason": "DIAN is back"})

    assert 'data-done="1" data-refused="0" data-total="1"' in done.get_data(as_text=True)
    await wait_for_step(handle.id, "confirm", seconds=8)
    row = AuditEvent.get(AuditEvent.action == "support: retry now")
    assert (row.actor, row.reason, row.outcome) == (users["support"].email, "DIAN is back", "ok")


async def test_a_bulk_action_over_the_filter_says_how_many_first_and_reports_each(
        live_app, as_role, client, support_worker, start_drill, dian_faults):
    handles = await failing_at_dian(client, start_drill, dian_faults, how_many=3)
    browser = as_role("admin", live_app)
    token = csrf_from((await in_thread(browser.get, "/admin/support/")).get_data(as_text=True))

    preview = await in_thread(browser.post, "/admin/support/preview", data={
        "csrf_token": token, "action": "cancel", "scope": "filtered", "signal": "activity_retrying",
        "step": "dian_submission", "reason": "duplicates"})
    html = preview.get_data(as_text=True)
    assert 'data-count="3"' in html
    done = await in_thread(browser.post, "/admin/support/run", data={
        "csrf_token": csrf_from(html), "action": "cancel", "reason": "duplicates",
        "workflow_id": [h.id for h in handles] + ["drill-gone"]})

    text = done.get_data(as_text=True)
    assert 'data-done="3" data-refused="1" data-total="4"' in text
    assert "no encontrado:" in text, "what the server said, in the console's language"
    for handle in handles:
        await wait_for_step(handle.id, "dian_submission", status="cancelled")


async def test_an_auditor_reads_the_queue_but_the_server_refuses_an_action(
        live_app, as_role, client, support_worker, start_drill):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")
    browser = as_role("auditor", live_app)
    page = await in_thread(browser.get, "/admin/support/")
    assert page.status_code == 200 and 'name="workflow_id"' not in page.get_data(as_text=True)

    refused = await in_thread(browser.post, "/admin/support/run", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "action": "cancel", "workflow_id": handle.id,
        "reason": "I should not"})

    assert refused.status_code == 403
    await asyncio.sleep(0.5)
    assert ProcessRecord.get_by_id(handle.id).status == "waiting"
    assert AuditEvent.get(AuditEvent.outcome == "refused").actor == "auditor@habilita.test"


async def test_the_history_page_tells_the_story_verifies_it_and_exports_without_secrets(
        live_app, as_role, client, worker, company, task_queue):
    handle = await client.start_workflow(
        EInvoicingEnablement.run,
        StartEnablement(company_id=company.id, company_tax_id=company.display_tax_id, started_by="ana@example.co"),
        id=f"einvoicing-history-{task_queue}", task_queue=task_queue)
    await wait_for_step(handle.id, "dian_registration")
    await handle.execute_update(EInvoicingEnablement.submit_dian_registration, DianRegistration(
        actor="ana@example.co", operation_mode="own_software", test_set_id=TEST_SET_ID, software_id=SOFTWARE_ID,
        pin=PIN))
    await wait_for_step(handle.id, "certificate")
    browser = as_role("auditor", live_app)

    page = (await in_thread(browser.get, f"/admin/history/{handle.id}")).get_data(as_text=True)
    as_json = json.loads((await in_thread(browser.get, f"/admin/history/{handle.id}/export.json")).get_data())
    as_csv = (await in_thread(browser.get, f"/admin/history/{handle.id}/export.csv?actor=ana")).get_data(as_text=True)
    original = (await in_thread(browser.get, f"/admin/history/{handle.id}/temporal.json")).get_data(as_text=True)

    assert 'data-consistent="true"' in page
    # The page speaks the console's language; the exports keep the message and its English words.
    assert "comenzó el paso Registro en la DIAN" in page and "comenzó el paso Certificado digital" in page
    assert "ana@example.co: «Guardar el registro en la DIAN» aceptado" in page
    assert "modo Software propio, set de pruebas " + TEST_SET_ID in page, "the workflow's audit detail, in words"
    assert not [code for code in EVENTS if code in page], "a message shows as its code"
    started = next(row for row in as_json if row["text"] == "step Certificate started")
    assert (started["code"], started["params"]) == ("timeline.step_started", {"step": "certificate"})
    assert all(row["actor"] == "ana@example.co" for row in csv.DictReader(io.StringIO(as_csv)))
    assert json.loads(original)["runs"][0]["history"]["events"]
    for text in (page, json.dumps(as_json), as_csv, original):
        assert not shows(PIN, text)
    await handle.terminate("test over")


async def test_support_picks_the_step_to_skip_or_reset_from_the_declared_steps_in_words(live_app, as_role):
    from habilita.processes import DECLARATIONS

    html = (await in_thread(as_role("support", live_app).get, "/admin/support/")).get_data(as_text=True)

    offered = re.findall(r'<select name="target_step".*?</select>', html, re.S)
    assert offered, "the step is chosen from a list, not typed"
    values = re.findall(r'<option value="(\w+)">([^<]+)</option>', offered[0])
    assert {v for v, _ in values} == {s for d in DECLARATIONS.values() for s in d.step_names}
    assert ("numbering_resolution", "Resolución de numeración") in values


async def test_a_review_or_run_that_cannot_go_ahead_says_why_and_never_answers_500(live_app, as_role):
    browser = as_role("support", live_app)
    token = csrf_from((await in_thread(browser.get, "/admin/support/")).get_data(as_text=True))
    expired = "El formulario expiró o no indicó ninguna acción; no se hizo nada."
    cases = [
        ("/admin/support/preview", {}, expired),
        ("/admin/support/preview", {"csrf_token": token, "action": "nope"}, expired),
        ("/admin/support/preview", {"csrf_token": token, "action": "retry"}, "Elija al menos un proceso."),
        ("/admin/support/preview", {"csrf_token": token, "action": "retry", "scope": "filtered",
                                    "signal": "no-such-signal"}, "Elija al menos un proceso."),
        ("/admin/support/run", {"csrf_token": token}, expired),
        ("/admin/support/run", {"csrf_token": token, "action": "retry", "workflow_id": "x"},
         "Se requiere un motivo: no se hizo nada."),
    ]
    for path, form, said in cases:
        answer = await in_thread(browser.post, path, data=form)
        assert answer.status_code == 302 and answer.location.endswith("/admin/support/"), (path, form)
        page = (await in_thread(browser.get, "/admin/support/")).get_data(as_text=True)
        assert said in page, (path, form)


async def test_the_queue_says_above_the_processes_when_no_worker_serves_the_task_queue(
        live_app, as_role, client, settings, task_queue, users):
    browser = as_role("support", live_app)
    html = (await in_thread(browser.get, "/admin/support/")).get_data(as_text=True)
    assert 'id="no-worker"' in html
    assert f"Ningún worker atiende la cola de tareas {task_queue}" in html

    async with build_worker(client, settings, task_queue=task_queue):
        await serving(client, task_queue)
        page = await in_thread(browser.get, "/admin/support/")
    assert page.status_code == 200 and 'id="no-worker"' not in page.get_data(as_text=True)
