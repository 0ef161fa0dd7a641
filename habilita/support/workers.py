"""Whether a worker serves the task queue: without one no process moves, and no process says so.

A process waiting on a worker that is gone shows nothing wrong of its own: its
next workflow task or activity simply waits in Temporal's task queue. A worker
asks for work in long polls of up to a minute, one after another, and Temporal
keeps, for a few minutes, each poller's identity and the time of its last poll
(``DescribeTaskQueue``). A worker that is alive has polled within the last long
poll; one killed or stopped has not since. So the queue of stuck processes
says, above the processes, when no worker has polled for ``SILENCE``.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from habilita.messages import Message
from habilita.messages.durations import span

# One long poll (a minute) and a margin: a live worker, idle or busy, has polled within it.
SILENCE = dt.timedelta(minutes=2)
KINDS = (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)


@dataclass(frozen=True)
class WorkerPresence:
    """What Temporal knows of the workers polling ``task_queue``, as of ``checked_at`` (UTC)."""

    task_queue: str
    checked_at: dt.datetime
    last_poll: dt.datetime | None  # the newest poll of any worker, for workflow or activity tasks
    identities: tuple[str, ...] = ()

    @property
    def serving(self) -> bool:
        return self.last_poll is not None and self.checked_at - self.last_poll <= SILENCE

    def problem(self) -> Message | None:
        """Why no process moves, for the top of the queue; ``None`` while a worker serves."""
        if self.serving:
            return None
        if self.last_poll is None:
            return Message("stuck.no_worker", {"task_queue": self.task_queue})
        return Message("stuck.workers_silent", {"task_queue": self.task_queue,
                                                "silent": span(self.checked_at - self.last_poll)})


async def worker_presence(client: Client, task_queue: str) -> WorkerPresence:
    """Ask Temporal who polled ``task_queue`` lately, for workflow and for activity tasks."""
    answers = await asyncio.gather(*(client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
        namespace=client.namespace, task_queue=TaskQueue(name=task_queue), task_queue_type=kind)) for kind in KINDS))
    pollers = [p for answer in answers for p in answer.pollers]
    polls = [p.last_access_time.ToDatetime(tzinfo=dt.timezone.utc) for p in pollers if p.HasField("last_access_time")]
    return WorkerPresence(task_queue=task_queue, checked_at=dt.datetime.now(dt.timezone.utc),
                          last_poll=max(polls, default=None),
                          identities=tuple(sorted({p.identity for p in pollers})))
