"""Which workflow a process page acts on: the process itself, or the child running its step."""
from __future__ import annotations

from dataclasses import dataclass

from habilita.models import ProcessRecord

from .catalog import KINDS, ProcessKind


@dataclass(frozen=True)
class ActingOn:
    """The workflow whose current step the forms belong to."""

    workflow_id: str
    kind: ProcessKind
    record: ProcessRecord
    is_child: bool


def acting_on(kind: ProcessKind, record: ProcessRecord) -> ActingOn:
    """The child workflow when the current step runs in one (and it has projected itself), else the process."""
    child = kind.child_at(record.current_step)
    if child is not None:
        suffix, child_kind = child
        child_record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == record.workflow_id + suffix)
        if child_record is not None:
            return ActingOn(child_record.workflow_id, child_kind, child_record, True)
    return ActingOn(record.workflow_id, kind, record, False)


def top_level(workflow_id: str) -> ProcessRecord | None:
    """The process a child belongs to (or the process itself), for the page to return to."""
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    if record is None:
        return None
    for parent_kind in KINDS.values():
        for suffix, child_kind in parent_kind.children.values():
            if record.process_type == child_kind.process_type and workflow_id.endswith(suffix):
                parent = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id[: -len(suffix)])
                if parent is not None:
                    return parent
    return record
