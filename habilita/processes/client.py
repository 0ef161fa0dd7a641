"""The one process client of the console, the CLI, support and the demo.

It starts a declared process for a company, sends a step's update, reads the
workflow's status and describes it; every refusal comes back as a
:class:`~habilita.processes.refusals.Refusal`.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Callable

from temporalio.client import (
    Client, WorkflowExecutionDescription, WorkflowHandle, WorkflowQueryFailedError, WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from habilita.messages import Message
from habilita.messages.locale import gettext_for

from .declaration import Action, ProcessDeclaration
from .refusals import UNAVAILABLE, Refusal, refusal_from

# A person waits at most this long for an action that asks DIAN or billing (the workflow goes on asking).
OUTSIDE_ANSWER_WITHIN = 1.5
# How long the workflow may take to record (accept) an update: its worker must be up.
ACCEPT_WITHIN = 10.0


@dataclass(frozen=True)
class StillWorking:
    """The workflow recorded the action and is still at it (e.g. DIAN has not answered): what to tell the person."""

    message: Message


class ProcessClient:
    """Processes over one Temporal client; ``task_queue`` is where their workers listen."""

    def __init__(self, client: Client, *, task_queue: str):
        self.client = client
        self.task_queue = task_queue

    def handle(self, workflow_id: str) -> WorkflowHandle:
        return self.client.get_workflow_handle(workflow_id)

    async def start(self, declaration: ProcessDeclaration, company, *, actor: str, settings,
                    if_running: str = "use") -> WorkflowHandle:
        """Start ``declaration`` for ``company``.

        A company has one live process of each type: with ``if_running="use"``
        the one already running is returned, with ``"refuse"`` a
        ``Refusal(AlreadyStarted)`` is raised.
        """
        policy = (WorkflowIDConflictPolicy.USE_EXISTING if if_running == "use"
                  else WorkflowIDConflictPolicy.FAIL)
        try:
            return await self.client.start_workflow(
                declaration.run, declaration.build_start(company, actor, settings),
                id=declaration.workflow_id(company), task_queue=self.task_queue, id_conflict_policy=policy,
                # What Temporal's Web UI shows for the run, in the console's language.
                static_summary=(f"{gettext_for(settings.admin_locale)(declaration.label)}: "
                                f"{company.legal_name} ({company.display_tax_id})"),
            )
        except (WorkflowAlreadyStartedError, RPCError) as error:
            raise refusal_from(error) from error

    async def send(self, workflow_id: str, action: Action | Callable, data, *, answer_within: float | None = None):
        """Send ``data`` through ``action``'s update (or an update method itself); its answer, or a ``Refusal``.

        With ``answer_within`` (seconds), or for an action that asks an outside
        system (``Action.asks``), the update is sent and its acceptance awaited
        (the workflow has recorded it: nothing is lost); if its answer takes
        longer than that, :class:`StillWorking` says so and the workflow goes
        on in the background.
        """
        update = action.update if isinstance(action, Action) else action
        if answer_within is None and isinstance(action, Action) and action.asks:
            answer_within = OUTSIDE_ANSWER_WITHIN
        try:
            if answer_within is None:
                return await self.handle(workflow_id).execute_update(update, data)
            accepted = await asyncio.wait_for(self.handle(workflow_id).start_update(
                update, data, wait_for_stage=WorkflowUpdateStage.ACCEPTED), timeout=ACCEPT_WITHIN)
            try:
                return await asyncio.wait_for(asyncio.shield(accepted.result()), timeout=answer_within)
            except asyncio.TimeoutError:
                asks = action.asks if isinstance(action, Action) else ""
                return StillWorking(Message(f"answer.still_working_{asks or 'system'}"))
        except asyncio.TimeoutError:
            raise Refusal(UNAVAILABLE, message="the process did not take the action in time") from None
        except (WorkflowUpdateFailedError, RPCError) as error:
            raise refusal_from(error) from error

    async def status(self, declaration: ProcessDeclaration, workflow_id: str):
        """The workflow's own ``status`` answer (None for a process without one); a ``Refusal`` when it cannot."""
        if declaration.status_query is None:
            return None
        try:
            return await self.handle(workflow_id).query(declaration.status_query)
        except (WorkflowQueryFailedError, RPCError) as error:
            raise refusal_from(error) from error

    async def describe(self, workflow_id: str) -> WorkflowExecutionDescription:
        try:
            return await self.handle(workflow_id).describe()
        except RPCError as error:
            raise refusal_from(error) from error
