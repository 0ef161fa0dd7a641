"""What the console asks of Temporal: start a process, send a step's update, read its status.

Every call goes through the one :class:`~habilita.console.temporal_bridge.TemporalBridge`
to the one :class:`~habilita.processes.client.ProcessClient`; refusals come back as
:class:`~habilita.processes.refusals.Refusal`, with the validator's problems by field.
"""
from __future__ import annotations

import concurrent.futures

from habilita.console.temporal_bridge import TemporalBridge, TemporalUnavailable
from habilita.models import Company
from habilita.processes import Action, ProcessDeclaration
from habilita.processes.client import ProcessClient
from habilita.processes.refusals import NO_ANSWER, UNAVAILABLE, WRONG_STEP, Refusal
from habilita.settings import Settings


# Longest a person's request waits on a step's update (an action that asks DIAN or billing answers in
# ``OUTSIDE_ANSWER_WITHIN``); under a reverse proxy's usual 30 s.
SEND_TIMEOUT = 20.0


def _processes(client, settings: Settings) -> ProcessClient:
    return ProcessClient(client, task_queue=settings.task_queue)


def start_process(bridge: TemporalBridge, declaration: ProcessDeclaration, company: Company, *, actor: str,
                  settings: Settings) -> str:
    """Start ``declaration`` for ``company``; returns the workflow id.

    Raises ``Refusal(AlreadyStarted)`` when the company already has that process running.
    """
    async def start(client):
        return await _processes(client, settings).start(declaration, company, actor=actor, settings=settings,
                                                        if_running="refuse")

    return bridge.call(start).id


def send_update(bridge: TemporalBridge, settings: Settings, workflow_id: str, action: Action, data) -> object:
    """Send ``data`` through the action's update; returns its answer or raises ``Refusal``."""
    async def send(client):
        return await _processes(client, settings).send(workflow_id, action, data)

    try:
        return bridge.call(send, timeout=SEND_TIMEOUT)
    except concurrent.futures.TimeoutError:
        # The request is not answered with a 500 after the proxy's patience: the person hears why.
        raise Refusal(NO_ANSWER, message="the process did not answer in time") from None


def query_status(bridge: TemporalBridge, settings: Settings, declaration: ProcessDeclaration, workflow_id: str):
    """The workflow's ``status`` query result, or None when it has none or cannot answer."""
    async def ask(client):
        return await _processes(client, settings).status(declaration, workflow_id)

    try:
        return bridge.call(ask, timeout=5)
    except (Refusal, concurrent.futures.TimeoutError, TemporalUnavailable):
        # The page still shows the projection; the live facts are a bonus.
        return None


__all__ = ["Refusal", "UNAVAILABLE", "WRONG_STEP", "query_status", "send_update", "start_process"]
