"""P3 step 4, the child: post every document of a date range, a few pages per activity call.

The workflow holds only a cursor and counters; the documents stay in the
database. It continues-as-new before its history grows large, and staff can
change the detail account of a document while it runs (applied if the
document is not posted yet).
"""
from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from .inputs import Problems, wrong_step

with workflow.unsafe.imports_passed_through():
    from habilita.activities.accounting_sync import (
        DetailChange, DetailChangeOutcome, PostPages, SyncActivities, SyncScope, UnpostableDocument,
    )
    from habilita.messages import Message

# Enough to show staff what to fix; the count covers the rest.
MAX_LISTED_UNPOSTABLE = 500
QUICK = timedelta(seconds=60)
RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
# A person waits on an update: give up after a few tries and say why.
HANDLER_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=5), maximum_attempts=5)


@dataclass(frozen=True)
class SyncTuning:
    page_size: int = 1000
    pages_per_call: int = 10
    heartbeat_timeout_seconds: int = 30
    # Room for other database work between pages (0 = none).
    pause_between_pages_ms: int = 0
    continue_as_new_after_events: int = 2000


@dataclass(frozen=True)
class SyncProgress:
    cursor: int = 0
    documents_in_range: int = -1
    posted: int = 0
    already_posted: int = 0
    pages: int = 0
    activity_calls: int = 0
    runs: int = 1
    done: bool = False
    unpostable: list[UnpostableDocument] = field(default_factory=list)


@dataclass(frozen=True)
class SyncJob:
    scope: SyncScope
    requested_by: str
    tuning: SyncTuning = SyncTuning()
    progress: SyncProgress | None = None


@dataclass(frozen=True)
class ChangeDetailAccount:
    """Post one document's detail line to another account (if it is not posted yet)."""

    actor: str
    document_id: int
    account_code: str


@dataclass(frozen=True)
class SyncResult:
    date_from: str
    date_to: str
    documents_in_range: int
    posted: int
    already_posted: int
    unpostable_count: int
    unpostable: list[UnpostableDocument]
    # A str only in the results of syncs that finished before messages were codes (kept in carried state).
    message: Message | str


def refusal_from(error: ActivityError) -> ApplicationError:
    """The activity's refusal, re-raised so that only the update fails, not the workflow task."""
    cause = error.cause
    if isinstance(cause, ApplicationError):
        return ApplicationError(cause.message, *cause.details, type=cause.type, non_retryable=True)
    return ApplicationError(f"could not complete the action: {cause or error}", type="ActionFailed",
                            non_retryable=True)


def summary(scope: SyncScope, posted: int, already: int, unpostable: int) -> Message:
    """What the sync did over its range ("No existen documentos contabilizables" when it posted nothing)."""
    counts = {"first": scope.date_from, "last": scope.date_to, "already": already, "unpostable": unpostable}
    if posted == 0:
        return Message("sync.nothing_to_post", counts)
    return Message("sync.posted", {"posted": posted, **counts})


@workflow.defn
class AccountingSync:
    @workflow.init
    def __init__(self, job: SyncJob) -> None:
        # The job is known before the first task runs: a detail-account change may arrive in that same task.
        self._job = job
        self._progress = job.progress or SyncProgress()
        self._finished = False
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, job: SyncJob) -> SyncResult:
        tuning = job.tuning
        if self._progress.documents_in_range < 0:
            tally = await workflow.execute_activity_method(
                SyncActivities.tally_range, job.scope, start_to_close_timeout=QUICK, retry_policy=RETRY)
            self._progress = replace(self._progress, documents_in_range=tally.documents)
        while not self._progress.done:
            page = await workflow.execute_activity_method(
                SyncActivities.post_pages,
                PostPages(scope=job.scope, posted_by=workflow.info().workflow_id, cursor=self._progress.cursor,
                          page_size=tuning.page_size, max_pages=tuning.pages_per_call,
                          pause_between_pages_ms=tuning.pause_between_pages_ms),
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(seconds=tuning.heartbeat_timeout_seconds),
                retry_policy=RETRY,
                summary=f"post pages after document {self._progress.cursor}",
            )
            self._absorb(page)
            if not self._progress.done and self._history_is_large():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(replace(job, progress=replace(self._progress, runs=self._progress.runs + 1)))
        # The page counters may count a page twice after a crash; the database does not.
        tally = await workflow.execute_activity_method(
            SyncActivities.tally_range, job.scope, start_to_close_timeout=QUICK, retry_policy=RETRY)
        posted = tally.posted_by_this_sync
        already = tally.with_voucher - posted
        unpostable = tally.documents - tally.with_voucher
        self._progress = replace(self._progress, documents_in_range=tally.documents, posted=posted,
                                 already_posted=already)
        self._finished = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        return SyncResult(job.scope.date_from, job.scope.date_to, tally.documents, posted, already, unpostable,
                          list(self._progress.unpostable), summary(job.scope, posted, already, unpostable))

    def _absorb(self, page) -> None:
        p = self._progress
        listed = {u.document_id: u for u in p.unpostable}
        for item in page.unpostable:
            if len(listed) < MAX_LISTED_UNPOSTABLE:
                listed.setdefault(item.document_id, item)
        self._progress = replace(
            p, cursor=page.cursor, done=page.done, posted=p.posted + page.posted,
            already_posted=p.already_posted + page.already_posted, pages=p.pages + page.pages,
            activity_calls=p.activity_calls + 1, unpostable=list(listed.values()))

    def _history_is_large(self) -> bool:
        info = workflow.info()
        return (info.is_continue_as_new_suggested()
                or info.get_current_history_length() >= self._job.tuning.continue_as_new_after_events)

    @workflow.query
    def progress(self) -> SyncProgress:
        return self._progress

    @workflow.update
    async def change_detail_account(self, change: ChangeDetailAccount) -> DetailChangeOutcome:
        async with self._lock:
            try:
                return await workflow.execute_activity_method(
                    SyncActivities.change_detail_account,
                    DetailChange(scope=self._job.scope, document_id=change.document_id,
                                 account_code=change.account_code.strip(), actor=change.actor),
                    start_to_close_timeout=QUICK, retry_policy=HANDLER_RETRY)
            except ActivityError as error:
                raise refusal_from(error) from error

    @change_detail_account.validator
    def _validate_change_detail_account(self, change: ChangeDetailAccount) -> None:
        if self._finished:
            wrong_step("change_detail_account", "finished")
        problems = Problems.acting(change.actor)
        if not isinstance(change.document_id, int) or change.document_id <= 0:
            problems.add("document_id", "document_required")
        code = (change.account_code or "").strip()
        if problems.require("account_code", code) and not re.fullmatch(r"[0-9]+", code):
            problems.add("account_code", "account_code_digits", value=code)
        problems.raise_if_any()
