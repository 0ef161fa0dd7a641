"""One worker that registers every workflow and activity of habilita."""
from __future__ import annotations

import concurrent.futures

from temporalio.client import Client
from temporalio.worker import Worker

from habilita.activities.accounting_sync import accounting_activities
from habilita.activities.health import ActivityHealth
from habilita.activities.process import ProcessActivities
from habilita.activities.wiring import enablement_activities
from habilita.workflows.registry import WORKFLOWS

from .settings import Settings


def build_activities(settings: Settings) -> list:
    """Every activity, as bound methods of objects built with their dependencies."""
    process = ProcessActivities()
    return [process.project, process.record_audit, *enablement_activities(settings),
            *accounting_activities()]


def build_worker(client: Client, settings: Settings, *, task_queue: str | None = None,
                 activity_executor: concurrent.futures.Executor | None = None) -> Worker:
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=build_activities(settings),
        activity_executor=activity_executor or concurrent.futures.ThreadPoolExecutor(max_workers=16),
        interceptors=[ActivityHealth()],
    )
