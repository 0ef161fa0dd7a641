"""P1 step 3: DIAN's test set with prior validation, as a child workflow.

Build and sign the documents, send zips of at most 50 with the TestSetId,
poll GetStatusZip with backoff; a rejection shows DIAN's codes per document
and waits for staff to resend (fresh numbers, and a new TestSetId if DIAN
rejected the whole set).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from temporalio import workflow
from temporalio.common import RetryPolicy

from habilita.states import ProcessStatus, WaitingOn

from .inputs import Problems, wrong_step
from .process import ProcessTracker, projecting_the_end, step_now
from .reminders import WaitPolicy, notify, wait_reminding

with workflow.unsafe.imports_passed_through():
    from habilita.activities.heartbeat import HEARTBEAT_TIMEOUT
    from habilita.activities.test_set import (
        BatchPoll, BatchRef, BatchSent, BuildRound, DocumentRejection, RoundBuilt, RoundRef, RoundReport,
        TestSetActivities,
    )
    from habilita.messages import Message
    from habilita.messages.durations import span

PROCESS_TYPE = "test_set"


class Step(StrEnum):
    """The test set's rounds: build, send, DIAN validates; rejected waits for a resend; accepted ends it."""

    BUILDING = "building"
    SENDING = "sending"
    VALIDATING = "validating"
    REJECTED = "rejected"
    ACCEPTED = "accepted"


ID_SUFFIX = "-test-set"  # the child's workflow id is its parent's plus this
# Each call heartbeats: a worker that dies mid-call is noticed within HEARTBEAT_TIMEOUT, not at the timeout.
DIAN_CALL = dict(start_to_close_timeout=timedelta(minutes=3), heartbeat_timeout=HEARTBEAT_TIMEOUT,
                 retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=2)))
FIRST_POLL = timedelta(seconds=1)
MAX_POLL = timedelta(minutes=2)
SET_DECISION_POLLS = 6
# How many rejected documents the summary names (the count says the rest), and how much of DIAN's words each.
LISTED_REJECTIONS = 10
DIAN_WORDS = 300
SET_STATES = {"accepted": "test_set.set_accepted", "rejected": "test_set.set_rejected",
              "in_process": "test_set.set_in_process"}


@dataclass(frozen=True)
class StartTestSet:
    company_id: int
    company_tax_id: str
    company_name: str
    certificate_id: int
    software_ref_id: int
    test_set_id: str
    invoices: int = 60
    credit_notes: int = 20
    debit_notes: int = 20
    policy: WaitPolicy = WaitPolicy()


@dataclass(frozen=True)
class TestSetResend:
    """Staff resend after a rejection; a new TestSetId when DIAN rejected the whole set."""

    __test__ = False
    actor: str
    test_set_id: str = ""


@dataclass(frozen=True)
class TestSetOutcome:
    __test__ = False
    rounds: int
    documents_sent: int


@dataclass(frozen=True)
class TestSetStatus:
    __test__ = False
    step: str
    round: int
    set_status: str
    accepted: int
    rejected: int
    rejections: tuple[DocumentRejection, ...]


@workflow.defn
class TestSetSubmission:
    __test__ = False

    def __init__(self) -> None:
        self._tracker: ProcessTracker | None = None
        self._round = 0
        self._set_status = "in_process"
        self._report: RoundReport | None = None
        self._resend: TestSetResend | None = None

    @workflow.run
    async def run(self, start: StartTestSet) -> TestSetOutcome:
        return await projecting_the_end(lambda: self._tracker, self._run(start))

    async def _run(self, start: StartTestSet) -> TestSetOutcome:
        self._tracker = ProcessTracker(process_type=PROCESS_TYPE, company_id=start.company_id,
                                       company_tax_id=start.company_tax_id)
        test_set_id, counts, sent = start.test_set_id, (start.invoices, start.credit_notes, start.debit_notes), 0
        while True:
            self._round += 1
            await self._tracker.enter(Step.BUILDING, waiting_on=WaitingOn.SYSTEM)
            built: RoundBuilt = await workflow.execute_activity_method(
                TestSetActivities.build_round,
                BuildRound(workflow_id=workflow.info().workflow_id, round=self._round, company_id=start.company_id,
                           certificate_id=start.certificate_id, software_ref_id=start.software_ref_id,
                           invoices=counts[0], credit_notes=counts[1], debit_notes=counts[2]),
                start_to_close_timeout=timedelta(minutes=10), heartbeat_timeout=HEARTBEAT_TIMEOUT,
                retry_policy=RetryPolicy(maximum_attempts=5))
            await self._tracker.enter(Step.SENDING, waiting_on=WaitingOn.DIAN)
            refs = [BatchRef(workflow_id=workflow.info().workflow_id, round=self._round, batch=b,
                             certificate_id=start.certificate_id, test_set_id=test_set_id,
                             issuer_nit=start.company_tax_id.split("-")[0])
                    for b in range(1, built.batches + 1)]
            for ref in refs:
                await workflow.execute_activity_method(TestSetActivities.send_batch, ref, **DIAN_CALL)
            sent += built.documents
            await self._tracker.enter(Step.VALIDATING, waiting_on=WaitingOn.DIAN)
            for ref in refs:
                await self._poll_until_done(ref)
            for _ in range(SET_DECISION_POLLS):
                if self._set_status != "in_process":
                    break
                await workflow.sleep(FIRST_POLL * 2)
                await self._poll_until_done(refs[-1])
            self._report = await workflow.execute_activity_method(
                TestSetActivities.round_report, RoundRef(workflow.info().workflow_id, self._round), **DIAN_CALL)
            if self._set_status == "accepted" or (self._set_status == "in_process" and self._report.rejected == 0
                                                  and self._report.pending == 0):
                break
            await self._tracker.enter(Step.REJECTED, waiting_on=WaitingOn.STAFF)
            await self._tracker.failed_attempt(self._rejection_summary())
            await notify(start.company_id, "test_set_rejected", Message("notice.test_set_rejected"),
                         self._rejection_summary(), f"rejected:{self._round}")
            self._resend = None
            await wait_reminding(lambda: self._resend is not None, start.policy,
                                 on_tick=lambda n: notify(start.company_id, "test_set_rejected_reminder",
                                                          Message("notice.test_set_resend"),
                                                          self._rejection_summary(), f"resend:{self._round}:{n}"),
                                 on_sla=lambda: self._overdue(start))
            if self._resend.test_set_id:
                test_set_id, counts = self._resend.test_set_id, (start.invoices, start.credit_notes, start.debit_notes)
            else:
                counts = tuple(sum(r.kind == k for r in self._report.rejections)
                               for k in ("invoice", "credit_note", "debit_note"))
            self._set_status = "in_process"
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._tracker.finish(ProcessStatus.COMPLETED, step=Step.ACCEPTED)
        await notify(start.company_id, "test_set_accepted", Message("notice.test_set_accepted"),
                     Message("notice.test_set_accepted_body", {"company": start.company_name, "test_set": test_set_id}),
                     "accepted")
        return TestSetOutcome(rounds=self._round, documents_sent=sent)

    async def _overdue(self, start: StartTestSet) -> None:
        # Histories recorded before this mark existed ran nothing at the SLA:
        # replay them unchanged.
        if not workflow.patched("rejected-test-set-sla"):
            return
        what = Message("sla.rejected_test_set_waited", {"sla": span(start.policy.sla)})
        await self._tracker.failed_attempt(Message("test_set.overdue", {"what": what,
                                                                        "rejections": self._rejection_summary()}))
        await notify(None, "sla_breached", Message("notice.sla_exceeded", {"what": Message("sla.rejected_test_set")}),
                     Message("notice.sla_exceeded_body", {"company": start.company_name,
                                                          "tax_id": start.company_tax_id, "what": what}),
                     f"sla:rejected:{self._round}")

    async def _poll_until_done(self, ref: BatchRef) -> None:
        wait = FIRST_POLL
        while True:
            poll: BatchPoll = await workflow.execute_activity_method(TestSetActivities.poll_batch, ref, **DIAN_CALL)
            if poll.set_status != "in_process":
                self._set_status = poll.set_status
            if poll.done:
                return
            await workflow.sleep(wait)
            wait = min(wait * 2, MAX_POLL)

    def _rejection_summary(self) -> Message:
        """The round's rejections: DIAN's rule codes and words per document, the first ``LISTED_REJECTIONS``."""
        rejections = self._report.rejections
        documents = [Message("test_set.rejected_document", {
            "number": r.number, "rules": list(r.rule_codes) or [r.status_code],
            "messages": " | ".join(r.messages)[:DIAN_WORDS]}) for r in rejections[:LISTED_REJECTIONS]]
        if len(rejections) > LISTED_REJECTIONS:
            documents.append(Message("test_set.more_rejected", {"count": len(rejections) - LISTED_REJECTIONS}))
        return Message("test_set.rejections", {"round": self._round, "rejected": self._report.rejected,
                                               "set": Message(SET_STATES[self._set_status]),
                                               "documents": documents})

    @workflow.update
    async def resend_test_set(self, resend: TestSetResend) -> Message:
        self._resend = resend
        return Message("test_set.resending", {"round": self._round + 1})

    @resend_test_set.validator
    def _validate_resend(self, resend: TestSetResend) -> None:
        current = step_now(self._tracker)
        if current != Step.REJECTED or self._resend is not None:
            wrong_step("resend_test_set", current, already_done=current == Step.REJECTED)
        problems = Problems.acting(resend.actor)
        if resend.test_set_id:
            problems.guid("test_set_id", resend.test_set_id)
        elif self._set_status == "rejected":
            problems.add("test_set_id", "new_test_set_needed")
        problems.raise_if_any()

    @workflow.query
    def status(self) -> TestSetStatus:
        r = self._report
        return TestSetStatus(step=step_now(self._tracker), round=self._round,
                             set_status=self._set_status, accepted=r.accepted if r else 0,
                             rejected=r.rejected if r else 0, rejections=r.rejections if r else ())
