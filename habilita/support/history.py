"""Every run of a process, each with its Temporal history.

A support reset starts a new run whose history copies the old one up to the
reset point; the old run keeps what came after it. An audit reads them all.
"""
from __future__ import annotations

from temporalio.client import Client, WorkflowHistory


async def run_ids(client: Client, workflow_id: str) -> list[str]:
    """The run ids of ``workflow_id``, oldest first (the current run always included)."""
    runs = {}
    async for execution in client.list_workflows(f"WorkflowId = '{_quoted(workflow_id)}'"):
        runs[execution.run_id] = execution.start_time
    # Visibility is eventually consistent: a run started a moment ago may be
    # missing from the listing, never from describe().
    current = await client.get_workflow_handle(workflow_id).describe()
    runs.setdefault(current.run_id, current.start_time)
    return [run_id for run_id, _ in sorted(runs.items(), key=lambda item: item[1])]


async def fetch_histories(client: Client, workflow_id: str) -> list[tuple[str, WorkflowHistory]]:
    """(run id, history) of every run of ``workflow_id``, oldest run first.

    The run id travels beside the history: a reset run's first event is a
    copy of the base run's, so the history alone does not say which run it is.
    """
    return [(run_id, await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history())
            for run_id in await run_ids(client, workflow_id)]


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
