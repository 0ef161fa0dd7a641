"""What a process page shows, gathered from the projection, the audit log and the workflow."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass

from habilita.models import AuditEvent, ProcessRecord

from .catalog import ProcessKind
from flask_babel import gettext as _

from habilita.console.messages import translated
from .labels import CHOICES, field_label, step_label

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
    """Everything people and the workflows recorded about the process and its children, oldest first."""
    mine = (AuditEvent.target_id == workflow_id) | AuditEvent.target_id.startswith(workflow_id + "-")
    return list(AuditEvent.select().where(mine).order_by(AuditEvent.id).limit(limit))


# Internals a person does not need (the letter itself is listed under documents).
HIDDEN_FACTS = ("step", "status", "waiting_on", "active_workflow_id", "letter", "stored_file_id", "sha256",
                "warning", "resolutions")  # resolutions: offered as the voucher type's choice


def warning_of(status) -> str:
    """The workflow's warning for the current step (e.g. the NIT that will be locked), if it has one."""
    return getattr(status, "warning", "") or ""


def facts(status) -> list[tuple[str, str]]:
    """The workflow's own status answer, flattened to (name, readable value) pairs worth showing."""
    if status is None or not dataclasses.is_dataclass(status):
        return []
    pairs = []
    for name, value in dataclasses.asdict(status).items():
        if name in HIDDEN_FACTS:
            continue
        items = value.items() if isinstance(value, dict) else [(name, value)]
        for key, inner in items:
            if key in HIDDEN_FACTS or inner in (None, "", (), []):
                continue
            pairs.append((key, readable(inner)))
    return pairs


def readable(value) -> str:
    """A status value as a person reads it: words for choices and yes/no, dates without microseconds."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, tuple)):
        return "; ".join(readable(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k)}: {readable(v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, str) and value in CHOICES:
        return str(CHOICES[value])
    if isinstance(value, str):
        return translated(value)  # a workflow's sentence, e.g. what DIAN answered last
    return str(value)


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
