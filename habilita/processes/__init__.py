"""One declaration per process type, and the one client that starts and drives them.

``STARTABLE`` are the processes a person starts for a company; ``DECLARATIONS``
holds every process type a ``ProcessRecord`` may carry, children included.
"""
from __future__ import annotations

from .accounting import ACCOUNTING, ACCOUNTING_SYNC
from .channels import CHANNELS
from .declaration import Action, ProcessDeclaration, Step, process_workflow_id
from .einvoicing import CERTIFICATE, EINVOICING, TEST_SET
from .support_document import SUPPORT_DOCUMENT

STARTABLE: dict[str, ProcessDeclaration] = {
    d.process_type: d for d in (EINVOICING, SUPPORT_DOCUMENT, ACCOUNTING, CHANNELS)}
DECLARATIONS: dict[str, ProcessDeclaration] = {
    d.process_type: d for d in (EINVOICING, CERTIFICATE, TEST_SET, SUPPORT_DOCUMENT, ACCOUNTING, ACCOUNTING_SYNC,
                                CHANNELS)}


def declaration(process_type: str) -> ProcessDeclaration | None:
    return DECLARATIONS.get(process_type)


def by_cli_name(name: str) -> ProcessDeclaration | None:
    return next((d for d in STARTABLE.values() if d.cli_name == name), None)


def parent_of(workflow_id: str, process_type: str) -> tuple[ProcessDeclaration, str] | None:
    """The parent declaration and workflow id of a child process's workflow, if it is one."""
    for parent in STARTABLE.values():
        for child in parent.children():
            if child.process_type == process_type and child.child_suffix and workflow_id.endswith(child.child_suffix):
                return parent, workflow_id[: -len(child.child_suffix)]
    return None


__all__ = ["ACCOUNTING", "ACCOUNTING_SYNC", "Action", "CERTIFICATE", "CHANNELS", "DECLARATIONS", "EINVOICING",
           "ProcessDeclaration", "STARTABLE", "SUPPORT_DOCUMENT", "Step", "TEST_SET", "by_cli_name", "declaration",
           "parent_of", "process_workflow_id"]
