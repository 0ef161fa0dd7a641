"""Temporal history events as messages (codes with parameters), with no secret in them.

Payloads (workflow input, update and activity arguments, results) are never
rendered; from an update's input only the fields in ``SAFE_INPUT_FIELDS``
are read, from a failed update only the problems its refusal names (what the
person was told), and an activity's result only through a describer
registered in ``RESULT_WORDS`` that picks non-secret facts ("DIAN accepted
60/60 documents"). Step, status, who and update names stay machine names:
the reader's words replace them when a message is rendered. An activity is
named by its type's code (``activity.<type>``): the summary a workflow gave
it is English for Temporal's UI, never shown here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter, decode_typed_search_attributes

from habilita.messages import Message
from habilita.messages.catalog import CODES
from habilita.messages.durations import span
from habilita.workflows import attributes

# Fields of an update's input that say who acted and why, never what they entered.
SAFE_INPUT_FIELDS = ("actor", "step", "reason")
# How the timeline names the step and reason an update's input gives.
INPUT_CODES = {"step": "timeline.input_step", "reason": "timeline.input_reason"}
# The marker a local activity leaves in the history: its type and id in "data", its result or failure.
LOCAL_ACTIVITY_MARKER = "core_local_activity"
# Bookkeeping of every transition: the step entries already say it (the audit row says itself).
UNTOLD_ACTIVITIES = ("project", "record_audit")


def _round_report(result) -> Message | None:
    """The test set's round report (activities.test_set.RoundReport): counts only."""
    if not isinstance(result, dict) or "accepted" not in result:
        return None
    rejected, pending = result.get("rejected", 0), result.get("pending", 0)
    counts = {"accepted": result["accepted"], "total": result["accepted"] + rejected + pending}
    if rejected or pending:
        return Message("timeline.round_report_open", {**counts, "rejected": rejected, "pending": pending})
    return Message("timeline.round_report", counts)


# Activity type -> a function of its decoded result giving a message (or None).
RESULT_WORDS: dict[str, Callable[[object], Message | None]] = {
    "round_report": _round_report,
}

E = EventType


@dataclass(frozen=True)
class Narrated:
    at: dt.datetime
    kind: str
    actor: str
    message: Message
    event_id: int
    event_type: str


def label(name: str) -> str:
    """``test_set`` -> ``Test set``: a machine name as the English exports write it."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


class Narrator:
    """Reads one run's history in order and tells what happened."""

    def __init__(self, converter: DataConverter):
        self._converter = converter
        self._activities: dict[int, str] = {}  # scheduled event id -> activity type
        self._updates: dict[str, tuple[str, str]] = {}  # update id -> (name, actor)
        self._state: dict[str, str] = {}
        self.children: list[str] = []  # child workflow ids, in the order they started
        # Local record_audit activity id -> (when, event id) of its marker: where its audit row stands.
        self.audit_markers: dict[str, tuple[dt.datetime, int]] = {}

    async def narrate(self, history: WorkflowHistory) -> list[Narrated]:
        told = []
        for event in history.events:
            for kind, actor, message in await self._tell(event):
                told.append(Narrated(at=event.event_time.ToDatetime(), kind=kind, actor=actor, message=message,
                                     event_id=event.event_id, event_type=E.Name(event.event_type)))
        return told

    async def _tell(self, event) -> list[tuple[str, str, Message]]:
        kind = event.event_type
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            a = event.workflow_execution_started_event_attributes
            return [("workflow", a.identity, Message("timeline.process_started", {"type": a.workflow_type.name}))]
        if kind == E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            return self._transition(event.upsert_workflow_search_attributes_event_attributes.search_attributes)
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            self._activities[event.event_id] = event.activity_task_scheduled_event_attributes.activity_type.name
            return []
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            a = event.activity_task_completed_event_attributes
            return await self._activity_done(self._activities.get(a.scheduled_event_id, ""), a.result.payloads)
        if kind == E.EVENT_TYPE_MARKER_RECORDED:
            return await self._local_activity(event)
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            a = event.activity_task_failed_event_attributes
            return [("activity", "", Message("timeline.activity_failed", {
                "what": self._activity_words(a.scheduled_event_id), "error": a.failure.message}))]
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            a = event.activity_task_timed_out_event_attributes
            return [("activity", "", Message("timeline.activity_timed_out",
                                             {"what": self._activity_words(a.scheduled_event_id)}))]
        if kind in (E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED):
            return await self._update_arrived(event)
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            return await self._update_done(event.workflow_execution_update_completed_event_attributes)
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            a = event.workflow_execution_signaled_event_attributes
            return [("signal", a.identity, Message("timeline.signal", {"name": label(a.signal_name).lower()}))]
        if kind == E.EVENT_TYPE_TIMER_STARTED:
            wait = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
            return [("timer", "", Message("timeline.timer_started", {"time": span(wait)}))]
        if kind == E.EVENT_TYPE_TIMER_FIRED:
            return [("timer", "", Message("timeline.timer_fired"))]
        if kind == E.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            return self._task_failed(event.workflow_task_failed_event_attributes)
        if kind == E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            child = event.start_child_workflow_execution_initiated_event_attributes
            if child.workflow_id not in self.children:
                self.children.append(child.workflow_id)
            return [("workflow", "", Message("timeline.child_started",
                                             {"type": child.workflow_type.name, "id": child.workflow_id}))]
        if kind == E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
            child = event.child_workflow_execution_completed_event_attributes
            return [("workflow", "", Message("timeline.child_finished", {"type": child.workflow_type.name}))]
        if kind == E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
            child = event.child_workflow_execution_failed_event_attributes
            return [("workflow", "", Message("timeline.child_failed", {"type": child.workflow_type.name,
                                                                        "error": child.failure.message}))]
        return self._ending(event)

    def _transition(self, search_attributes) -> list[tuple[str, str, Message]]:
        upserted = decode_typed_search_attributes(search_attributes)
        told = []
        step = upserted.get(attributes.STEP)
        if step is not None and step != self._state.get("step"):
            self._state["step"] = step
            told.append(("step", "", Message("timeline.step_started", {"step": step})))
        waiting = upserted.get(attributes.WAITING_ON)
        if waiting is not None and waiting != self._state.get("waiting"):
            self._state["waiting"] = waiting
            if waiting != "nobody":
                told.append(("step", "", Message("timeline.waiting_on", {"who": waiting})))
        status = upserted.get(attributes.PROCESS_STATUS)
        if status is not None and status != self._state.get("status"):
            self._state["status"] = status
            if status in ("completed", "cancelled", "failed"):
                told.append(("step", "", Message("timeline.process_status", {"status": status})))
        return told

    async def _activity_done(self, activity_type: str, result) -> list[tuple[str, str, Message]]:
        describer = RESULT_WORDS.get(activity_type)
        if describer is not None and result:
            described = describer((await self._converter.decode(result))[0])
            if described:
                return [("activity", "", described)]
        if activity_type in UNTOLD_ACTIVITIES:
            return []
        what = activity_words(activity_type or "activity")
        return [("activity", "", Message("timeline.activity_done", {"what": what}))]

    async def _local_activity(self, event) -> list[tuple[str, str, Message]]:
        """A local activity's marker, told as its regular activity's completion or failure would be."""
        a = event.marker_recorded_event_attributes
        if a.marker_name != LOCAL_ACTIVITY_MARKER or "data" not in a.details:
            return []
        data = (await self._converter.decode(a.details["data"].payloads))[0]
        activity_type = data.get("activity_type", "") if isinstance(data, dict) else ""
        if activity_type == "record_audit":
            self.audit_markers[str(data.get("activity_id", ""))] = (event.event_time.ToDatetime(), event.event_id)
        if a.HasField("failure"):
            return [("activity", "", Message("timeline.activity_failed", {
                "what": activity_words(activity_type or "activity"), "error": a.failure.message}))]
        result = a.details["result"].payloads if "result" in a.details else []
        return await self._activity_done(activity_type, result)

    def _activity_words(self, scheduled_event_id: int) -> Message | str:
        return activity_words(self._activities.get(scheduled_event_id, "activity"))

    async def _update_arrived(self, event) -> list[tuple[str, str, Message]]:
        accepted = event.event_type == E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        request = (event.workflow_execution_update_accepted_event_attributes.accepted_request if accepted
                   else event.workflow_execution_update_admitted_event_attributes.request)
        fields = await self._safe_fields(request.input.args)
        name, actor = request.input.name, fields.get("actor", "")
        self._updates[request.meta.update_id] = (name, actor)
        who = {"update": name, "actor": actor or Message("timeline.unknown_actor")}
        if not accepted:
            return [("update", actor, Message("timeline.update_reapplied", who))]
        inputs = [Message(code, {k: str(fields[k])}) for k, code in INPUT_CODES.items() if k in fields]
        if inputs:
            return [("update", actor, Message("timeline.update_accepted_with", {**who, "inputs": inputs}))]
        return [("update", actor, Message("timeline.update_accepted", who))]

    async def _update_done(self, a) -> list[tuple[str, str, Message]]:
        name, actor = self._updates.get(a.meta.update_id, ("", ""))
        if a.outcome.HasField("failure"):
            return [("update", actor, Message("timeline.update_rejected", {
                "update": name, "actor": actor or Message("timeline.unknown_actor"),
                "error": await self._refusal(a.outcome.failure)}))]
        return []

    async def _refusal(self, failure) -> list[Message] | str:
        """Why an update failed: the problems its refusal names, field by field, else the failure's own text."""
        details = failure.application_failure_info.details.payloads
        decoded = await self._converter.decode(details) if details else []
        problems = [d for d in decoded if isinstance(d, dict) and isinstance(d.get("code"), str)
                    and isinstance(d.get("params", {}), dict)]
        if not problems:
            return failure.message
        return [Message("timeline.field_problem", {"field": p["field"], "problem": _problem(p)}) if p.get("field")
                else _problem(p) for p in problems]

    async def _safe_fields(self, args) -> dict:
        if not args.payloads:
            return {}
        value = (await self._converter.decode(args.payloads))[0]
        if not isinstance(value, dict):
            return {}
        return {k: value[k] for k in SAFE_INPUT_FIELDS if value.get(k) not in (None, "")}

    def _task_failed(self, a) -> list[tuple[str, str, Message]]:
        if a.cause == WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW:
            return [("support", a.identity, Message("timeline.reset", {"reason": a.failure.message,
                                                                       "run": a.new_run_id}))]
        cause = WorkflowTaskFailedCause.Name(a.cause).removeprefix("WORKFLOW_TASK_FAILED_CAUSE_").lower()
        return [("problem", "", Message("timeline.task_failed", {"cause": cause.replace("_", " "),
                                                                 "error": a.failure.message}))]

    def _ending(self, event) -> list[tuple[str, str, Message]]:
        kind = event.event_type
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            return [("workflow", "", Message("timeline.process_finished"))]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
            failure = event.workflow_execution_failed_event_attributes.failure
            return [("workflow", "", Message("timeline.process_failed", {"error": failure.message}))]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
            a = event.workflow_execution_cancel_requested_event_attributes
            if a.cause:
                return [("support", a.identity, Message("timeline.cancel_requested_because", {"cause": a.cause}))]
            return [("support", a.identity, Message("timeline.cancel_requested"))]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
            return [("workflow", "", Message("timeline.process_status", {"status": "cancelled"}))]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
            a = event.workflow_execution_terminated_event_attributes
            return [("support", a.identity, Message("timeline.process_terminated", {"reason": a.reason}))]
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return [("workflow", "", Message("timeline.continued_as_new"))]
        return []


def activity_words(activity_type: str) -> Message | str:
    """An activity as the timeline names it: its code's words, else its type made readable (a test's own)."""
    code = f"activity.{activity_type}"
    return Message(code) if code in CODES else label(activity_type).lower()


def _problem(detail: dict) -> Message:
    return Message(detail["code"], dict(detail.get("params") or {}))
