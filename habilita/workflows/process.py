"""What every process workflow shares: its snapshot and the projection of it.

Each transition bumps a counter, upserts the search attributes and runs the
projection activity, so ``ProcessRecord`` and Temporal's own listing show the
same step.

The projection runs as a local activity: a short, idempotent write of our own
database, done by the worker inside the workflow task that enters the step,
without a round trip through the server's task queue (half the activities of
an enablement were projections). Runs recorded before that change replay it as
the regular activity it was then (``workflow.patched``). The other short,
idempotent writes of our own database (an audit entry, a notification, a
stored registration) run the same way through :func:`bookkeeping`.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Awaitable, Callable, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import FailureError, is_cancelled_exception

from habilita.states import ProcessStatus

from . import attributes

with workflow.unsafe.imports_passed_through():
    from habilita.activities.process import AuditEntry, ProcessActivities, ProcessSnapshot
    from habilita.messages import Message
    from habilita.messages.stored import as_text

PROJECTION_TIMEOUT = timedelta(seconds=30)
PROJECTION_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
LOCAL_PROJECTION = "projection-as-local-activity"
LOCAL_BOOKKEEPING = "bookkeeping-as-local-activities"
T = TypeVar("T")


async def local_since(patch: str, activity: Callable, arg, **options):
    """Run ``activity(arg)`` as a local activity: inside the workflow task, without a round trip through the
    server's task queue. Runs recorded before ``patch`` replay it as the regular activity it was then."""
    if workflow.patched(patch):
        return await workflow.execute_local_activity_method(activity, arg, **options)
    return await workflow.execute_activity_method(activity, arg, **options)


async def bookkeeping(activity: Callable, arg, *, start_to_close_timeout: timedelta, retry_policy: RetryPolicy):
    """Run ``activity(arg)``, a short write of our own database that is idempotent by its own key, locally
    (:func:`local_since` ``LOCAL_BOOKKEEPING``)."""
    return await local_since(LOCAL_BOOKKEEPING, activity, arg, start_to_close_timeout=start_to_close_timeout,
                             retry_policy=retry_policy)


async def projecting_the_end(tracker: Callable[[], "ProcessTracker | None"], body: Awaitable[T]) -> T:
    """Await a workflow's ``body``; when support cancels it, or it fails for
    good, project that end before it propagates, so the list never shows a
    cancelled or failed process as still waiting.

    A cancellation that arrives while an activity runs surfaces as an
    ``ActivityError`` caused by it, hence ``is_cancelled_exception``.
    """
    try:
        return await body
    except BaseException as exc:
        current = tracker()
        if current is not None:
            if is_cancelled_exception(exc):
                await current.finish(ProcessStatus.CANCELLED)
            elif isinstance(exc, FailureError):
                await current.finish(ProcessStatus.FAILED, last_error=as_text(
                    Message("health.step_failed", {"error": failure_chain(exc)})))
        raise


def failure_chain(exc: BaseException, limit: int = 1500) -> str:
    """A failure and its causes, outermost first, each said once: ``Activity task failed: ValueError: ...``."""
    said: list[str] = []
    while exc is not None:
        text = getattr(exc, "message", None) or str(exc)
        if text and text not in said:
            said.append(text)
        exc = exc.__cause__
    return ": ".join(said)[:limit]


def step_now(tracker: "ProcessTracker | None") -> str:
    """Where the process stands for a validator: ``starting`` before its first task has run."""
    return tracker.step if tracker is not None else "starting"


class ProcessTracker:
    """Keeps the projection and search attributes of one workflow current."""

    def __init__(self, *, process_type: str, company_id: int | None, company_tax_id: str):
        info = workflow.info()
        self._counter = 0
        self.snapshot = ProcessSnapshot(
            workflow_id=info.workflow_id, run_id=info.run_id, process_type=process_type,
            company_id=company_id, company_tax_id=company_tax_id, step="", status=ProcessStatus.RUNNING,
            waiting_on="", step_entered_at=workflow.now(), last_error="", version="",
        )

    @property
    def step(self) -> str:
        return self.snapshot.step

    async def enter(self, step: str, *, waiting_on: str = "", status: str | None = None) -> None:
        """Move to ``step`` (or change who it waits on) and project it."""
        now = workflow.now()
        entered = now if step != self.snapshot.step else self.snapshot.step_entered_at
        await self._publish(
            step=step, waiting_on=waiting_on, step_entered_at=entered, last_error="",
            status=status or (ProcessStatus.WAITING if waiting_on else ProcessStatus.RUNNING),
        )

    async def waiting(self, waiting_on: str) -> None:
        await self._publish(waiting_on=waiting_on, status=ProcessStatus.WAITING if waiting_on else ProcessStatus.RUNNING)

    async def failed_attempt(self, message: Message | str) -> None:
        """Record the last error without leaving the step: what the workflow says of itself
        (a message, kept whole as JSON) or an exception's own text (raw, cut short)."""
        await self._publish(last_error=as_text(message) if isinstance(message, Message) else message[:2000])

    async def finish(self, status: str, *, step: str | None = None, last_error: str = "") -> None:
        await self._publish(step=step or self.snapshot.step, status=status, waiting_on="",
                            step_entered_at=workflow.now(), last_error=last_error[:2000])

    async def _publish(self, **changes) -> None:
        self._counter += 1
        stamp = workflow.now().strftime("%Y-%m-%dT%H:%M:%S.%f")
        self.snapshot = replace(self.snapshot, **changes, version=f"{stamp}#{self._counter:06d}")
        s = self.snapshot
        workflow.upsert_search_attributes([
            attributes.PROCESS_TYPE.value_set(s.process_type),
            attributes.COMPANY_TAX_ID.value_set(s.company_tax_id),
            attributes.STEP.value_set(s.step),
            attributes.STEP_ENTERED_AT.value_set(s.step_entered_at),
            attributes.WAITING_ON.value_set(s.waiting_on or "nobody"),
            attributes.PROCESS_STATUS.value_set(s.status),
        ])
        workflow.set_current_details(f"Step {s.step}: {s.status}" + (f", waiting on {s.waiting_on}" if s.waiting_on else ""))
        await local_since(LOCAL_PROJECTION, ProcessActivities.project, s, start_to_close_timeout=PROJECTION_TIMEOUT,
                          retry_policy=PROJECTION_RETRY, summary=f"project step {s.step}")

    async def audit(self, entry: AuditEntry) -> None:
        await bookkeeping(ProcessActivities.record_audit, entry,
                          start_to_close_timeout=PROJECTION_TIMEOUT, retry_policy=PROJECTION_RETRY)
