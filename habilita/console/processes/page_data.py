"""What a process page shows, gathered from the projection, the audit log and the workflow."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass

from habilita.models import AuditEvent, ProcessRecord

from flask_babel import gettext as _

from habilita.processes import ProcessDeclaration
from habilita.states import ENDED

from habilita.console.messages import say
from habilita.messages import Message
from .labels import CHOICES, field_label

TERMINAL = ENDED


@dataclass(frozen=True)
class StepState:
    name: str
    label: str
    state: str  # "done", "current" or "pending"
    number: int


def stepper(declaration: ProcessDeclaration, record: ProcessRecord) -> list[StepState]:
    """The process's steps with the current one marked; all done once it completed."""
    names = declaration.step_names
    current = names.index(record.current_step) if record.current_step in names else -1
    finished = record.status == "completed"
    states = []
    for i, step in enumerate(declaration.steps):
        if finished or i < current:
            state = "done"
        elif i == current:
            state = "current"
        else:
            state = "pending"
        states.append(StepState(step.name, _(step.label), state, i + 1))
    return states


def history(workflow_id: str, limit: int = 200) -> list[AuditEvent]:
    """Everything people and the workflows recorded about the process and its children, oldest first."""
    mine = (AuditEvent.target_id == workflow_id) | AuditEvent.target_id.startswith(workflow_id + "-")
    return list(AuditEvent.select().where(mine).order_by(AuditEvent.id).limit(limit))


# Internals a person does not need (the letter itself is listed under documents).
HIDDEN_FACTS = ("step", "status", "waiting_on", "active_workflow_id", "letter", "stored_file_id", "sha256",
                "warning", "resolutions", "offers",  # resolutions, offers: choices in the step's forms
                "accounting_company_id", "current_sync_id",  # shown by its name; the sync's workflow id
                "rejections")  # DIAN's answers, document by document, have their own table


def warning_of(status) -> Message | None:
    """The workflow's warning for the current step (e.g. the NIT that will be locked), if it has one."""
    return getattr(status, "warning", None) or None


def warnings(statuses) -> list[str]:
    """The workflows' warnings for the current step, in the user's language."""
    return [say(w) for w in map(warning_of, statuses) if w]


def answer_words(answer) -> str | None:
    """What a workflow said back after an action (e.g. a loan date that does not move), in the user's
    language; None when its answer is data (a dataclass the page shows as facts) or nothing.

    Data that carries a message of its own (``message``: whether a detail-account change applied, what a
    payment check found) says that message.
    """
    if is_message(answer):
        return say(answer)
    said = answer.get("message") if isinstance(answer, dict) else getattr(answer, "message", None)
    return say(said) if is_message(said) else None


def is_message(value) -> bool:
    """Whether a status value is something the workflow says (a message, or one as the status's dict holds it)."""
    return isinstance(value, Message) or (isinstance(value, dict) and set(value) == {"code", "params"})


def facts(status) -> list[tuple[str, str]]:
    """The workflow's own status answer, flattened to (name, readable value) pairs worth showing."""
    if status is None or not dataclasses.is_dataclass(status):
        return []
    pairs = []
    for name, value in dataclasses.asdict(status).items():
        if name in HIDDEN_FACTS:
            continue
        items = value.items() if isinstance(value, dict) and not is_message(value) else [(name, value)]
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
    if is_message(value):
        return say(value)  # what the workflow says, e.g. what DIAN answered last
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k)}: {readable(v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, str) and value in CHOICES:
        return str(CHOICES[value])
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
