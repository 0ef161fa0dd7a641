"""Every stored P1 history replays against the current workflow code.

``histories/p1-*.json`` are the histories of finished P1 runs (both certificate
paths) and of their children, recorded on the dev server against the DIAN
and billing simulators; each folder below ``histories/`` keeps a generation of
them recorded before a change (``before-local-bookkeeping/``: audit entries,
notifications, the NIT lock and the stored registration and representative
were regular activities; ``before-local-projection/``: the projection
was a regular activity; ``before-one-package/``: recorded before the code
moved into the one ``habilita`` package and its messages became codes), which
the current code must still replay. ``histories/workflow_ids.json`` names the workflow id each was
recorded under (a parent's history holds its children's ids, so
a replay under another id would itself look non-deterministic). Replaying
them with the worker's own workflows, sandbox and data converter fails CI when a
change would make running processes decide differently (non-determinism);
``changed_test_set.py`` is such a change, and its replay is shown to fail.

When a change to a workflow is deliberate (and versioned with
``workflow.patched``), or a new P1 step is added, move the current fixtures
into a folder named for what changed, record them again and commit both::

    HABILITA_RECORD_HISTORIES=1 .venv/bin/python -m pytest tests/workflows/test_replay.py -k record

The recording test is skipped unless that variable is set.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from habilita.activities.uploads import receive_signed_letter
from habilita.adapters.codec import data_converter
from habilita.worker import WORKFLOWS, workflow_runner
from habilita.models import StoredFile
from habilita.workflows.test_set import TestSetSubmission
from habilita.workflows.certificate import (
    CertificateActivation, CertificatePathChoice, LoanContinuation, SignedLetterUpload,
)

from tests.harness import TEST_BOX

from .changed_test_set import TestSetSubmissionThatWaitsFirst
from .conftest import TEST_ENCRYPTION_KEY, wait_for_step
from .test_einvoicing_end_to_end import (
    ACTOR, REPRESENTATIVE, finish_after_certificate, finished_own_p1, register, start_p1,
)

HISTORIES = Path(__file__).parent / "histories"
RECORDING = os.environ.get("HABILITA_RECORD_HISTORIES") == "1"
# What a complete set of fixtures covers: every workflow P1 runs.
P1_WORKFLOW_TYPES = {"EInvoicingEnablement", "CertificateActivation", "TestSetSubmission", "OwnCertificateReminder"}


WORKFLOW_IDS = HISTORIES / "workflow_ids.json"


def stored_histories() -> list[Path]:
    return sorted(HISTORIES.rglob("p1-*.json"))


def fixture_name(path: Path) -> str:
    return path.relative_to(HISTORIES).with_suffix("").as_posix()


def generations() -> dict[Path, list[Path]]:
    found: dict[Path, list[Path]] = {}
    for path in stored_histories():
        found.setdefault(path.parent, []).append(path)
    return found


def load(path: Path) -> WorkflowHistory:
    workflow_id = json.loads(WORKFLOW_IDS.read_text())[fixture_name(path)]
    return WorkflowHistory.from_json(workflow_id, path.read_text())


def workflow_type(path: Path) -> str:
    first = json.loads(path.read_text())["events"][0]
    return first["workflowExecutionStartedEventAttributes"]["workflowType"]["name"]


def test_each_generation_of_histories_covers_both_certificate_paths_and_every_p1_workflow():
    assert HISTORIES in generations(), "the histories of the current code are missing"
    for folder, paths in generations().items():
        assert {p.stem.split("-")[1] for p in paths} == {"own", "loan"}, folder
        assert {workflow_type(p) for p in paths} == P1_WORKFLOW_TYPES, folder


@pytest.mark.parametrize("path", stored_histories(), ids=fixture_name)
async def test_a_stored_p1_history_replays_without_nondeterminism(path):
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(TEST_ENCRYPTION_KEY),
                        workflow_runner=workflow_runner())

    result = await replayer.replay_workflow(load(path), raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


async def test_a_workflow_changed_without_versioning_fails_the_replay():
    workflows = [w for w in WORKFLOWS if w is not TestSetSubmission] + [TestSetSubmissionThatWaitsFirst]
    replayer = Replayer(workflows=workflows, data_converter=data_converter(TEST_ENCRYPTION_KEY),
                        workflow_runner=workflow_runner())

    result = await replayer.replay_workflow(load(HISTORIES / "p1-own-test-set.json"), raise_on_replay_failure=False)

    assert "Nondeterminism" in str(result.replay_failure)


async def finished_loan_p1(client, task_queue, company, portal, settings):
    """P1 on the loaned certificate, the letter uploaded twice, to enabled."""
    handle = await start_p1(client, task_queue, company, settings)
    await register(handle, portal, company, provider_nit=settings.provider_nit)
    child = client.get_workflow_handle(handle.id + "-certificate")
    await wait_for_step(child.id, "choose_path")
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "loan"))
    await wait_for_step(child.id, "representative", status="waiting")
    letter = await child.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
    pdf = StoredFile.get_by_id(letter.stored_file_id).read(TEST_BOX)
    await wait_for_step(child.id, "signed_letter", status="waiting")
    for content in (pdf, pdf + b"\n% rescanned\n"):
        staged = receive_signed_letter(content, "carta-firmada.pdf", box=TEST_BOX)
        await child.execute_update(CertificateActivation.upload_signed_letter,
                                   SignedLetterUpload(ACTOR, staged.stored_file_id, staged.sha256))
    await child.execute_update(CertificateActivation.continue_with_loan, LoanContinuation(ACTOR))
    await finish_after_certificate(client, handle, portal, company, prefix="SETT")
    return handle


async def save(client, workflow_id: str, name: str) -> None:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    (HISTORIES / f"{name}.json").write_text(history.to_json())
    ids = json.loads(WORKFLOW_IDS.read_text()) if WORKFLOW_IDS.exists() else {}
    WORKFLOW_IDS.write_text(json.dumps({**ids, name: workflow_id}, indent=2, sort_keys=True) + "\n")


record = pytest.mark.skipif(not RECORDING, reason="set HABILITA_RECORD_HISTORIES=1 to record the replay fixtures")


@record
async def test_record_the_own_certificate_histories(client, task_queue, worker, company, portal, settings,
                                                    billing_simulator):
    own, _ = await finished_own_p1(client, task_queue, company, portal, settings, billing_simulator)
    for suffix in ("", "-certificate", "-test-set"):
        await save(client, own.id + suffix, "p1-own" + (suffix or "-einvoicing"))


@record
async def test_record_the_loaned_certificate_histories(client, task_queue, worker, company, portal, settings):
    loan = await finished_loan_p1(client, task_queue, company, portal, settings)
    reminder = client.get_workflow_handle(loan.id + "-own-certificate-reminder")
    # Its first timer is 30 days away: end it so its history is final.
    await reminder.terminate("recorded as a replay fixture")
    for suffix in ("", "-certificate", "-test-set", "-own-certificate-reminder"):
        await save(client, loan.id + suffix, "p1-loan" + (suffix or "-einvoicing"))
