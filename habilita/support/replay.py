"""Replay a process's stored history against the current workflow code.

A consistent replay means the code deployed now would make exactly the
decisions the history records; a non-determinism error names the first
event where it would not (a step added, removed or reordered without a
version marker).
"""
from __future__ import annotations

from dataclasses import dataclass

from temporalio.client import Client
from temporalio.worker import Replayer

from habilita.workflows.registry import WORKFLOWS

from .history import fetch_histories


@dataclass(frozen=True)
class RunVerdict:
    run_id: str
    consistent: bool
    problem: str = ""


@dataclass(frozen=True)
class ReplayVerdict:
    workflow_id: str
    runs: tuple[RunVerdict, ...]

    @property
    def consistent(self) -> bool:
        return all(r.consistent for r in self.runs)

    def summary(self) -> str:
        """One line: consistent, or the first run that is not and why."""
        if self.consistent:
            return f"{self.workflow_id}: consistent with the current code ({len(self.runs)} run(s) replayed)"
        bad = next(r for r in self.runs if not r.consistent)
        return f"{self.workflow_id}: NOT consistent with the current code: run {bad.run_id}: {bad.problem}"


async def verify_process(client: Client, workflow_id: str, *, workflows: list[type] | None = None) -> ReplayVerdict:
    """Replay every run of ``workflow_id`` against ``workflows`` (default: the worker's)."""
    replayer = Replayer(workflows=workflows if workflows is not None else WORKFLOWS,
                        data_converter=client.data_converter)
    verdicts = []
    for run_id, history in await fetch_histories(client, workflow_id):
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        failure = result.replay_failure
        verdicts.append(RunVerdict(run_id=run_id, consistent=failure is None,
                                   problem="" if failure is None else f"{type(failure).__name__}: {failure}"))
    return ReplayVerdict(workflow_id=workflow_id, runs=tuple(verdicts))
