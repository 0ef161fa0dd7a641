"""A process's health, from its projection: one reading for the queue, the list, the page and the home.

- **failed**: the workflow failed, was terminated or timed out (its own end,
  or one :mod:`.reconcile` projected when it happened outside the console);
- **retrying**: one of its activities failed and is being retried (the worker
  writes it, :mod:`habilita.activities.health`), whoever the process waits on;
- **overdue**: waiting on someone longer than its step's SLA (:mod:`.sla`);
- **blocked**: still running, but it says it cannot go on until a person acts
  (its last error is a ``blocked.*`` message, e.g. a channel connection whose
  automatic invoicing the ERP stopped); cleared when the process says it goes on;
- otherwise waiting, running, completed or cancelled, as its status says.

The first four need support. :func:`needs_support` is that rule as one SQL
condition (the home's count and notifications); :func:`health_of` says it
of one row in words (a message).
"""
from __future__ import annotations

import datetime as dt
import operator
from functools import reduce

from habilita.messages import Message
from habilita.messages.support_codes import activity_words
from habilita.messages.plain_text import plain
from habilita.messages.stored import from_text
from habilita.models import ProcessRecord
from habilita.states import ProcessStatus

from .sla import SLA_BY_STEP, SLA_BY_WAITER, describe_overrun, sla_for

FAILED = (str(ProcessStatus.FAILED), str(ProcessStatus.TERMINATED))
ACTIVE = (str(ProcessStatus.RUNNING), str(ProcessStatus.WAITING))
# How a last error that blocks the process begins: a stored message (habilita.messages.stored) of a ``blocked.*`` code.
BLOCKED_PREFIX = '{"code": "blocked.'


def failed():
    return ProcessRecord.status.in_(FAILED)


def blocked():
    """Running, and blocked until a person acts (its last error says why)."""
    return ProcessRecord.status.in_(ACTIVE) & ProcessRecord.last_error.startswith(BLOCKED_PREFIX)


def is_blocked(record) -> bool:
    return record.status in ACTIVE and (record.last_error or "").startswith(BLOCKED_PREFIX)


def retrying(min_attempt: int = 1):
    return (ProcessRecord.retry_attempt >= min_attempt) & ProcessRecord.status.in_(ACTIVE)


def overdue(now: dt.datetime):
    """Waiting longer than the step's SLA, exactly as :func:`.sla.sla_for` says, in SQL."""
    waiting = ProcessRecord.status == str(ProcessStatus.WAITING)
    overridden = [(ProcessRecord.process_type == ptype) & (ProcessRecord.current_step == step)
                  for ptype, step in SLA_BY_STEP]
    plain = [(ProcessRecord.waiting_on == who) & (ProcessRecord.step_entered_at < now - sla)
             for who, sla in SLA_BY_WAITER.items()]
    condition = reduce(operator.or_, plain)
    if overridden:
        condition = condition & ~reduce(operator.or_, overridden)
        condition = condition | reduce(operator.or_, [
            match & ProcessRecord.waiting_on.in_(list(SLA_BY_WAITER)) & (ProcessRecord.step_entered_at < now - sla)
            for match, sla in zip(overridden, SLA_BY_STEP.values())])
    return waiting & condition


def needs_support(now: dt.datetime):
    """Failed, retrying, overdue or blocked: what the home counts and the queue lists from SQL."""
    return failed() | retrying() | overdue(now) | blocked()


def failure_reason(record) -> Message:
    """Why a failed process failed: its last error (a message, or text as stored)."""
    error = from_text(record.last_error) or record.last_error or Message("health.ended_unknown")
    return Message("health.failed_at", {"status": record.status, "step": record.current_step or "?", "why": error})


def blocked_reason(record) -> Message:
    """Why a blocked process cannot go on: the message it wrote."""
    return from_text(record.last_error) or Message("health.ended_unknown")


def retry_reason(record) -> Message:
    return Message("health.retrying", {"activity": activity_words(record.retrying_activity),
                                       "attempt": record.retry_attempt, "error": plain(record.retry_error) or "-"})


def health_of(record, now: dt.datetime) -> tuple[str, Message | None]:
    """(``failed`` | ``retrying`` | ``blocked`` | ``overdue`` | the status, why support should look or None)."""
    if record.status in FAILED:
        return "failed", failure_reason(record)
    if record.status in ACTIVE and record.retry_attempt:
        return "retrying", retry_reason(record)
    if is_blocked(record):
        return "blocked", blocked_reason(record)
    if record.status == ProcessStatus.WAITING and record.step_entered_at is not None:
        sla = sla_for(record.process_type, record.current_step, record.waiting_on)
        waited = now - record.step_entered_at
        if sla is not None and waited > sla:
            return "overdue", describe_overrun(waited, sla, record.waiting_on)
    return record.status, None
