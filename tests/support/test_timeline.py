"""A process's history reads as one timeline in plain words, exports cleanly and keeps secrets out."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory, WorkflowUpdateFailedError

from habilita.adapters.codec import data_converter
from habilita.messages import Message
from habilita.support.actions import Acting, SupportActions
from habilita.support.narrate import Narrator
from habilita.support.timeline import build_timeline, export_timeline, filter_timeline, original_history_json
from tests.workflows.conftest import TEST_ENCRYPTION_KEY

from .conftest import wait_for_step
from .drill import DrillInput, DrillProcess, LetterUpload

SECRET_NOTE = "portal password Zebra-Quartz-Mango"
P1_HISTORIES = Path(__file__).parent.parent / "workflows" / "histories"


async def finished_drill(client, start_drill):
    """provide (by ana, with a secret note), a refused upload, a skip by support: completed."""
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")
    await handle.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co", note=SECRET_NOTE))
    await wait_for_step(handle.id, "confirm")
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(DrillProcess.upload_letter, LetterUpload(actor="ana@example.co",
                                                                             size_bytes=2_100_000))
    await SupportActions(client).skip_step(handle.id, "confirm", Acting("sofia@habilita.co", "company confirmed by phone"))
    await handle.result()
    return handle


async def test_the_timeline_tells_steps_people_and_support_in_order(client, support_worker, start_drill):
    handle = await finished_drill(client, start_drill)

    timeline = await build_timeline(client, handle.id)
    texts = [e.text for e in timeline]

    expected_in_order = [
        "process DrillProcess started",
        "step Collect started",
        "update provide by ana@example.co accepted",
        "step Dian submission started",
        "submit to dian done",
        "step Voucher started",
        "create voucher done",
        "step Confirm started",
        "update upload letter by ana@example.co rejected: file is 2.1 MB; at most 1 MB",
        "update skip step by sofia@habilita.co accepted, step Confirm, reason company confirmed by phone",
        "skip confirm; reason: company confirmed by phone",
        "process completed",
        "process finished",
    ]
    positions = [next((i for i, t in enumerate(texts) if t == wanted), None) for wanted in expected_in_order]
    assert None not in positions, [w for w, p in zip(expected_in_order, positions) if p is None]
    assert positions == sorted(positions)
    # Each Temporal line is a message (its text is its English rendering); machine names stay machine names.
    told = {e.message.code: e.message.params for e in timeline if e.source == "temporal"}
    assert told["timeline.step_started"]["step"] in {"collect", "dian_submission", "voucher", "confirm"}
    assert told["timeline.update_rejected"]["update"] == "upload_letter"
    assert told["timeline.update_accepted_with"]["update"] == "skip_step"
    # An activity is named by its type (the workflow's English summary is for Temporal's UI only).
    assert "upload the document to DIAN" not in " ".join(texts)
    assert all(e.message is None for e in timeline if e.source == "audit")


async def test_secrets_never_reach_the_timeline_its_exports_or_the_raw_history(client, support_worker, start_drill):
    handle = await finished_drill(client, start_drill)
    timeline = await build_timeline(client, handle.id)

    for text in (export_timeline(timeline, "json"), export_timeline(timeline, "csv"),
                 await original_history_json(client, handle.id)):
        assert "Zebra-Quartz" not in text


async def test_the_timeline_filters_by_actor_and_exports_as_json_and_csv(client, support_worker, start_drill):
    handle = await finished_drill(client, start_drill)
    timeline = await build_timeline(client, handle.id)

    by_sofia = filter_timeline(timeline, actor="sofia@")
    as_json = json.loads(export_timeline(by_sofia, "json"))
    as_csv = list(csv.DictReader(io.StringIO(export_timeline(by_sofia, "csv"))))

    assert by_sofia and all(e.actor == "sofia@habilita.co" for e in by_sofia)
    assert {e.source for e in by_sofia} == {"temporal", "audit"}
    assert [row["text"] for row in as_json] == [row["text"] for row in as_csv] == [e.text for e in by_sofia]
    assert as_json[0]["at"].endswith("Z")
    # A Temporal line exports its message too: the code, and its parameters (as JSON in the CSV).
    skip = next(i for i, e in enumerate(by_sofia) if e.source == "temporal")
    assert as_json[skip]["code"] == as_csv[skip]["code"] == "timeline.update_accepted_with"
    assert json.loads(as_csv[skip]["params"]) == as_json[skip]["params"]
    assert as_json[skip]["params"]["actor"] == "sofia@habilita.co"


async def test_a_reset_shows_in_the_timeline_with_who_and_why_and_both_runs(client, support_worker, start_drill):
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")
    await handle.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))
    await wait_for_step(handle.id, "confirm")
    result = await SupportActions(client).reset_to_step(
        handle.id, "voucher", Acting("sofia@habilita.co", "voucher numbering was wrong"))
    assert result.ok, result.message

    timeline = await build_timeline(client, handle.id)

    resets = filter_timeline(timeline, kind="support", text="reset")
    assert len(resets) == 1 and "sofia@habilita.co: voucher numbering was wrong" in resets[0].text
    assert len({e.run_id for e in timeline if e.source == "temporal"}) == 2
    assert len(filter_timeline(timeline, text="step Collect started")) == 1


async def told_activities(path: Path) -> tuple[list[Message], Narrator]:
    narrator = Narrator(data_converter(TEST_ENCRYPTION_KEY))
    told = await narrator.narrate(WorkflowHistory.from_json("einvoicing-CO-900123456", path.read_text()))
    return [t.message for t in told if t.kind == "activity"], narrator


async def test_a_local_activity_reads_in_the_timeline_as_its_regular_activity_did():
    """The same enablement recorded before and after its bookkeeping (the NIT lock, the stored
    registration, the notification, the audit entries) became local activities tells the same activities."""
    local, narrator = await told_activities(P1_HISTORIES / "p1-own-einvoicing.json")
    regular, before = await told_activities(P1_HISTORIES / "before-local-bookkeeping" / "p1-own-einvoicing.json")

    assert local == regular
    for activity_type in ("lock_tax_id", "save_software", "notify"):
        assert Message("timeline.activity_done", {"what": Message(f"activity.{activity_type}")}) in local
    # The audit entries it wrote are placed at their markers; the projections and audits are not told.
    assert len(narrator.audit_markers) == 3 and not before.audit_markers
    assert not any("project" in str(m.params) or "record_audit" in str(m.params) for m in local)
