"""What the console asks of Temporal: start a process, send a step's update, read its status.

Every call goes through the one :class:`~habilita.console.temporal_bridge.TemporalBridge`;
refusals come back as :class:`Refused`, with the validator's messages by field.
"""
from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass, field

from temporalio.client import WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError

from habilita.settings import Settings
from habilita.models import Company
from habilita.workflows.inputs import INVALID_INPUT, WRONG_STEP

from habilita.console.temporal_bridge import TemporalBridge
from .catalog import ProcessKind, UpdateAction


@dataclass
class Refused(Exception):
    """The workflow (or Temporal) said no; ``fields`` maps a field to its messages."""

    message: str
    kind: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def start_process(bridge: TemporalBridge, kind: ProcessKind, company: Company, *, actor: str,
                  settings: Settings) -> str:
    """Start ``kind`` for ``company``; returns the workflow id.

    Raises ``Refused`` when the company already has that process running.
    """
    workflow_id = kind.workflow_id(company)
    start_input = kind.build_start(company, actor, settings)

    async def start(client):
        return await client.start_workflow(
            kind.workflow.run, start_input, id=workflow_id, task_queue=settings.task_queue,
            static_summary=f"{kind.process_type} {company.legal_name} {company.display_tax_id}",
        )

    try:
        bridge.call(start)
    except WorkflowAlreadyStartedError as exc:
        raise Refused("already started", kind="AlreadyStarted") from exc
    return workflow_id


def send_update(bridge: TemporalBridge, workflow_id: str, action: UpdateAction, data) -> object:
    """Send ``data`` through the update; returns its result or raises ``Refused``."""

    async def update(client):
        return await client.get_workflow_handle(workflow_id).execute_update(action.method, data)

    try:
        return bridge.call(update)
    except WorkflowUpdateFailedError as exc:
        raise refusal_from(exc.cause) from exc
    except RPCError as exc:
        raise Refused(exc.message, kind="Unavailable") from exc


def refusal_from(cause: BaseException | None) -> Refused:
    """Read the validator's failure: ``InvalidInput`` details are ``{"field", "message"}`` items."""
    if isinstance(cause, ApplicationError):
        fields: dict[str, list[str]] = {}
        if cause.type == INVALID_INPUT:
            for item in cause.details or ():
                if isinstance(item, dict) and "field" in item:
                    fields.setdefault(item["field"], []).append(str(item.get("message", "")))
        return Refused(cause.message, kind=cause.type or "", fields=fields)
    return Refused(str(cause) if cause else "refused", kind="Failed")


def query_status(bridge: TemporalBridge, kind: ProcessKind, workflow_id: str):
    """The workflow's ``status`` query result, or None when it has none or cannot answer."""
    query = getattr(kind.workflow, "status", None)
    if query is None:
        return None

    async def ask(client):
        return await client.get_workflow_handle(workflow_id).query(query)

    try:
        return bridge.call(ask, timeout=5)
    except (RPCError, WorkflowQueryFailedError, concurrent.futures.TimeoutError):
        # The page still shows the projection; the live facts are a bonus.
        return None


__all__ = ["Refused", "WRONG_STEP", "query_status", "refusal_from", "send_update", "start_process"]
