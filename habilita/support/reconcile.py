"""Bring the projection in line with workflows that ended outside the console.

A workflow projects its own steps and its own end, but not an end it never
sees: terminated from Temporal's UI or CLI, timed out, or failed in a way its
code could not catch. Each pass reads from Temporal's visibility the
executions that closed that way since the last pass and writes their end into
``ProcessRecord``, so the list, the page, the home and the support queue show
them as failed within one pass (the worker runs one every 5 s).

A run closed by a reset is skipped: its workflow goes on in a newer run.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus, WorkflowHistoryEventFilterType
from temporalio.service import RPCError

from habilita.messages import Message
from habilita.messages.stored import as_text
from habilita.models import ProcessRecord
from habilita.models.process import RETRY_CLEARED
from habilita.states import ENDED, ProcessStatus

log = logging.getLogger(__name__)

ENDED_OUTSIDE = "ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut', 'Canceled')"
# Closed executions looked for on the first pass after a start.
FIRST_LOOK_BACK = dt.timedelta(days=30)
# Visibility is eventually consistent: each pass looks this far behind the last one.
OVERLAP = dt.timedelta(minutes=2)
PASS_EVERY_SECONDS = 5.0
STATUS_OF = {
    WorkflowExecutionStatus.FAILED: ProcessStatus.FAILED,
    WorkflowExecutionStatus.TERMINATED: ProcessStatus.TERMINATED,
    WorkflowExecutionStatus.TIMED_OUT: ProcessStatus.FAILED,
    WorkflowExecutionStatus.CANCELED: ProcessStatus.CANCELLED,
}
ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Ended:
    """How one execution ended, as the projection will say it."""

    workflow_id: str
    run_id: str
    status: str
    at: dt.datetime  # naive UTC
    why: Message


class ProjectionReconciler:
    """Finds executions that ended outside the console and projects their end."""

    def __init__(self, client: Client, *, task_queue: str = ""):
        self.client = client
        self.task_queue = task_queue
        self._since: dt.datetime | None = None

    async def reconcile(self, now: dt.datetime | None = None) -> list[Ended]:
        """One pass; returns the ends it projected."""
        now = now or dt.datetime.now(dt.UTC)
        since = self._since or now - FIRST_LOOK_BACK
        query = f"{ENDED_OUTSIDE} AND CloseTime > '{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        if self.task_queue:
            query += f" AND TaskQueue = '{self.task_queue}'"
        closed = [e async for e in self.client.list_workflows(query)]
        open_rows = _unended(list({e.id for e in closed}))
        ends = [end for end in await asyncio.gather(*(self._end_of(e) for e in closed if e.id in open_rows))
                if end is not None]
        projected = [end for end in ends if project_end(end)]
        self._since = now - OVERLAP
        return projected

    async def run_forever(self, every_seconds: float = PASS_EVERY_SECONDS) -> None:
        """A pass every ``every_seconds`` until cancelled; a failed pass is logged and tried again."""
        while True:
            try:
                for end in await self.reconcile():
                    log.info("projected the end of %s outside the console: %s", end.workflow_id, end.status)
            except (RPCError, OSError) as exc:
                log.warning("could not reconcile the projection with Temporal: %s", exc)
            await asyncio.sleep(every_seconds)

    async def _end_of(self, execution: WorkflowExecution) -> Ended | None:
        latest = await self.client.get_workflow_handle(execution.id).describe()
        if latest.run_id != execution.run_id or latest.status == WorkflowExecutionStatus.RUNNING:
            return None  # reset or restarted: a newer run carries the process on
        why = await self._why(execution)
        closed = (execution.close_time or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
        return Ended(execution.id, execution.run_id, STATUS_OF[execution.status], closed, why)

    async def _why(self, execution: WorkflowExecution) -> Message:
        handle = self.client.get_workflow_handle(execution.id, run_id=execution.run_id)
        async for event in handle.fetch_history_events(event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT):
            return why_it_ended(event)
        return Message("health.ended_unknown")


def why_it_ended(event) -> Message:
    """The close event of a history, in words: who terminated it and why, or the failure."""
    kind = event.event_type
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        attrs = event.workflow_execution_terminated_event_attributes
        return Message("health.terminated", {"reason": attrs.reason or "-", "by": attrs.identity or "-"})
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        return Message("health.timed_out")
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        return Message("health.failed", {"error": failure_text(event.workflow_execution_failed_event_attributes.failure)})
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        return Message("health.cancelled")
    return Message("health.ended_unknown")


def failure_text(failure) -> str:
    """A failure and its causes, outermost first, each message once."""
    said: list[str] = []
    while failure is not None and failure.message:
        if failure.message not in said:
            said.append(failure.message)
        failure = failure.cause if failure.HasField("cause") else None
    return ": ".join(said)[:ERROR_LENGTH]


def project_end(end: Ended) -> bool:
    """Write ``end`` into the projection unless the row has ended already or moved on since."""
    version = end.at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "#999999"
    return bool(ProcessRecord.update(
        {**RETRY_CLEARED, ProcessRecord.status: end.status, ProcessRecord.waiting_on: "",
         ProcessRecord.last_error: as_text(end.why), ProcessRecord.completed_at: end.at,
         ProcessRecord.updated_at: end.at, ProcessRecord.version: version})
        .where((ProcessRecord.workflow_id == end.workflow_id) & ProcessRecord.status.not_in([str(s) for s in ENDED])
               & (ProcessRecord.version < version))
        .execute())


def _unended(workflow_ids: list[str]) -> set[str]:
    """Which of ``workflow_ids`` the projection still shows as running or waiting."""
    found: set[str] = set()
    for start in range(0, len(workflow_ids), 1000):
        chunk = workflow_ids[start:start + 1000]
        found.update(wid for (wid,) in ProcessRecord.select(ProcessRecord.workflow_id)
                     .where(ProcessRecord.workflow_id.in_(chunk)
                            & ProcessRecord.status.not_in([str(s) for s in ENDED])).tuples())
    return found
