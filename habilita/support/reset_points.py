"""Where in a history each step began: the event a reset to that step goes back to.

Every transition upserts the ``Step`` search attribute in the workflow task
that decides it (see ``habilita.workflows.process.ProcessTracker``), so the step began
in the workflow task completed just before that upsert. Resetting to that
``WorkflowTaskCompleted`` event makes the new run decide the step again, with
every later activity result dropped; one-time side effects stay single
because activities key them on workflow id + step.
"""
from __future__ import annotations

from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.converter import decode_typed_search_attributes

from habilita.workflows import attributes

from .errors import StepNotFound


@dataclass(frozen=True)
class StepStart:
    step: str
    event_id: int  # the WorkflowTaskCompleted event to reset to
    upsert_event_id: int


def step_starts(history: WorkflowHistory) -> list[StepStart]:
    """Every time the process entered a step (a step re-entered after a reset counts again)."""
    starts, last_completed, current = [], None, None
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_completed = event.event_id
        elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            upserted = decode_typed_search_attributes(
                event.upsert_workflow_search_attributes_event_attributes.search_attributes)
            step = upserted.get(attributes.STEP)
            if step is not None and step != current and last_completed is not None:
                starts.append(StepStart(step=step, event_id=last_completed, upsert_event_id=event.event_id))
            if step is not None:
                current = step
    return starts


def step_reset_point(history: WorkflowHistory, step: str) -> StepStart:
    """The latest start of ``step`` in ``history``, or ``StepNotFound`` naming the steps there are."""
    starts = [s for s in step_starts(history) if s.step == step]
    if not starts:
        seen = list(dict.fromkeys(s.step for s in step_starts(history)))
        if not seen:
            raise StepNotFound("support.no_step_began", id=history.workflow_id, step=step)
        raise StepNotFound("support.step_never_began", id=history.workflow_id, step=step, steps=seen)
    return starts[-1]
