"""What a process page shows, gathered from the projection, the audit log and the workflow."""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from models import AuditEvent, ProcessRecord

from .catalog import ProcessKind
from .labels import step_label

TERMINAL = ("completed", "failed", "cancelled", "terminated")


@dataclass(frozen=True)
class StepState:
    name: str
    label: str
    state: str  # "done", "current" or "pending"
    number: int


def stepper(kind: ProcessKind, record: ProcessRecord) -> list[StepState]:
    """The process's steps with the current one marked; all done once it completed."""
    current = kind.steps.index(record.current_step) if record.current_step in kind.steps else -1
    finished = record.status == "completed"
    states = []
    for i, step in enumerate(kind.steps):
        if finished or i < current:
            state = "done"
        elif i == current:
            state = "current"
        else:
            state = "pending"
        states.append(StepState(step, step_label(step), state, i + 1))
    return states


def history(workflow_id: str, limit: int = 200) -> list[AuditEvent]:
    """Everything people and the workflow recorded about the process, oldest first."""
    return list(AuditEvent.select().where(AuditEvent.target_id == workflow_id)
                .order_by(AuditEvent.id).limit(limit))


def facts(status) -> list[tuple[str, object]]:
    """The workflow's own status answer, flattened to (name, value) pairs worth showing."""
    if status is None or not dataclasses.is_dataclass(status):
        return []
    pairs = []
    for name, value in dataclasses.asdict(status).items():
        if isinstance(value, dict):
            pairs += [(key, inner) for key, inner in value.items() if inner not in (None, "")]
        elif value not in (None, "") and name not in ("step", "status", "waiting_on"):
            pairs.append((name, value))
    return pairs


def wait_for_projection(workflow_id: str, version: str, *, timeout: float = 3.0) -> ProcessRecord | None:
    """Wait briefly for the workflow to project its next state after an accepted action.

    The update returns when the workflow accepted the data; the step moves
    a moment later through the projection activity. Waiting here lets the
    page the person lands on show the new step.
    """
    deadline = time.monotonic() + timeout
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    while time.monotonic() < deadline and (record is None or record.version == version):
        time.sleep(0.1)
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    return record


def temporal_ui_link(base_url: str, namespace: str, workflow_id: str) -> str:
    return f"{base_url.rstrip('/')}/namespaces/{namespace}/workflows/{workflow_id}"
