"""What every activity does when it fails: sort the failure once, and let support see the retries.

Two jobs of the worker, on every activity but the projection's own writes:

1. **Sort the failure.** A failure worth retrying (the network, a timeout, a
   5xx, a locked database) is raised as it is, and Temporal retries it with
   backoff. Anything else (bad data, a refusal, a bug: retrying will not
   change the answer) is raised as a non-retryable ``ApplicationError``, so
   the step fails at once with its reason instead of retrying forever.
2. **Show the retries.** An attempt that fails and will be retried is written
   to the process's projection (activity, attempt, error, since when); an
   attempt that succeeds after a retry clears it. The support queue reads
   that with one indexed query, whoever the process waits on. At the
   ``NOTICE_AT_ATTEMPT``-th failure the home's notifications say so too.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
from typing import Any

import peewee
import requests
from temporalio import activity
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from habilita.adapters.billing import BillingUnavailable
from habilita.adapters.dian_errors import DianServiceError
from habilita.messages import Message
from habilita.messages.plain_text import plain
from habilita.messages.stored import as_text
from habilita.messages.support_codes import activity_words
from habilita.models import Notification, ProcessRecord
from habilita.models.process import RETRY_CLEARED

log = logging.getLogger(__name__)

# The projection's own writes: they report nothing about themselves.
UNWATCHED = frozenset({"project", "record_audit"})
ERROR_LENGTH = 2000
# After this many failed attempts in a row, a notification tells support (the queue lists it from the first).
NOTICE_AT_ATTEMPT = 5

# Failures a later attempt may not meet: the other side or the way to it was down or slow.
TRANSIENT = (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError, BillingUnavailable,
             peewee.OperationalError, peewee.InterfaceError, smtplib.SMTPServerDisconnected,
             smtplib.SMTPConnectError)


def is_transient(exc: BaseException) -> bool:
    """Whether retrying ``exc`` may succeed."""
    if isinstance(exc, DianServiceError):
        return exc.retryable
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500  # SMTP's 4xx: try again later
    return isinstance(exc, TRANSIENT)


def sorted_failure(exc: BaseException) -> BaseException:
    """``exc`` as the activity should raise it: transient ones as they are, the rest non-retryable."""
    if isinstance(exc, (ApplicationError, CancelledError, asyncio.CancelledError)) or is_transient(exc):
        return exc
    return ApplicationError(f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH], type=type(exc).__name__,
                            non_retryable=True)


def will_retry(exc: BaseException, info: activity.Info) -> bool:
    """Whether Temporal will run another attempt after ``exc`` (as far as the activity can tell)."""
    if isinstance(exc, (CancelledError, asyncio.CancelledError)):
        return False
    if isinstance(exc, ApplicationError) and exc.non_retryable:
        return False
    policy = info.retry_policy
    if policy is None:
        return True
    if policy.maximum_attempts and info.attempt >= policy.maximum_attempts:
        return False
    kind = exc.type if isinstance(exc, ApplicationError) else type(exc).__name__
    return kind not in (policy.non_retryable_error_types or ())


def record_retry(workflow_id: str, activity_type: str, attempt: int, error: str, at: dt.datetime) -> None:
    """Mark the process as retrying ``activity_type`` (``since`` kept from the first failure).

    A workflow with no row of its own (an order of a sales channel) is not a process of the list: it is
    looked up first, so its retries do not queue for the database's write lock for nothing."""
    if not ProcessRecord.select().where(ProcessRecord.workflow_id == workflow_id).exists():
        return
    since = peewee.fn.COALESCE(ProcessRecord.retrying_since, at)
    (ProcessRecord.update(retrying_activity=activity_type, retry_attempt=attempt,
                          retry_error=plain(error, ERROR_LENGTH), retrying_since=since)
     .where(ProcessRecord.workflow_id == workflow_id).execute())
    if attempt == NOTICE_AT_ATTEMPT:
        notify_retrying(workflow_id, activity_type, attempt, error)


def notify_retrying(workflow_id: str, activity_type: str, attempt: int, error: str) -> None:
    """Tell support once per run of failures that a process keeps retrying."""
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
    if record is None:
        return
    body = Message("notice.retrying_body", {"id": workflow_id, "step": record.current_step,
                                            "activity": activity_words(activity_type), "attempt": attempt,
                                            "error": plain(error)})
    since = record.retrying_since.isoformat() if record.retrying_since else ""
    Notification.get_or_create(source_key=f"{workflow_id}:retrying:{activity_type}:{since}"[:300], defaults=dict(
        company=record.company_id, kind="retrying", title=as_text(Message("notice.retrying")),
        body=as_text(body)))


def clear_retry(workflow_id: str, activity_type: str) -> None:
    """The activity succeeded: the process no longer retries it (written only if it was marked)."""
    marked = (ProcessRecord.workflow_id == workflow_id) & (ProcessRecord.retrying_activity == activity_type)
    if ProcessRecord.select().where(marked).exists():
        ProcessRecord.update(RETRY_CLEARED).where(marked).execute()


class ActivityHealth(Interceptor):
    """The worker's interceptor: sorts every activity's failures and reports its retries."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Watched(next)


class _Watched(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        # Local activities too: Temporal's description of a workflow never shows one retrying, so the
        # queue has only this record of it.
        watched = info.activity_type not in UNWATCHED and info.workflow_id
        try:
            result = await self.next.execute_activity(input)
        except BaseException as exc:
            failure = sorted_failure(exc)
            if watched and will_retry(failure, info):
                await _quietly(record_retry, info.workflow_id, info.activity_type, info.attempt, str(exc),
                               dt.datetime.now(dt.UTC).replace(tzinfo=None))
            if failure is exc:
                raise
            raise failure from exc
        if watched and info.attempt > 1:
            await _quietly(clear_retry, info.workflow_id, info.activity_type)
        return result


async def _quietly(write, *args) -> None:
    """Run a projection write off the event loop; a database that fails it must not fail the activity."""
    try:
        await asyncio.get_running_loop().run_in_executor(None, write, *args)
    except peewee.PeeweeException:
        log.warning("could not record the retry state of %s", args[0], exc_info=True)
