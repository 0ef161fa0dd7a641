"""Where in a history each step began: the event a reset to that step goes back to.

Every transition upserts the ``Step`` search attribute in the workflow task
that decides it (see ``habilita.workflows.process.ProcessTracker``), so the step began
in the workflow task completed just before that upsert. Resetting to that
``WorkflowTaskCompleted`` event makes the new run decide the step again, with
every later activity result dropped; one-time side effects stay single
because activities key them on workflow id + step.

A step that waits on a person is reset to the workflow task after the one
that entered it instead: the new run stands at the step, waiting, as it did.
The updates people sent from then on are re-applied to a run that is at
their step, so its validators take them (re-applied to the task that enters
the step, they would meet the step before and be refused).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.converter import decode_typed_search_attributes

from habilita.workflows import attributes

from .errors import StepNotFound


PEOPLE = ("staff", "company")


@dataclass(frozen=True)
class StepStart:
    step: str
    event_id: int  # the WorkflowTaskCompleted event to reset to
    upsert_event_id: int
    waiting_on: str = ""  # whom the step waits on ("nobody" as the attribute says it when no one)
    entered_at: datetime | None = None  # when the step began (the upsert's time, UTC)

    @property
    def waits_on_person(self) -> bool:
        return self.waiting_on in PEOPLE


def step_starts(history: WorkflowHistory) -> list[StepStart]:
    """Every time the process entered a step (a step re-entered after a reset counts again)."""
    starts, last_completed, current = [], None, None
    waiting_start: int | None = None  # the index in starts of a step on a person, until the next task completes
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_completed = event.event_id
            if waiting_start is not None:
                entered = starts[waiting_start]
                starts[waiting_start] = replace(entered, event_id=event.event_id)
                waiting_start = None
        elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            upserted = decode_typed_search_attributes(
                event.upsert_workflow_search_attributes_event_attributes.search_attributes)
            step = upserted.get(attributes.STEP)
            if step is not None and step != current and last_completed is not None:
                starts.append(StepStart(step=step, event_id=last_completed, upsert_event_id=event.event_id,
                                        waiting_on=upserted.get(attributes.WAITING_ON) or "",
                                        entered_at=event.event_time.ToDatetime()))
                waiting_start = len(starts) - 1 if starts[-1].waits_on_person else None
            elif step is not None and step != current:
                waiting_start = None
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
