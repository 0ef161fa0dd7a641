"""Support's actions on a process: retry now, resume, reset to a step, skip a step, cancel.

Every action names its actor and reason, is recorded as an ``AuditEvent``
(done or refused, with the server's reason), and answers an
:class:`ActionResult` instead of raising when Temporal or the workflow
refuses it, so a bulk run can report every process. What it says is a
message (a catalog code), rendered in the reader's language by the console
and the CLI; the audit row keeps it as JSON (``habilita.messages.stored``).
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import ResetReapplyExcludeType, ResetReapplyType
from temporalio.api.workflowservice.v1 import ResetActivityRequest, ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError, RPCStatusCode

from habilita.messages import Message, Problem
from habilita.messages.stored import as_text
from habilita.models import AuditEvent, ProcessRecord, utcnow
from habilita.models.process import RETRY_CLEARED
from habilita.processes.refusals import refusal_from
from habilita.workflows.support import SKIP_STEP_UPDATE, SkipStep

from .errors import MissingReason, SupportError
from .reset_points import StepStart, step_reset_point

REAPPLY_EXCLUDES = {
    "signal": ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL,
    "update": ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
}
# What a reset re-applies, in words.
REAPPLIED = {"signal": "support.reapplied_signals", "update": "support.reapplied_updates"}
BULK_CONCURRENCY = 10


@dataclass(frozen=True)
class ActionResult:
    """One process's outcome: what was done, or why it was refused (``message``)."""

    workflow_id: str
    action: str
    ok: bool
    message: Message


@dataclass(frozen=True)
class Acting:
    """Who acts and why: required on every support action."""

    actor: str
    reason: str

    def __post_init__(self) -> None:
        if not (self.actor or "").strip():
            raise MissingReason("support.actor_required")
        if not (self.reason or "").strip():
            raise MissingReason("support.reason_required")


class SupportActions:
    """The actions, on one Temporal client."""

    def __init__(self, client: Client, *, identity: str = "habilita-support"):
        self.client = client
        self.identity = identity

    async def retry_now(self, workflow_id: str, acting: Acting) -> ActionResult:
        """Reset the attempts of every retrying activity so it runs again at once."""
        async def act() -> Message:
            described = await self.client.get_workflow_handle(workflow_id).describe()
            retrying = [p for p in described.raw_description.pending_activities
                        if p.attempt > 1 or p.HasField("last_failure")]
            if not retrying:
                raise SupportError("support.nothing_retrying")
            for pending in retrying:
                await self.client.workflow_service.reset_activity(ResetActivityRequest(
                    namespace=self.client.namespace, execution=WorkflowExecution(workflow_id=workflow_id),
                    identity=self._identity(acting), id=pending.activity_id))
            return Message("support.retried", {"activities": [
                Message("support.retried_activity", {"activity": p.activity_type.name, "attempt": p.attempt})
                for p in retrying]})
        return await self._run("retry now", workflow_id, acting, act)

    async def resume(self, workflow_id: str, update: str, payload, acting: Acting) -> ActionResult:
        """Send ``update`` (the one the step waits for) with its form's dataclass."""
        async def act() -> Message:
            await self.client.get_workflow_handle(workflow_id).execute_update(update, payload)
            return Message("support.resumed", {"update": update})
        return await self._run(f"resume ({update})", workflow_id, acting, act)

    async def skip_step(self, workflow_id: str, step: str, acting: Acting) -> ActionResult:
        """Ask the workflow to skip ``step``; its validator refuses unless the step is skippable and current."""
        async def act() -> Message:
            await self.client.get_workflow_handle(workflow_id).execute_update(
                SKIP_STEP_UPDATE, SkipStep(actor=acting.actor, step=step, reason=acting.reason))
            return Message("support.skipped", {"step": step})
        return await self._run(f"skip {step}", workflow_id, acting, act)

    async def cancel(self, workflow_id: str, acting: Acting) -> ActionResult:
        """Ask the workflow to cancel; it records its own final state."""
        async def act() -> Message:
            await self.client.get_workflow_handle(workflow_id).cancel()
            return Message("support.cancel_requested")
        return await self._run("cancel", workflow_id, acting, act)

    async def reset_to_step(self, workflow_id: str, step: str, acting: Acting, *,
                            exclude: Iterable[str] = ()) -> ActionResult:
        """Reset to where ``step`` began; ``exclude`` names what not to re-apply ("signal", "update")."""
        excluded = [REAPPLY_EXCLUDES[kind] for kind in exclude]

        async def act() -> Message:
            # Pin the run: the reset point's event id means something only in
            # the history it was read from.
            run_id = (await self.client.get_workflow_handle(workflow_id).describe()).run_id
            history = await self.client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
            point = step_reset_point(history, step)
            asked_at = utcnow()
            answer = await self.client.workflow_service.reset_workflow_execution(ResetWorkflowExecutionRequest(
                namespace=self.client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
                reason=f"{acting.actor}: {acting.reason}", workflow_task_finish_event_id=point.event_id,
                request_id=str(uuid.uuid4()), reset_reapply_exclude_types=excluded,
                # The default re-applies signals only: updates were dropped even when not excluded.
                reset_reapply_type=ResetReapplyType.RESET_REAPPLY_TYPE_ALL_ELIGIBLE,
                identity=self._identity(acting)))
            if point.waits_on_person:
                project_waiting_again(workflow_id, answer.run_id, point, asked_at)
            kept = [Message(REAPPLIED[kind]) for kind in sorted(set(REAPPLY_EXCLUDES) - set(exclude))]
            return Message("support.reset", {"step": step, "event": point.event_id, "run": answer.run_id,
                                             "reapplied": kept or Message("support.reapplied_nothing")})
        return await self._run(f"reset to {step}", workflow_id, acting, act)

    async def _run(self, action: str, workflow_id: str, acting: Acting,
                   act: Callable[[], Awaitable[Message]]) -> ActionResult:
        try:
            message = await act()
        except (SupportError, RPCError, WorkflowUpdateFailedError, TemporalError) as exc:
            result = ActionResult(workflow_id, action, False, refusal_message(exc))
        else:
            result = ActionResult(workflow_id, action, True, message)
        AuditEvent.record(actor=acting.actor, action=f"support: {action}", target_type="process",
                          target_id=workflow_id, reason=acting.reason,
                          outcome="ok" if result.ok else "refused", detail=as_text(result.message))
        return result

    def _identity(self, acting: Acting) -> str:
        return f"{self.identity} for {acting.actor}"


def project_waiting_again(workflow_id: str, run_id: str, point: StepStart, asked_at) -> None:
    """The new run stands at ``point.step`` waiting, as the old one did there: say so in the projection
    at once. Versioned at the time the reset was asked, so whatever the new run projects itself (later in
    workflow time) wins, and nothing of the old run does."""
    version = asked_at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "#000000"
    ProcessRecord.update({
        **RETRY_CLEARED, ProcessRecord.run_id: run_id, ProcessRecord.current_step: point.step,
        ProcessRecord.status: "waiting", ProcessRecord.waiting_on: point.waiting_on,
        ProcessRecord.step_entered_at: (point.entered_at or asked_at).replace(tzinfo=None),
        ProcessRecord.last_error: "", ProcessRecord.completed_at: None, ProcessRecord.updated_at: asked_at,
        ProcessRecord.version: version,
    }).where((ProcessRecord.workflow_id == workflow_id) & (ProcessRecord.version < version)).execute()


def refusal_message(exc: BaseException) -> Message:
    """Why the action was refused: the workflow's problems field by field, else the server's own words."""
    if isinstance(exc, SupportError):
        return exc.message
    if isinstance(exc, RPCError):
        if exc.status == RPCStatusCode.NOT_FOUND:
            return Message("support.not_found", {"error": exc.message})
        return Message("support.server_refused", {"grpc_status": exc.status.name.lower().replace("_", " "),
                                                  "error": exc.message})
    refusal = refusal_from(exc)
    if refusal.problems:
        return Message("support.refused", {"problems": [_said(p) for p in refusal.problems]})
    if isinstance(exc, WorkflowUpdateFailedError):
        return Message("support.refused_because", {"error": refusal.message})
    return Message("support.failed", {"error": str(exc)})


def _said(problem: Problem) -> Message:
    """A refused field's problem as it reads: ``Field: why`` (the whole input's problem: just why)."""
    why = Message(problem.code, problem.params)
    return Message("support.field_problem", {"field": problem.field, "problem": why}) if problem.field else why


async def run_bulk(workflow_ids: Iterable[str], act: Callable[[str], Awaitable[ActionResult]], *,
                   concurrency: int = BULK_CONCURRENCY) -> list[ActionResult]:
    """Run ``act`` on each process, at most ``concurrency`` at a time; one result per process, in order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(workflow_id: str) -> ActionResult:
        async with gate:
            return await act(workflow_id)

    return list(await asyncio.gather(*(one(w) for w in workflow_ids)))
