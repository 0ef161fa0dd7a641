"""Support's actions on a process: retry now, resume, reset to a step, skip a step, cancel.

Every action names its actor and reason, is recorded as an ``AuditEvent``
(done or refused, with the server's reason), and answers an
:class:`ActionResult` instead of raising when Temporal or the workflow
refuses it, so a bulk run can report every process.
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import ResetReapplyExcludeType
from temporalio.api.workflowservice.v1 import ResetActivityRequest, ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError

from habilita.models import AuditEvent
from habilita.workflows.support import SKIP_STEP_UPDATE, SkipStep

from .errors import MissingReason, SupportError
from .reset_points import step_reset_point

REAPPLY_EXCLUDES = {
    "signal": ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL,
    "update": ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
}
BULK_CONCURRENCY = 10


@dataclass(frozen=True)
class ActionResult:
    workflow_id: str
    action: str
    ok: bool
    message: str


@dataclass(frozen=True)
class Acting:
    """Who acts and why: required on every support action."""

    actor: str
    reason: str

    def __post_init__(self) -> None:
        if not (self.actor or "").strip():
            raise MissingReason("a support action needs the acting user")
        if not (self.reason or "").strip():
            raise MissingReason("a support action needs a reason")


class SupportActions:
    """The actions, on one Temporal client."""

    def __init__(self, client: Client, *, identity: str = "habilita-support"):
        self.client = client
        self.identity = identity

    async def retry_now(self, workflow_id: str, acting: Acting) -> ActionResult:
        """Reset the attempts of every retrying activity so it runs again at once."""
        async def act() -> str:
            described = await self.client.get_workflow_handle(workflow_id).describe()
            retrying = [p for p in described.raw_description.pending_activities
                        if p.attempt > 1 or p.HasField("last_failure")]
            if not retrying:
                raise SupportError("no activity is retrying: nothing to retry")
            for pending in retrying:
                await self.client.workflow_service.reset_activity(ResetActivityRequest(
                    namespace=self.client.namespace, execution=WorkflowExecution(workflow_id=workflow_id),
                    identity=self._identity(acting), id=pending.activity_id))
            return "retried now: " + ", ".join(f"{p.activity_type.name} (was attempt {p.attempt})" for p in retrying)
        return await self._run("retry now", workflow_id, acting, act)

    async def resume(self, workflow_id: str, update: str, payload, acting: Acting) -> ActionResult:
        """Send ``update`` (the one the step waits for) with its form's dataclass."""
        async def act() -> str:
            await self.client.get_workflow_handle(workflow_id).execute_update(update, payload)
            return f"sent {update.replace('_', ' ')}"
        return await self._run(f"resume ({update})", workflow_id, acting, act)

    async def skip_step(self, workflow_id: str, step: str, acting: Acting) -> ActionResult:
        """Ask the workflow to skip ``step``; its validator refuses unless the step is skippable and current."""
        async def act() -> str:
            await self.client.get_workflow_handle(workflow_id).execute_update(
                SKIP_STEP_UPDATE, SkipStep(actor=acting.actor, step=step, reason=acting.reason))
            return f"skipped step {step}"
        return await self._run(f"skip {step}", workflow_id, acting, act)

    async def cancel(self, workflow_id: str, acting: Acting) -> ActionResult:
        """Ask the workflow to cancel; it records its own final state."""
        async def act() -> str:
            await self.client.get_workflow_handle(workflow_id).cancel()
            return "cancellation requested"
        return await self._run("cancel", workflow_id, acting, act)

    async def reset_to_step(self, workflow_id: str, step: str, acting: Acting, *,
                            exclude: Iterable[str] = ()) -> ActionResult:
        """Reset to where ``step`` began; ``exclude`` names what not to re-apply ("signal", "update")."""
        excluded = [REAPPLY_EXCLUDES[kind] for kind in exclude]

        async def act() -> str:
            # Pin the run: the reset point's event id means something only in
            # the history it was read from.
            run_id = (await self.client.get_workflow_handle(workflow_id).describe()).run_id
            history = await self.client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
            point = step_reset_point(history, step)
            answer = await self.client.workflow_service.reset_workflow_execution(ResetWorkflowExecutionRequest(
                namespace=self.client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
                reason=f"{acting.actor}: {acting.reason}", workflow_task_finish_event_id=point.event_id,
                request_id=str(uuid.uuid4()), reset_reapply_exclude_types=excluded,
                identity=self._identity(acting)))
            kept = ", ".join(sorted(set(REAPPLY_EXCLUDES) - set(exclude))) or "nothing"
            return f"reset to step {step} (event {point.event_id}); new run {answer.run_id}; re-applied: {kept}"
        return await self._run(f"reset to {step}", workflow_id, acting, act)

    async def _run(self, action: str, workflow_id: str, acting: Acting,
                   act: Callable[[], Awaitable[str]]) -> ActionResult:
        try:
            message = await act()
        except (SupportError, RPCError, WorkflowUpdateFailedError, TemporalError) as exc:
            result = ActionResult(workflow_id, action, False, refusal_text(exc))
        else:
            result = ActionResult(workflow_id, action, True, message)
        AuditEvent.record(actor=acting.actor, action=f"support: {action}", target_type="process",
                          target_id=workflow_id, reason=acting.reason,
                          outcome="ok" if result.ok else "refused", detail=result.message)
        return result

    def _identity(self, acting: Acting) -> str:
        return f"{self.identity} for {acting.actor}"


def refusal_text(exc: BaseException) -> str:
    """The server's or the workflow's own reason for refusing."""
    if isinstance(exc, WorkflowUpdateFailedError) and exc.cause is not None:
        return str(exc.cause.message if hasattr(exc.cause, "message") else exc.cause)
    if isinstance(exc, RPCError):
        return f"{exc.status.name.lower().replace('_', ' ')}: {exc.message}"
    return str(exc)


async def run_bulk(workflow_ids: Iterable[str], act: Callable[[str], Awaitable[ActionResult]], *,
                   concurrency: int = BULK_CONCURRENCY) -> list[ActionResult]:
    """Run ``act`` on each process, at most ``concurrency`` at a time; one result per process, in order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(workflow_id: str) -> ActionResult:
        async with gate:
            return await act(workflow_id)

    return list(await asyncio.gather(*(one(w) for w in workflow_ids)))
