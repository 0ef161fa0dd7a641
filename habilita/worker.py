"""One worker that registers every workflow and activity of habilita."""
from __future__ import annotations

import concurrent.futures
import os
import socket
from collections.abc import Sequence

from temporalio.client import Client
from temporalio.worker import Worker

from habilita.activities.accounting_sync import accounting_activities
from habilita.activities.channel_connection import channel_connection_activities
from habilita.activities.channel_orders import channel_order_activities
from habilita.activities.health import ActivityHealth
from habilita.activities.process import ProcessActivities
from habilita.activities.wiring import enablement_activities
from habilita.workflow_sandbox import OnceImportedSandbox
from habilita.workflows.registry import WORKFLOWS

from .settings import Settings

# Workflow runs the worker keeps in memory between their tasks (Temporal's sticky cache). A run waiting on a
# person needs no memory, only its timer on the server: past this many, the least recently used runs are let
# go and a step sent to one replays its history first (milliseconds, with the sandbox imported once).
MAX_CACHED_WORKFLOWS = 2_000
# Activities a worker takes at once, and local activities (projections and the other short writes run inside
# workflow tasks: workflows.process.bookkeeping): no more than it has threads for. An activity taken but left
# queued behind busy threads would miss its heartbeats, and one worker would hoard work that another worker on
# the same task queue could be running.
ACTIVITY_SLOTS = 32
LOCAL_ACTIVITY_SLOTS = 16
# Payloads stored outside the history, fetched or stored at once per workflow task: habilita stores none, and
# with more than one Temporal's worker wraps every payload of every task in an asyncio task of its own to
# bound that concurrency, for nothing.
EXTERNAL_STORAGE_CONCURRENCY = 1


def build_activities(settings: Settings, client: Client | None = None) -> list:
    """Every activity, as bound methods of objects built with their dependencies. ``client``: what P4's
    order activities signal and start workflows with (the worker's own; without it they cannot)."""
    process = ProcessActivities()
    return [process.project, process.record_audit, *enablement_activities(settings),
            *accounting_activities(), *channel_connection_activities(settings),
            *channel_order_activities(settings, client)]


def workflow_runner() -> OnceImportedSandbox:
    """Temporal's sandbox, restrictions kept, importing each workflow module once per worker
    (``habilita.workflow_sandbox``); every worker of ours runs its workflows in one."""
    return OnceImportedSandbox()


def build_worker(client: Client, settings: Settings, *, task_queue: str | None = None,
                 activity_executor: concurrent.futures.Executor | None = None,
                 workflows: Sequence[type] = WORKFLOWS, activities: Sequence | None = None) -> Worker:
    """The worker of ``workflows`` (every one of habilita's) and ``activities`` (every one, built from ``settings``).

    Tests and drills that add workflows or activities of their own pass them here, so that they run
    in the same sandbox, with the same interceptors, as the real ones.
    """
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=list(workflows),
        activities=build_activities(settings, client) if activities is None else list(activities),
        activity_executor=activity_executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=ACTIVITY_SLOTS + LOCAL_ACTIVITY_SLOTS, thread_name_prefix="activity"),
        max_concurrent_activities=ACTIVITY_SLOTS,
        max_concurrent_local_activities=LOCAL_ACTIVITY_SLOTS,
        interceptors=[ActivityHealth()],
        workflow_runner=workflow_runner(),
        max_cached_workflows=MAX_CACHED_WORKFLOWS,
        max_workflow_task_external_storage_concurrency=EXTERNAL_STORAGE_CONCURRENCY,
        identity=worker_identity(),
    )


def worker_identity() -> str:
    """Each worker process names itself: with several on one task queue, a history and the pending
    activities say which one ran an attempt (the one that died, the one that took over)."""
    return f"habilita-worker {os.getpid()}@{socket.gethostname()}"
