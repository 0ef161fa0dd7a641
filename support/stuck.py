"""The support queue: every stuck process, each with why it is stuck.

Three signals, each read where it is cheap:

1. a workflow task failing: one visibility query on Temporal's
   ``TemporalReportedProblems`` search attribute;
2. an activity retrying: ``describe()`` only of the processes that could be
   running an activity (the projection says nobody is awaited, or DIAN is),
   with bounded concurrency;
3. a step waiting on a person or on DIAN longer than its SLA: SQL over the
   projection's ``step_entered_at``.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models import ProcessRecord, utcnow

from .sla import describe_overrun, shortest_sla, sla_for, SLA_BY_WAITER

WORKFLOW_TASK_FAILING = "workflow_task_failing"
ACTIVITY_RETRYING = "activity_retrying"
SLA_OVERRUN = "sla_overrun"
SIGNALS = (WORKFLOW_TASK_FAILING, ACTIVITY_RETRYING, SLA_OVERRUN)
SIGNAL_LABELS = {
    WORKFLOW_TASK_FAILING: "workflow task failing",
    ACTIVITY_RETRYING: "activity retrying",
    SLA_OVERRUN: "over its SLA",
}

PROBLEMS_QUERY = "TemporalReportedProblems IS NOT NULL AND ExecutionStatus = 'Running'"
# Who a process may be waiting on while one of its activities runs.
ACTIVITY_WAITERS = ("", "system", "dian")
ACTIVE_STATUSES = ("running", "waiting")


@dataclass(frozen=True)
class StuckReason:
    signal: str
    text: str


@dataclass
class StuckProcess:
    workflow_id: str
    process_type: str = ""
    step: str = ""
    status: str = ""
    waiting_on: str = ""
    company_id: int | None = None
    step_entered_at: dt.datetime | None = None
    reasons: list[StuckReason] = field(default_factory=list)

    @property
    def signals(self) -> set[str]:
        return {r.signal for r in self.reasons}

    @property
    def why(self) -> str:
        return "; ".join(r.text for r in self.reasons)


@dataclass(frozen=True)
class QueueOptions:
    """Thresholds of the queue; the defaults are what the console uses."""

    attempts_above: int = 2
    describe_concurrency: int = 16
    signals: tuple[str, ...] = SIGNALS


async def find_stuck(client: Client | None, *, now: dt.datetime | None = None,
                     options: QueueOptions = QueueOptions()) -> list[StuckProcess]:
    """Every stuck process, oldest step first, each with all its reasons.

    ``now`` (naive UTC) is the clock the SLA is measured against; a test under
    time skipping passes the server's time.
    """
    now = now or utcnow()
    found: dict[str, StuckProcess] = {}
    if SLA_OVERRUN in options.signals:
        for record, text in sla_overruns(now):
            _entry(found, record).reasons.append(StuckReason(SLA_OVERRUN, text))
    if WORKFLOW_TASK_FAILING in options.signals:
        for workflow_id, attrs, text in await failing_workflow_tasks(client):
            entry = found.get(workflow_id) or _from_attributes(found, workflow_id, attrs)
            entry.reasons.append(StuckReason(WORKFLOW_TASK_FAILING, text))
    if ACTIVITY_RETRYING in options.signals:
        for record, text in await retrying_activities(client, options):
            _entry(found, record).reasons.append(StuckReason(ACTIVITY_RETRYING, text))
    far_past = dt.datetime.min
    return sorted(found.values(), key=lambda s: (s.step_entered_at or far_past, s.workflow_id))


def filter_queue(queue: list[StuckProcess], *, signal: str = "", step: str = "",
                 process_type: str = "") -> list[StuckProcess]:
    """The queue narrowed to one signal, step and process type (empty: any)."""
    return [s for s in queue
            if (not signal or signal in s.signals) and (not step or s.step == step)
            and (not process_type or s.process_type == process_type)]


def sla_overruns(now: dt.datetime) -> list[tuple[ProcessRecord, str]]:
    """Processes waiting on someone longer than their step's SLA, from SQL."""
    overdue = []
    for waiting_on in SLA_BY_WAITER:
        # The index (waiting_on, step_entered_at) narrows to rows past the
        # shortest SLA; the exact SLA of each step is checked in Python.
        rows = (ProcessRecord.select()
                .where((ProcessRecord.waiting_on == waiting_on) & (ProcessRecord.status == "waiting")
                       & (ProcessRecord.step_entered_at < now - shortest_sla(waiting_on))))
        for record in rows.iterator():
            sla = sla_for(record.process_type, record.current_step, waiting_on)
            waited = now - record.step_entered_at
            if sla is not None and waited > sla:
                overdue.append((record, describe_overrun(waited, sla, waiting_on)))
    return overdue


async def failing_workflow_tasks(client: Client) -> list[tuple[str, dict, str]]:
    """Running workflows whose workflow task keeps failing: (id, search attributes, why)."""
    failing = []
    async for execution in client.list_workflows(PROBLEMS_QUERY):
        attrs = {pair.key.name: pair.value for pair in execution.typed_search_attributes}
        problems = dict(p.partition("=")[::2] for p in attrs.get("TemporalReportedProblems", []))
        cause = problems.get("cause", "").removeprefix("WorkflowTaskFailedCause") or "unknown cause"
        failing.append((execution.id, attrs, f"workflow task failing ({cause}) at step {attrs.get('Step', '?')}"))
    return failing


async def retrying_activities(client: Client, options: QueueOptions) -> list[tuple[ProcessRecord, str]]:
    """Processes with an activity past ``attempts_above`` attempts or with a last failure."""
    candidates = list(ProcessRecord.select().where(
        (ProcessRecord.status << ACTIVE_STATUSES) & (ProcessRecord.waiting_on << ACTIVITY_WAITERS)))
    gate = asyncio.Semaphore(options.describe_concurrency)

    async def check(record: ProcessRecord) -> tuple[ProcessRecord, str] | None:
        async with gate:
            try:
                described = await client.get_workflow_handle(record.workflow_id).describe()
            except RPCError as exc:
                if exc.status == RPCStatusCode.NOT_FOUND:
                    return None  # the projection outlived its workflow (retention): nothing to retry
                raise
        texts = [describe_pending(p) for p in described.raw_description.pending_activities
                 if p.attempt > options.attempts_above or p.HasField("last_failure")]
        return (record, "; ".join(texts)) if texts else None

    results = await asyncio.gather(*(check(r) for r in candidates))
    return [r for r in results if r is not None]


def describe_pending(pending) -> str:
    """``activity submit_to_dian retrying: attempt 5 of unlimited, last failure: HTTP 503 ...``."""
    limit = pending.maximum_attempts or "unlimited"
    text = f"activity {pending.activity_type.name} retrying: attempt {pending.attempt} of {limit}"
    if pending.HasField("last_failure"):
        text += f", last failure: {pending.last_failure.message[:300]}"
    return text


def _entry(found: dict[str, StuckProcess], record: ProcessRecord) -> StuckProcess:
    entry = found.get(record.workflow_id)
    if entry is None:
        entry = found[record.workflow_id] = StuckProcess(
            workflow_id=record.workflow_id, process_type=record.process_type, step=record.current_step,
            status=record.status, waiting_on=record.waiting_on, company_id=record.company_id,
            step_entered_at=record.step_entered_at)
    return entry


def _from_attributes(found: dict[str, StuckProcess], workflow_id: str, attrs: dict) -> StuckProcess:
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    if record is not None:
        return _entry(found, record)
    # A workflow that failed before its first projection: Temporal's
    # attributes are all we know.
    entered = attrs.get("StepEnteredAt")
    entry = found[workflow_id] = StuckProcess(
        workflow_id=workflow_id, process_type=attrs.get("ProcessType", ""), step=attrs.get("Step", ""),
        status=attrs.get("ProcessStatus", ""), waiting_on=attrs.get("WaitingOn", ""),
        step_entered_at=entered.replace(tzinfo=None) if entered else None)
    return entry
