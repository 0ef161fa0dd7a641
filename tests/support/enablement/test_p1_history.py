"""A finished P1's history export tells every step and every person's action, and no secret."""
from __future__ import annotations

import json
import re

from habilita.support.replay import verify_process
from habilita.support.timeline import build_timeline, export_timeline
from tests.workflows.test_einvoicing_end_to_end import ACTOR, REPRESENTATIVE, finished_own_p1
from habilita.workflows.einvoicing import STEPS

from tests.workflows.conftest import SMALL_SET

PARENT_UPDATES = ("submit dian registration", "start test set", "confirm resolution requested",
                  "confirm prefixes associated", "configure voucher type")
CERTIFICATE_UPDATES = ("choose path", "verify payment", "submit representative")


async def test_the_export_of_a_finished_p1_has_every_step_and_every_human_action_with_its_actor(
        client, task_queue, worker, company, portal, settings, billing_simulator):
    handle, registration = await finished_own_p1(client, task_queue, company, portal, settings, billing_simulator)

    exported = json.loads(export_timeline(await build_timeline(client, handle.id), "json"))

    texts = [row["text"] for row in exported]
    for step in STEPS:
        assert f"step {step.replace('_', ' ').capitalize()} started" in texts, step
    for update in PARENT_UPDATES + CERTIFICATE_UPDATES:
        assert any(t.startswith(f"update {update} by {ACTOR} accepted") for t in texts), update
    assert all(row["actor"] == ACTOR for row in exported if row["kind"] == "update")
    assert "process finished" in texts
    assert f"DIAN accepted {sum(SMALL_SET)}/{sum(SMALL_SET)} documents" in texts
    assert {row["workflow_id"] for row in exported} >= {handle.id, handle.id + "-certificate", handle.id + "-test-set"}
    whole = json.dumps(exported)
    for secret in (registration["pin"], REPRESENTATIVE.document_number, REPRESENTATIVE.phone):
        # Standing alone: a five-digit PIN can occur inside a timestamp's digits.
        assert re.search(rf"(?<!\d){secret}(?!\d)", whole) is None, secret


async def test_a_finished_p1_replays_consistently_against_the_current_code(
        client, task_queue, worker, company, portal, settings, billing_simulator):
    handle, _ = await finished_own_p1(client, task_queue, company, portal, settings, billing_simulator)

    verdict = await verify_process(client, handle.id)

    assert verdict.consistent, verdict.summary()
