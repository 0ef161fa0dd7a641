"""Which workflow a process page acts on: the process itself, or the child running its step."""
from __future__ import annotations

from dataclasses import dataclass

from habilita.models import ProcessRecord
from habilita.processes import ProcessDeclaration, parent_of


@dataclass(frozen=True)
class ActingOn:
    """The workflow whose current step the forms belong to."""

    workflow_id: str
    kind: ProcessDeclaration
    record: ProcessRecord
    is_child: bool


def acting_on(declaration: ProcessDeclaration, record: ProcessRecord) -> ActingOn:
    """The child workflow when the current step runs in one (and it has projected itself), else the process."""
    child = declaration.child_at(record.current_step)
    # A child with a suffix projects itself; one named by the parent's status (the sync) acts through the parent.
    if child is not None and child.child_suffix:
        child_record = ProcessRecord.get_or_none(
            ProcessRecord.workflow_id == child.child_workflow_id(record.workflow_id))
        if child_record is not None:
            return ActingOn(child_record.workflow_id, child, child_record, True)
    return ActingOn(record.workflow_id, declaration, record, False)


def top_level(workflow_id: str) -> ProcessRecord | None:
    """The process a child belongs to (or the process itself), for the page to return to."""
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    if record is None:
        return None
    parent = parent_of(workflow_id, record.process_type)
    if parent is not None:
        parent_record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == parent[1])
        if parent_record is not None:
            return parent_record
    return record
