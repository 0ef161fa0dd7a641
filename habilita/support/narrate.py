"""Temporal history events in plain words, with no secret in them.

Payloads (workflow input, update and activity arguments, results) are never
rendered; from an update's input only the fields in ``SAFE_INPUT_FIELDS``
are read, and an activity's result only through a describer registered in
``RESULT_WORDS`` that picks non-secret facts ("DIAN accepted 60/60 invoices").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter, decode_typed_search_attributes

from habilita.workflows import attributes

# Fields of an update's input that say who acted and why, never what they entered.
SAFE_INPUT_FIELDS = ("actor", "step", "reason")



def _round_report(result) -> str | None:
    """The test set's round report (activities.test_set.RoundReport): counts only."""
    if not isinstance(result, dict) or "accepted" not in result:
        return None
    total = result["accepted"] + result.get("rejected", 0) + result.get("pending", 0)
    words = f"DIAN accepted {result['accepted']}/{total} documents"
    if result.get("rejected"):
        words += f", rejected {result['rejected']}"
    if result.get("pending"):
        words += f", {result['pending']} still in process"
    return words


# Activity type -> a function of its decoded result giving plain words (or None).
RESULT_WORDS: dict[str, Callable[[object], str | None]] = {
    "round_report": _round_report,
}

E = EventType


@dataclass(frozen=True)
class Narrated:
    at: dt.datetime
    kind: str
    actor: str
    text: str
    event_id: int
    event_type: str


def label(name: str) -> str:
    """``test_set`` -> ``Test set``."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


class Narrator:
    """Reads one run's history in order and tells what happened."""

    def __init__(self, converter: DataConverter):
        self._converter = converter
        self._activities: dict[int, tuple[str, str]] = {}  # scheduled event id -> (type, summary)
        self._updates: dict[str, tuple[str, str]] = {}  # update id -> (name, actor)
        self._state: dict[str, str] = {}
        self.children: list[str] = []  # child workflow ids, in the order they started

    async def narrate(self, history: WorkflowHistory) -> list[Narrated]:
        told = []
        for event in history.events:
            for kind, actor, text in await self._tell(event):
                told.append(Narrated(at=event.event_time.ToDatetime(), kind=kind, actor=actor, text=text,
                                     event_id=event.event_id, event_type=E.Name(event.event_type)))
        return told

    async def _tell(self, event) -> list[tuple[str, str, str]]:
        kind = event.event_type
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            a = event.workflow_execution_started_event_attributes
            return [("workflow", a.identity, f"process {a.workflow_type.name} started")]
        if kind == E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            return self._transition(event.upsert_workflow_search_attributes_event_attributes.search_attributes)
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            a = event.activity_task_scheduled_event_attributes
            self._activities[event.event_id] = (a.activity_type.name, await self._summary(event))
            return []
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            return await self._activity_done(event.activity_task_completed_event_attributes)
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            a = event.activity_task_failed_event_attributes
            return [("activity", "", f"{self._activity_words(a.scheduled_event_id)} failed: {a.failure.message}")]
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            a = event.activity_task_timed_out_event_attributes
            return [("activity", "", f"{self._activity_words(a.scheduled_event_id)} timed out")]
        if kind in (E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED):
            return await self._update_arrived(event)
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            return self._update_done(event.workflow_execution_update_completed_event_attributes)
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            a = event.workflow_execution_signaled_event_attributes
            return [("signal", a.identity, f"signal {label(a.signal_name).lower()} received")]
        if kind == E.EVENT_TYPE_TIMER_STARTED:
            seconds = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
            return [("timer", "", f"waiting up to {seconds}")]
        if kind == E.EVENT_TYPE_TIMER_FIRED:
            return [("timer", "", "wait ended: time is up")]
        if kind == E.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            return self._task_failed(event.workflow_task_failed_event_attributes)
        if kind == E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            child = event.start_child_workflow_execution_initiated_event_attributes
            if child.workflow_id not in self.children:
                self.children.append(child.workflow_id)
            return [("workflow", "", f"child process {child.workflow_type.name} started ({child.workflow_id})")]
        if kind == E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
            child = event.child_workflow_execution_completed_event_attributes
            return [("workflow", "", f"child process {child.workflow_type.name} finished")]
        if kind == E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
            child = event.child_workflow_execution_failed_event_attributes
            return [("workflow", "", f"child process {child.workflow_type.name} failed: {child.failure.message}")]
        return self._ending(event)

    def _transition(self, search_attributes) -> list[tuple[str, str, str]]:
        upserted = decode_typed_search_attributes(search_attributes)
        told = []
        step = upserted.get(attributes.STEP)
        if step is not None and step != self._state.get("step"):
            self._state["step"] = step
            told.append(("step", "", f"step {label(step)} started"))
        waiting = upserted.get(attributes.WAITING_ON)
        if waiting is not None and waiting != self._state.get("waiting"):
            self._state["waiting"] = waiting
            if waiting != "nobody":
                told.append(("step", "", f"waiting on {waiting}"))
        status = upserted.get(attributes.PROCESS_STATUS)
        if status is not None and status != self._state.get("status"):
            self._state["status"] = status
            if status in ("completed", "cancelled", "failed"):
                told.append(("step", "", f"process {status}"))
        return told

    async def _activity_done(self, a) -> list[tuple[str, str, str]]:
        activity_type, _ = self._activities.get(a.scheduled_event_id, ("", ""))
        describer = RESULT_WORDS.get(activity_type)
        if describer is not None and a.result.payloads:
            words = describer((await self._converter.decode(a.result.payloads))[0])
            if words:
                return [("activity", "", words)]
        if activity_type in ("project", "record_audit"):
            return []  # bookkeeping of every transition: the step entries already say it
        return [("activity", "", f"{self._activity_words(a.scheduled_event_id)} done")]

    def _activity_words(self, scheduled_event_id: int) -> str:
        activity_type, summary = self._activities.get(scheduled_event_id, ("activity", ""))
        return summary or label(activity_type).lower()

    async def _update_arrived(self, event) -> list[tuple[str, str, str]]:
        accepted = event.event_type == E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        request = (event.workflow_execution_update_accepted_event_attributes.accepted_request if accepted
                   else event.workflow_execution_update_admitted_event_attributes.request)
        fields = await self._safe_fields(request.input.args)
        name, actor = request.input.name, fields.get("actor", "")
        self._updates[request.meta.update_id] = (name, actor)
        if not accepted:
            return [("update", actor, f"update {label(name).lower()} by {actor or 'unknown'} re-applied by a reset")]
        extra = "".join(f", {k} {fields[k]!s}" for k in ("step", "reason") if k in fields)
        return [("update", actor, f"update {label(name).lower()} by {actor or 'unknown'} accepted{extra}")]

    def _update_done(self, a) -> list[tuple[str, str, str]]:
        name, actor = self._updates.get(a.meta.update_id, ("", ""))
        if a.outcome.HasField("failure"):
            return [("update", actor, f"update {label(name).lower()} by {actor or 'unknown'} "
                                      f"rejected: {a.outcome.failure.message}")]
        return []

    async def _safe_fields(self, args) -> dict:
        if not args.payloads:
            return {}
        value = (await self._converter.decode(args.payloads))[0]
        if not isinstance(value, dict):
            return {}
        return {k: value[k] for k in SAFE_INPUT_FIELDS if value.get(k) not in (None, "")}

    async def _summary(self, event) -> str:
        if not event.user_metadata.HasField("summary"):
            return ""
        decoded = (await self._converter.decode([event.user_metadata.summary]))[0]
        return decoded if isinstance(decoded, str) else ""

    def _task_failed(self, a) -> list[tuple[str, str, str]]:
        if a.cause == WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW:
            return [("support", a.identity, f"reset: {a.failure.message} (new run {a.new_run_id})")]
        cause = WorkflowTaskFailedCause.Name(a.cause).removeprefix("WORKFLOW_TASK_FAILED_CAUSE_").lower()
        return [("problem", "", f"workflow task failed ({cause.replace('_', ' ')}): {a.failure.message}")]

    def _ending(self, event) -> list[tuple[str, str, str]]:
        kind = event.event_type
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            return [("workflow", "", "process finished")]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
            return [("workflow", "", f"process failed: {event.workflow_execution_failed_event_attributes.failure.message}")]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
            a = event.workflow_execution_cancel_requested_event_attributes
            return [("support", a.identity, "cancellation requested" + (f": {a.cause}" if a.cause else ""))]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
            return [("workflow", "", "process cancelled")]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
            a = event.workflow_execution_terminated_event_attributes
            return [("support", a.identity, f"process terminated: {a.reason}")]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return [("workflow", "", "process continued in a new run (history kept short)")]
        return []
