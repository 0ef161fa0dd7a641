"""The projection of each workflow the admin lists from SQL.

Temporal is the source of truth for where a process stands; every workflow
keeps its row here current through an activity at each transition, so a list
of 100,000 processes never calls ``describe()`` per row.
"""
from __future__ import annotations

import functools

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

# What a projection writes of a workflow's snapshot, besides its id (and its start, on the first write).
PROJECTED = (ProcessRecord.run_id, ProcessRecord.process_type, ProcessRecord.company, ProcessRecord.current_step,
             ProcessRecord.status, ProcessRecord.waiting_on, ProcessRecord.step_entered_at, ProcessRecord.last_error,
             ProcessRecord.version, ProcessRecord.updated_at, ProcessRecord.completed_at)


def upsert_projection(workflow_id: str, values: dict[peewee.Field, object], *, ended: bool) -> None:
    """Write the row of ``workflow_id`` with ``values`` (one for each field of ``PROJECTED``; a company that
    does not exist is written as none; a new row starts now, not retrying), unless the
    stored row is of a newer version. The retry fields are kept while the stored step is the one written,
    and cleared once the process moves on or has ``ended`` (a reset that drops a retrying activity leaves
    nothing behind).

    One statement, so the write takes the database's write lock once, briefly. Its SQL is written once per
    database and shape: peewee renders this statement (eleven columns, four CASEs) in ~1.4 ms of CPU, many
    times what SQLite takes to run it, and every transition of every process writes it.
    """
    db = ProcessRecord._meta.database
    step = values[ProcessRecord.current_step]
    retry = [param for cleared in RETRY_CLEARED.values() for param in ((cleared,) if ended else (step, cleared))]
    params = [workflow_id, ProcessRecord.started_at.db_value(utcnow()),
              *(field.db_value(values[field]) for field in PROJECTED), *RETRY_CLEARED.values(), *retry]
    db.execute_sql(_upsert_sql(db.param, db.quote, ended), params)


@functools.cache
def _upsert_sql(param: str, quote: str, ended: bool) -> str:
    def quoted(identifier: str) -> str:
        return f"{quote[0]}{identifier}{quote[1]}"

    def name(field: peewee.Field) -> str:
        return quoted(field.column_name)
    table, companies = quoted(ProcessRecord._meta.table_name), quoted(Company._meta.table_name)
    company_id = name(Company.id)
    inserted = [ProcessRecord.workflow_id, ProcessRecord.started_at, *PROJECTED, *RETRY_CLEARED]
    # Every name comes from the models, every value is a bound parameter. A company that is not (or no longer)
    # in the database is written as none.
    existing_company = "(" + " ".join(("SELECT", company_id, "FROM", companies, "WHERE", company_id, "=", param)) + ")"
    columns = ", ".join(map(name, inserted))
    values = ", ".join(existing_company if field is ProcessRecord.company else param for field in inserted)
    kept_unless_moved = f"CASE WHEN {table}.{name(ProcessRecord.current_step)} = {param} THEN {{field}} ELSE {param} END"
    updates = ", ".join([f"{name(field)} = EXCLUDED.{name(field)}" for field in PROJECTED] + [
        f"{name(field)} = " + (param if ended else kept_unless_moved.format(field=f"{table}.{name(field)}"))
        for field in RETRY_CLEARED])
    key, version = name(ProcessRecord.workflow_id), name(ProcessRecord.version)
    return " ".join(("INSERT INTO", table, f"({columns})", "VALUES", f"({values})", "ON CONFLICT", f"({key})",
                     "DO UPDATE SET", updates, "WHERE", f"{table}.{version}", "<", f"EXCLUDED.{version}"))
