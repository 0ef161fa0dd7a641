"""A small process for support drills: every way a process gets stuck, on demand.

Steps: ``collect`` (waits on staff for ``provide``), ``dian_submission``
(uploads one document to the DIAN simulator, retried until DIAN answers),
``voucher`` (creates a voucher type row), ``confirm`` (waits on staff,
skippable), then done. ``break_at`` names a step whose workflow task fails
every time, the way a bug in workflow code does.

Its two side effects are keyed on workflow id + step, as every real one
must be, so a support reset replays them without repeating them.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, is_cancelled_exception

from habilita.workflows.process import AuditEntry, ProcessTracker
from habilita.workflows.support import SkippableSteps

with workflow.unsafe.imports_passed_through():
    from habilita.models import AuditEvent, NumberingResolution, VoucherType
    from habilita.models.base import write_transaction

PROCESS_TYPE = "drill"
STEPS = ("collect", "dian_submission", "voucher", "confirm")


@dataclass(frozen=True)
class DrillStart:
    company_id: int
    company_tax_id: str
    test_set_id: str
    break_at: str = ""
    # While it waits on staff at ``collect``: ask DIAN in the background (a
    # retry that no person waits on; as a local activity, inside the workflow
    # task, as the worker runs its own short writes), or run a check that can
    # never succeed.
    ask_dian_while_collecting: bool = False
    ask_dian_locally: bool = False
    impossible_check: bool = False


@dataclass(frozen=True)
class DrillInput:
    actor: str
    note: str = ""


@dataclass(frozen=True)
class LetterUpload:
    actor: str
    size_bytes: int


@dataclass(frozen=True)
class DianSubmission:
    workflow_id: str
    test_set_id: str


@dataclass(frozen=True)
class VoucherRequest:
    workflow_id: str
    company_id: int


def submission_key(workflow_id: str) -> str:
    return f"{workflow_id}:dian_submission"


def submission_zip(workflow_id: str) -> bytes:
    """One document whose content names the workflow, so the simulator's receipt does too."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("drill.xml", f"<Drill><Workflow>{workflow_id}</Workflow></Drill>")
    return buffer.getvalue()


class DrillActivities:
    def __init__(self, dian_client):
        self._dian = dian_client

    @activity.defn
    def submit_to_dian(self, request: DianSubmission) -> str:
        """Upload once per workflow: a row keyed on workflow id + step proves it was done."""
        key = submission_key(request.workflow_id)
        done = AuditEvent.get_or_none(AuditEvent.source_key == key)
        if done is not None:
            return done.detail
        answer = self._dian.send_test_set_async(file_name="drill.zip", zip_bytes=submission_zip(request.workflow_id),
                                                test_set_id=request.test_set_id)
        AuditEvent.record(actor="system", action="dian submission", target_type="process",
                         target_id=request.workflow_id, detail=answer.zip_key, source_key=key)
        return answer.zip_key

    @activity.defn
    def check_note(self, workflow_id: str) -> None:
        """A check that fails the same way however often it runs (bad data, not a network)."""
        raise ValueError(f"the note of {workflow_id} cannot be read")

    @activity.defn
    def create_voucher(self, request: VoucherRequest) -> int:
        with write_transaction():
            resolution, _ = NumberingResolution.get_or_create(
                company=request.company_id, purpose="invoice", resolution_number="18760000001", prefix="SETT",
                defaults=dict(resolution_date=dt.date(2019, 1, 19), range_from=1, range_to=5_000_000,
                              valid_from=dt.date(2019, 1, 19), valid_to=dt.date(2030, 1, 19)))
            voucher, _ = VoucherType.get_or_create(
                source_key=f"{request.workflow_id}:voucher",
                defaults=dict(company=request.company_id, document_kind="invoice", resolution=resolution,
                              prefix="SETT", range_from=1, range_to=5_000_000, next_number=1, created_by="system"))
        return voucher.id


@workflow.defn
class DrillProcess(SkippableSteps):
    SKIPPABLE_STEPS = frozenset({"confirm"})

    def __init__(self) -> None:
        self._tracker: ProcessTracker | None = None
        self._provided: DrillInput | None = None
        self._confirmed: DrillInput | None = None
        self._break_at = ""

    @workflow.run
    async def run(self, start: DrillStart) -> str:
        self._break_at = start.break_at
        self._tracker = ProcessTracker(process_type=PROCESS_TYPE, company_id=start.company_id,
                                       company_tax_id=start.company_tax_id)
        try:
            return await self._steps(start)
        except BaseException as exc:
            # Cancelled while an activity runs arrives as an ActivityError
            # caused by the cancellation, not as CancelledError itself.
            if is_cancelled_exception(exc):
                await self._tracker.finish("cancelled")
            raise

    async def _steps(self, start: DrillStart) -> str:
        info = workflow.info()
        await self._enter("collect", waiting_on="staff")
        if start.impossible_check:
            await workflow.execute_activity_method(DrillActivities.check_note, info.workflow_id,
                                                   start_to_close_timeout=timedelta(seconds=10))
        if start.ask_dian_while_collecting:
            ask = workflow.execute_local_activity_method if start.ask_dian_locally else workflow.execute_activity_method
            asyncio.create_task(ask(
                DrillActivities.submit_to_dian, DianSubmission(info.workflow_id, start.test_set_id),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=1))))
        await workflow.wait_condition(lambda: self._provided is not None)
        await self._tracker.audit(AuditEntry(actor=self._provided.actor, action="provide", target_id=info.workflow_id))
        await self._enter("dian_submission", waiting_on="dian")
        await workflow.execute_activity_method(
            DrillActivities.submit_to_dian, DianSubmission(info.workflow_id, start.test_set_id),
            start_to_close_timeout=timedelta(seconds=10),
            # Steep backoff: after three quick failures the next attempt is
            # 20 s away, so only "retry now" moves the process on promptly.
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), backoff_coefficient=10,
                                     maximum_interval=timedelta(minutes=10)),
            summary="upload the document to DIAN")
        await self._enter("voucher")
        await workflow.execute_activity_method(
            DrillActivities.create_voucher, VoucherRequest(info.workflow_id, start.company_id),
            start_to_close_timeout=timedelta(seconds=10), summary="create the voucher type")
        await self._enter("confirm", waiting_on="staff")
        await workflow.wait_condition(lambda: self._confirmed is not None or self.skip_requested("confirm"))
        skipped = self.skip_of("confirm")
        if skipped is not None:
            await self._tracker.audit(AuditEntry(actor=skipped.actor, action="skip confirm",
                                                 target_id=info.workflow_id, reason=skipped.reason))
        await self._tracker.finish("completed")
        return "done"

    async def _enter(self, step: str, *, waiting_on: str = "") -> None:
        await self._tracker.enter(step, waiting_on=waiting_on)
        if step == self._break_at:
            # Any exception other than a Temporal failure fails the workflow
            # task, which Temporal retries for ever: a bug in workflow code.
            raise RuntimeError(f"drill bug at step {step}")

    @workflow.update
    async def provide(self, data: DrillInput) -> None:
        self._provided = data

    @provide.validator
    def _validate_provide(self, data: DrillInput) -> None:
        # "Not yet past collect", not "at collect": an update re-applied by a
        # reset reaches the validator before the new run re-enters the step.
        step = self._tracker.step if self._tracker else ""
        if step not in ("", "collect") or self._provided is not None:
            raise ValueError(f"provide is not possible at step {step}")

    @workflow.update
    async def upload_letter(self, upload: LetterUpload) -> None:
        # Refused in the handler, not the validator, so the refusal is in the
        # history the way a check that needs an activity would put it there.
        if upload.size_bytes > 1_000_000:
            raise ApplicationError(f"file is {upload.size_bytes / 1_000_000:.1f} MB; at most 1 MB",
                                   type="InvalidInput", non_retryable=True)

    @workflow.update
    async def confirm(self, data: DrillInput) -> None:
        self._confirmed = data

    @confirm.validator
    def _validate_confirm(self, data: DrillInput) -> None:
        if self._tracker is None or self._tracker.step != "confirm":
            raise ValueError("confirm is only possible at step confirm")
