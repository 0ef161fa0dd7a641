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

from habilita.workflow_sandbox import OnceImportedSandbox
from habilita.workflows.registry import WORKFLOWS

from .history import fetch_histories

# The sandbox every replay of this process runs in. Temporal's default one imports the workflow modules again
# to check each workflow class whenever a replayer starts, and again for each run: ~0.3 s a run, and a page
# that replays a process with several runs waited seconds. This one imports them once per process.
REPLAY_SANDBOX = OnceImportedSandbox()


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
    """Replay every run of ``workflow_id`` against ``workflows`` (default: the worker's), all through one replayer."""
    replayer = Replayer(workflows=workflows if workflows is not None else WORKFLOWS,
                        data_converter=client.data_converter, workflow_runner=REPLAY_SANDBOX)
    runs = await fetch_histories(client, workflow_id)

    async def histories():
        for _, history in runs:
            yield history

    # The replayer answers in the order it was given the histories; the run id travels beside its history
    # (see ``fetch_histories``).
    run_ids = iter([run_id for run_id, _ in runs])
    verdicts = []
    async with replayer.workflow_replay_iterator(histories()) as results:
        async for result in results:
            failure = result.replay_failure
            verdicts.append(RunVerdict(run_id=next(run_ids), consistent=failure is None,
                                       problem="" if failure is None else f"{type(failure).__name__}: {failure}"))
    return ReplayVerdict(workflow_id=workflow_id, runs=tuple(verdicts))
