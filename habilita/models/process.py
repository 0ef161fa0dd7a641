"""The projection of each workflow the admin lists from SQL.

Temporal is the source of truth for where a process stands; every workflow
keeps its row here current through an activity at each transition, so a list
of 100,000 processes never calls ``describe()`` per row.
"""
from __future__ import annotations

import peewee

from habilita.states import ProcessStatus, WaitingOn

from .base import BaseModel, utcnow
from .company import Company

STATUSES = tuple(str(s) for s in ProcessStatus)
WAITING_ON = tuple(str(w) for w in WaitingOn)


class ProcessRecord(BaseModel):
    workflow_id = peewee.CharField(max_length=200, primary_key=True)
    run_id = peewee.CharField(max_length=100, default="")
    process_type = peewee.CharField(max_length=60)
    company = peewee.ForeignKeyField(Company, backref="processes", null=True, on_delete="SET NULL")
    current_step = peewee.CharField(max_length=60, default="")
    status = peewee.CharField(max_length=20, default="running")
    waiting_on = peewee.CharField(max_length=20, default="")
    step_entered_at = peewee.DateTimeField(default=utcnow)
    last_error = peewee.TextField(default="")
    # An activity of this workflow that failed and is being retried (written by
    # the worker as attempts fail, cleared when one succeeds or the step moves on):
    # support sees a retrying process whoever it waits on.
    retrying_activity = peewee.CharField(max_length=100, default="")
    retry_attempt = peewee.IntegerField(default=0)
    retry_error = peewee.TextField(default="")
    retrying_since = peewee.DateTimeField(null=True)
    # "<workflow time>#<transition number>": ordered even across a reset
    # (a new run replays to the reset point, then moves on in later time), so
    # a retried, late projection never overwrites a newer state.
    version = peewee.CharField(max_length=40, default="")
    started_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    completed_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = (
            (("process_type", "status", "updated_at"), False),
            (("current_step", "status", "process_type"), False),
            (("current_step", "status", "step_entered_at", "started_at"), False),
            (("status", "step_entered_at"), False),
            (("waiting_on", "step_entered_at"), False),
            (("updated_at",), False),
            (("retry_attempt",), False),
        )

    def __str__(self) -> str:
        return f"{self.process_type} {self.workflow_id} ({self.current_step}, {self.status})"


# A process no longer retrying: what the worker wrote of a failing activity, cleared (by the worker when an
# attempt succeeds, by the projection when the process moves on, by support and the reconciler).
RETRY_CLEARED = {ProcessRecord.retrying_activity: "", ProcessRecord.retry_attempt: 0, ProcessRecord.retry_error: "",
                 ProcessRecord.retrying_since: None}
