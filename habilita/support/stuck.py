"""The support queue: every stuck process, each with why it is stuck.

Five signals, each read where it is cheap:

1. a workflow task failing: one visibility query on Temporal's
   ``TemporalReportedProblems`` search attribute;
2. an activity retrying: from SQL, the retries the worker wrote into the
   projection (whoever the process waits on); and ``describe()`` of the
   running workflows that could be running an activity (Temporal lists those
   waiting on nobody, the system or DIAN), with bounded concurrency, which
   also sees an attempt that timed out (a worker gone mid-activity);
3. a step waiting on a person or on DIAN longer than its SLA: SQL over the
   projection's ``step_entered_at``;
4. a process that failed, was terminated or timed out: SQL over the
   projection's status (ends outside the console are projected by
   :mod:`.reconcile`);
5. a process that says it is blocked until a person acts (its last error a
   ``blocked.*`` message): SQL over the projection.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from habilita.messages import Message
from habilita.messages.catalog import render
from habilita.messages.plain_text import plain
from habilita.messages.locale import gettext_for
from habilita.models import ProcessRecord, utcnow

from . import health
from .sla import SLA_BY_WAITER, describe_overrun, shortest_sla, sla_for

WORKFLOW_TASK_FAILING = "workflow_task_failing"
ACTIVITY_RETRYING = "activity_retrying"
SLA_OVERRUN = "sla_overrun"
PROCESS_FAILED = "process_failed"
PROCESS_BLOCKED = "process_blocked"
SIGNALS = (PROCESS_FAILED, WORKFLOW_TASK_FAILING, ACTIVITY_RETRYING, SLA_OVERRUN, PROCESS_BLOCKED)

PROBLEMS_QUERY = "TemporalReportedProblems IS NOT NULL AND ExecutionStatus = 'Running'"
# Who a process may be waiting on while one of its activities runs (the
# WaitingOn attribute says "nobody" where the projection has "").
ACTIVITY_QUERY = "ExecutionStatus = 'Running' AND WaitingOn IN ('nobody', 'system', 'dian')"
# What the queue shows of a projection (rows as named tuples: no model objects to build).
QUEUE_COLUMNS = (ProcessRecord.workflow_id, ProcessRecord.process_type, ProcessRecord.current_step,
                 ProcessRecord.status, ProcessRecord.waiting_on, ProcessRecord.company_id.alias("company_id"),
                 ProcessRecord.step_entered_at, ProcessRecord.last_error, ProcessRecord.retrying_activity,
                 ProcessRecord.retry_attempt, ProcessRecord.retry_error)


@dataclass(frozen=True)
class StuckReason:
    """One signal and why it fired, as a message the reader sees in their language."""

    signal: str
    message: Message

    @property
    def text(self) -> str:
        """The reason in English (logs, the CLI)."""
        return render(self.message, gettext_for("en"))


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
        """Every reason, in English."""
        return "; ".join(r.text for r in self.reasons)


@dataclass(frozen=True)
class QueueOptions:
    """Thresholds of the queue; the defaults are what the console uses."""

    attempts_above: int = 2
    describe_concurrency: int = 16
    signals: tuple[str, ...] = SIGNALS
    # The app's task queue: Temporal's listings then show only its processes
    # (children run on their parent's queue), not another app's in the namespace.
    task_queue: str = ""

    def visibility(self, query: str) -> str:
        if not self.task_queue:
            return query
        return f"{query} AND TaskQueue = '{self.task_queue.replace(chr(39), chr(92) + chr(39))}'"


class ActivitySignalCache:
    """The last answer of the activity signal, kept ``ttl_seconds``.

    Listing the candidates and describing each costs the server a few
    milliseconds per workflow; a console that reloads the queue every few
    seconds reuses the last answer (the page says how old it may be). An
    action on a process drops it, so the page after an action is current.
    """

    def __init__(self, ttl_seconds: float = 20.0):
        self.ttl_seconds = ttl_seconds
        self._answer: list | None = None
        self._expires = 0.0

    def fresh(self) -> list | None:
        return self._answer if time.monotonic() < self._expires else None

    def keep(self, answer: list) -> None:
        self._answer, self._expires = answer, time.monotonic() + self.ttl_seconds

    def forget(self) -> None:
        self._answer, self._expires = None, 0.0


async def find_stuck(client: Client | None, *, now: dt.datetime | None = None,
                     options: QueueOptions = QueueOptions(),
                     cache: ActivitySignalCache | None = None) -> list[StuckProcess]:
    """Every stuck process, oldest step first, each with all its reasons.

    ``now`` (naive UTC) is the clock the SLA is measured against; a test under
    time skipping passes the server's time. With ``cache``, a recent answer
    of the activity signal is reused.
    """
    now = now or utcnow()
    found: dict[str, StuckProcess] = {}
    if SLA_OVERRUN in options.signals:
        for record, message in sla_overruns(now):
            _entry(found, record).reasons.append(StuckReason(SLA_OVERRUN, message))
    if PROCESS_FAILED in options.signals:
        for record in ProcessRecord.select(*QUEUE_COLUMNS).where(health.failed()).namedtuples().iterator():
            _entry(found, record).reasons.append(StuckReason(PROCESS_FAILED, health.failure_reason(record)))
    if PROCESS_BLOCKED in options.signals:
        for record in ProcessRecord.select(*QUEUE_COLUMNS).where(health.blocked()).namedtuples().iterator():
            _entry(found, record).reasons.append(StuckReason(PROCESS_BLOCKED, health.blocked_reason(record)))
    asked = {WORKFLOW_TASK_FAILING: lambda: failing_workflow_tasks(client, options),
             ACTIVITY_RETRYING: lambda: _retrying_cached(client, options, cache)}
    wanted = [signal for signal in asked if signal in options.signals]
    answers = await asyncio.gather(*(asked[signal]() for signal in wanted))
    temporal_signals = [(signal, *hit) for signal, hits in zip(wanted, answers) for hit in hits]
    records = _records([workflow_id for _, workflow_id, _, _ in temporal_signals if workflow_id not in found])
    for signal, workflow_id, attrs, message in temporal_signals:
        entry = found.get(workflow_id)
        if entry is None:
            record = records.get(workflow_id)
            entry = _entry(found, record) if record else _from_attributes(found, workflow_id, attrs)
        if signal == WORKFLOW_TASK_FAILING:
            # The projection's step, not the Step attribute: a task that fails in the step's first
            # workflow task has projected the step (a local activity) but never recorded its attributes.
            message = Message(message.code, {**message.params, "step": entry.step or "?"})
        entry.reasons.append(StuckReason(signal, message))
    if ACTIVITY_RETRYING in options.signals:
        # What the worker wrote, for the processes describe() did not list (waiting on a person).
        for record in ProcessRecord.select(*QUEUE_COLUMNS).where(health.retrying()).namedtuples().iterator():
            entry = _entry(found, record)
            if ACTIVITY_RETRYING not in entry.signals:
                entry.reasons.append(StuckReason(ACTIVITY_RETRYING, health.retry_reason(record)))
    far_past = dt.datetime.min
    return sorted(found.values(), key=lambda s: (s.step_entered_at or far_past, s.workflow_id))


def filter_queue(queue: list[StuckProcess], *, signal: str = "", step: str = "",
                 process_type: str = "") -> list[StuckProcess]:
    """The queue narrowed to one signal, step and process type (empty: any)."""
    return [s for s in queue
            if (not signal or signal in s.signals) and (not step or s.step == step)
            and (not process_type or s.process_type == process_type)]


def sla_overruns(now: dt.datetime) -> list[tuple]:
    """Processes waiting on someone longer than their step's SLA, from SQL."""
    overdue = []
    for waiting_on in SLA_BY_WAITER:
        # The index (waiting_on, step_entered_at) narrows to rows past the
        # shortest SLA; the exact SLA of each step is checked in Python.
        rows = (ProcessRecord.select(*QUEUE_COLUMNS)
                .where((ProcessRecord.waiting_on == waiting_on) & (ProcessRecord.status == "waiting")
                       & (ProcessRecord.step_entered_at < now - shortest_sla(waiting_on))))
        for record in rows.namedtuples().iterator():
            sla = sla_for(record.process_type, record.current_step, waiting_on)
            waited = now - record.step_entered_at
            if sla is not None and waited > sla:
                overdue.append((record, describe_overrun(waited, sla, waiting_on)))
    return overdue


async def failing_workflow_tasks(client: Client, options: QueueOptions) -> list[tuple[str, dict, Message]]:
    """Running workflows whose workflow task keeps failing: (id, search attributes, why; the step comes later)."""
    failing = []
    async for execution in client.list_workflows(options.visibility(PROBLEMS_QUERY)):
        attrs = {pair.key.name: pair.value for pair in execution.typed_search_attributes}
        problems = dict(p.partition("=")[::2] for p in attrs.get("TemporalReportedProblems", []))
        cause = problems.get("cause", "").removeprefix("WorkflowTaskFailedCause") or "unknown cause"
        failing.append((execution.id, attrs, Message("stuck.task_failing", {"cause": cause})))
    return failing


async def _retrying_cached(client: Client, options: QueueOptions, cache: ActivitySignalCache | None) -> list:
    answer = cache.fresh() if cache is not None else None
    if answer is None:
        answer = await retrying_activities(client, options)
        if cache is not None:
            cache.keep(answer)
    return answer


async def retrying_activities(client: Client, options: QueueOptions) -> list[tuple[str, dict, Message]]:
    """Processes with an activity past ``attempts_above`` attempts or with a last failure: (id, attributes, why).

    Only running workflows that wait on nobody, the system or DIAN can be
    running an activity: Temporal lists them from its own visibility (no
    ``describe()`` of projections whose workflow is gone), then each is
    described, ``describe_concurrency`` at a time.
    """
    candidates = [(e.id, {pair.key.name: pair.value for pair in e.typed_search_attributes})
                  async for e in client.list_workflows(options.visibility(ACTIVITY_QUERY))]
    gate = asyncio.Semaphore(options.describe_concurrency)

    async def check(workflow_id: str, attrs: dict) -> tuple[str, dict, Message] | None:
        async with gate:
            try:
                described = await client.get_workflow_handle(workflow_id).describe()
            except RPCError as exc:
                if exc.status == RPCStatusCode.NOT_FOUND:
                    return None  # finished and deleted since it was listed
                raise
        retrying = [describe_pending(p) for p in described.raw_description.pending_activities
                    if p.attempt > options.attempts_above or p.HasField("last_failure")]
        if not retrying:
            return None
        if len(retrying) == 1:
            return workflow_id, attrs, retrying[0]
        return workflow_id, attrs, Message("stuck.several_retrying", {"count": len(retrying), "activities": retrying})

    results = await asyncio.gather(*(check(w, a) for w, a in candidates))
    return [r for r in results if r is not None]


def describe_pending(pending) -> Message:
    """``activity submit_to_dian retrying: attempt 5, no limit, last failure: HTTP 503 ...``."""
    attempt = {"activity": health.activity_words(pending.activity_type.name), "attempt": pending.attempt}
    if pending.maximum_attempts:
        retrying = Message("stuck.activity_retrying", {**attempt, "limit": pending.maximum_attempts})
    else:
        retrying = Message("stuck.activity_retrying_unlimited", attempt)
    if pending.HasField("last_failure"):
        return Message("stuck.last_failure", {"retrying": retrying, "failure": plain(pending.last_failure.message)})
    return retrying


def _entry(found: dict[str, StuckProcess], record) -> StuckProcess:
    entry = found.get(record.workflow_id)
    if entry is None:
        entry = found[record.workflow_id] = StuckProcess(
            workflow_id=record.workflow_id, process_type=record.process_type, step=record.current_step,
            status=record.status, waiting_on=record.waiting_on, company_id=record.company_id,
            step_entered_at=record.step_entered_at)
    return entry


def _records(workflow_ids: list[str]) -> dict:
    """The projections of ``workflow_ids``, in one query per thousand."""
    found = {}
    for start in range(0, len(workflow_ids), 1000):
        chunk = workflow_ids[start:start + 1000]
        rows = ProcessRecord.select(*QUEUE_COLUMNS).where(ProcessRecord.workflow_id << chunk).namedtuples()
        found.update({r.workflow_id: r for r in rows})
    return found


def _from_attributes(found: dict[str, StuckProcess], workflow_id: str, attrs: dict) -> StuckProcess:
    # A workflow that failed before its first projection: Temporal's
    # attributes are all we know.
    entered = attrs.get("StepEnteredAt")
    waiting_on = attrs.get("WaitingOn", "")
    entry = found[workflow_id] = StuckProcess(
        workflow_id=workflow_id, process_type=attrs.get("ProcessType", ""), step=attrs.get("Step", ""),
        status=attrs.get("ProcessStatus", ""), waiting_on="" if waiting_on == "nobody" else waiting_on,
        step_entered_at=entered.replace(tzinfo=None) if entered else None)
    return entry
