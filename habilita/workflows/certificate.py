"""P1 step 2 (and P2 step 2): the digital certificate, bought or loaned.

A child workflow of the enablement. Own certificate: verify payment, offer
and wait for it (reminding), take the representative's data and have the CA
issue it. Loaned certificate: take the representative's data, hand out the
exoneration letter, receive the signed scan (the first upload fixes the loan
date), continue.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from temporalio import workflow
from temporalio.common import RetryPolicy

from habilita.inputs.identifiers import is_sha256
from habilita.states import ProcessStatus, WaitingOn

from .inputs import Problems, expect_step
from .process import ProcessTracker, bookkeeping, projecting_the_end, step_now
from .reminders import WaitPolicy, notify, wait_reminding

with workflow.unsafe.imports_passed_through():
    # The representative's e-mail rule (habilita.inputs.emails) runs email-validator inside the validator,
    # and email-validator imports its own package again from within a function: passed through, that is
    # the worker's one copy, not a fresh import in every workflow run.
    import email_validator  # noqa: F401
    from habilita.activities.certificates import (
        CertificateActivities, CertificateRef, CompanyRef, IssueOwnCertificate, LendCertificate, PaymentState,
    )
    from habilita.activities.letters import LetterActivities, LetterRef, LetterRequest
    from habilita.activities.representatives import (
        LegalRepresentative, RepresentativeActivities, SaveRepresentative, representative_problems,
    )
    from habilita.activities.uploads import AttachSignedLetter, LetterAttached, RemoveSignedLetter, UploadActivities
    from habilita.messages import Message
    from habilita.messages.durations import span

PROCESS_TYPE = "certificate"


class Step(StrEnum):
    """The certificate's steps (own path: payment, representative, issuance; loan: representative, signed letter,
    lending) and where it ends (``LOANED`` or ``ISSUED``)."""

    CHOOSE_PATH = "choose_path"
    PAYMENT = "payment"
    REPRESENTATIVE = "representative"
    SIGNED_LETTER = "signed_letter"
    LENDING = "lending"
    ISSUANCE = "issuance"
    LOANED = "loaned"
    ISSUED = "issued"


ID_SUFFIX = "-certificate"  # the child's workflow id is its parent's plus this
PATHS = ("own", "loan")
ACTIVITY = dict(start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)))


@dataclass(frozen=True)
class StartCertificate:
    company_id: int
    company_tax_id: str
    company_name: str
    purpose: str = "einvoicing"
    paths: tuple[str, ...] = PATHS
    policy: WaitPolicy = WaitPolicy()


@dataclass(frozen=True)
class CertificatePathChoice:
    """Staff choose between buying the company's own certificate and the provider's loan."""

    actor: str
    path: str


@dataclass(frozen=True)
class PaymentCheck:
    """Staff ask billing again whether the certificate was paid."""

    actor: str


@dataclass(frozen=True)
class SignedLetterUpload:
    """A checked, stored upload (see ``habilita.activities.uploads.receive_signed_letter``)."""

    actor: str
    stored_file_id: int
    sha256: str


@dataclass(frozen=True)
class SignedLetterDeletion:
    actor: str


@dataclass(frozen=True)
class LoanContinuation:
    actor: str


@dataclass(frozen=True)
class PaymentView:
    paid: bool
    message: Message
    price: int
    currency: str
    validity_days: int


@dataclass(frozen=True)
class CertificateOutcome:
    path: str
    certificate_id: int
    holder_nit: str
    loan_date: datetime | None = None


@dataclass(frozen=True)
class CertificateStatus:
    step: str
    path: str
    payment: PaymentView | None
    letter: LetterRef | None
    signed_letter_uploaded: bool
    loan_date: datetime | None
    messages: tuple[Message, ...] = field(default_factory=tuple)


@workflow.defn
class CertificateActivation:
    def __init__(self) -> None:
        self._tracker: ProcessTracker | None = None
        self._start: StartCertificate | None = None
        self._lock = asyncio.Lock()
        self._path = ""
        self._payment: PaymentState | None = None
        self._representative_id: int | None = None
        self._letter: LetterRef | None = None
        self._signed: LetterAttached | None = None
        self._loan_date: datetime | None = None
        self._continued = False
        self._messages: list[Message] = []

    @workflow.run
    async def run(self, start: StartCertificate) -> CertificateOutcome:
        return await projecting_the_end(lambda: self._tracker, self._run(start))

    async def _run(self, start: StartCertificate) -> CertificateOutcome:
        self._start = start
        self._tracker = ProcessTracker(process_type=PROCESS_TYPE, company_id=start.company_id,
                                       company_tax_id=start.company_tax_id)
        if len(start.paths) == 1:
            self._path = start.paths[0]
        else:
            await self._tracker.enter(Step.CHOOSE_PATH, waiting_on=WaitingOn.STAFF)
            await workflow.wait_condition(lambda: bool(self._path))
        outcome = await (self._own() if self._path == "own" else self._loan())
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._tracker.finish(ProcessStatus.COMPLETED, step=Step.ISSUED if self._path == "own" else Step.LOANED)
        return outcome

    async def _own(self) -> CertificateOutcome:
        await self._tracker.enter(Step.PAYMENT)
        await self._check_payment()
        if self._payment.paid:
            self._messages.append(Message("payment.paid"))
        else:
            await self._tracker.waiting("company")
            await wait_reminding(lambda: self._payment.paid, self._start.policy,
                                 on_tick=self._payment_tick, on_sla=self._sla(Message("sla.waiting_payment")))
        await self._tracker.enter(Step.REPRESENTATIVE, waiting_on=WaitingOn.STAFF)
        await workflow.wait_condition(lambda: self._representative_id is not None)
        await self._tracker.enter(Step.ISSUANCE)
        ref: CertificateRef = await workflow.execute_activity_method(
            CertificateActivities.issue_own_certificate,
            IssueOwnCertificate(workflow_id=workflow.info().workflow_id, company_id=self._start.company_id,
                                representative_id=self._representative_id, order_id=self._payment.order_id),
            **ACTIVITY)
        return CertificateOutcome(path="own", certificate_id=ref.certificate_id, holder_nit=ref.holder_nit)

    async def _loan(self) -> CertificateOutcome:
        await self._tracker.enter(Step.REPRESENTATIVE, waiting_on=WaitingOn.STAFF)
        await workflow.wait_condition(lambda: self._letter is not None)
        await self._tracker.enter(Step.SIGNED_LETTER, waiting_on=WaitingOn.COMPANY)
        await wait_reminding(lambda: self._continued, self._start.policy,
                             on_tick=self._letter_tick, on_sla=self._sla(Message("sla.waiting_letter")))
        await self._tracker.enter(Step.LENDING)
        ref: CertificateRef = await workflow.execute_activity_method(
            CertificateActivities.lend_provider_certificate,
            LendCertificate(workflow_id=workflow.info().workflow_id, purpose=self._start.purpose,
                            company_id=self._start.company_id), **ACTIVITY)
        return CertificateOutcome(path="loan", certificate_id=ref.certificate_id, holder_nit=ref.holder_nit,
                                  loan_date=self._loan_date)

    async def _check_payment(self) -> None:
        self._payment = await workflow.execute_activity_method(
            CertificateActivities.check_payment, CompanyRef(self._start.company_id), **ACTIVITY)

    async def _payment_tick(self, n: int) -> None:
        async with self._lock:
            await self._check_payment()
        if not self._payment.paid:
            await notify(self._start.company_id, "certificate_payment_reminder", Message("notice.payment_due"),
                         Message("notice.payment_due_body", {
                             "company": self._start.company_name, "price": self._payment.price,
                             "currency": self._payment.currency, "days": self._payment.validity_days}),
                         f"payment-reminder:{n}")

    async def _letter_tick(self, n: int) -> None:
        what = "notice.letter_continue" if self._signed else "notice.letter_upload"
        await notify(self._start.company_id, "exoneration_letter_reminder", Message("notice.letter_waiting"),
                     Message(what, {"company": self._start.company_name}), f"letter-reminder:{n}")

    def _sla(self, what: Message):
        async def breached() -> None:
            await self._tracker.failed_attempt(
                Message("sla.exceeded_for", {"what": what, "sla": span(self._start.policy.sla)}))
            await notify(None, "sla_breached", Message("notice.sla_exceeded", {"what": what}),
                         Message("notice.sla_exceeded_body", {"company": self._start.company_name,
                                                              "tax_id": self._start.company_tax_id, "what": what}),
                         f"sla:{self._tracker.step}")
        return breached

    # --- human steps -------------------------------------------------------

    @workflow.update
    async def choose_path(self, choice: CertificatePathChoice) -> str:
        self._path = choice.path
        return choice.path

    @choose_path.validator
    def _validate_choose_path(self, choice: CertificatePathChoice) -> None:
        self._expect("choose_path", Step.CHOOSE_PATH)
        problems = Problems.acting(choice.actor)
        if choice.path not in self._start.paths:
            problems.add("path", "one_of", choices=list(self._start.paths))
        problems.raise_if_any()

    @workflow.update
    async def verify_payment(self, check: PaymentCheck) -> PaymentView:
        async with self._lock:
            await self._check_payment()
        return self._payment_view()

    @verify_payment.validator
    def _validate_verify_payment(self, check: PaymentCheck) -> None:
        self._expect("verify_payment", Step.PAYMENT)
        problems = Problems.acting(check.actor)
        problems.raise_if_any()

    @workflow.update
    async def submit_representative(self, data: LegalRepresentative) -> LetterRef | None:
        async with self._lock:
            info = workflow.info()
            ref = await bookkeeping(
                RepresentativeActivities.save_representative,
                SaveRepresentative(source_key=f"{info.workflow_id}:representative:{info.get_current_history_length()}",
                                   company_id=self._start.company_id, representative=data), **ACTIVITY)
            if self._path == "loan":
                self._letter = await workflow.execute_activity_method(
                    LetterActivities.generate_letter,
                    LetterRequest(workflow_id=info.workflow_id, purpose=self._start.purpose,
                                  company_id=self._start.company_id, representative_id=ref.representative_id,
                                  date=workflow.now().date().isoformat()), **ACTIVITY)
            self._representative_id = ref.representative_id
        return self._letter

    @submit_representative.validator
    def _validate_submit_representative(self, data: LegalRepresentative) -> None:
        allowed = (Step.REPRESENTATIVE, Step.SIGNED_LETTER) if self._path == "loan" else (Step.REPRESENTATIVE,)
        if self._continued:
            allowed = ()
        self._expect("submit_representative", *allowed)
        problems = Problems()
        problems.extend(representative_problems(data))
        problems.raise_if_any()

    @workflow.update
    async def upload_signed_letter(self, upload: SignedLetterUpload) -> Message:
        async with self._lock:
            attached: LetterAttached = await workflow.execute_activity_method(
                UploadActivities.attach_signed_letter,
                AttachSignedLetter(workflow_id=workflow.info().workflow_id, purpose=self._start.purpose,
                                   stored_file_id=upload.stored_file_id, sha256=upload.sha256,
                                   uploaded_at=workflow.now()),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30),
                                         non_retryable_error_types=["UploadRefused"]))
            self._signed, self._loan_date = attached, attached.loan_date
            # Only the first upload dates the loan; a later one says the date stays.
            answer = Message("letter.received" if attached.first_upload else "letter.replaced",
                             {"date": attached.loan_date.date().isoformat()})
            self._messages.append(answer)
        return answer

    @upload_signed_letter.validator
    def _validate_upload_signed_letter(self, upload: SignedLetterUpload) -> None:
        self._expect("upload_signed_letter", Step.SIGNED_LETTER)
        problems = Problems.acting(upload.actor)
        if upload.stored_file_id <= 0:
            problems.add("stored_file_id", "upload_first")
        if not is_sha256(upload.sha256 or ""):
            problems.add("sha256", "sha256_format")
        problems.raise_if_any()

    @workflow.update
    async def delete_signed_letter(self, deletion: SignedLetterDeletion) -> Message:
        async with self._lock:
            await workflow.execute_activity_method(
                UploadActivities.remove_signed_letter,
                RemoveSignedLetter(workflow_id=workflow.info().workflow_id, purpose=self._start.purpose), **ACTIVITY)
            self._signed = None
        return Message("letter.deleted")

    @delete_signed_letter.validator
    def _validate_delete_signed_letter(self, deletion: SignedLetterDeletion) -> None:
        self._expect("delete_signed_letter", Step.SIGNED_LETTER)
        self._require_signed_letter(deletion.actor)

    @workflow.update
    async def continue_with_loan(self, go: LoanContinuation) -> Message:
        self._continued = True
        return Message("loan.dates_from", {"date": self._loan_date.date().isoformat()})

    @continue_with_loan.validator
    def _validate_continue_with_loan(self, go: LoanContinuation) -> None:
        self._expect("continue_with_loan", Step.SIGNED_LETTER)
        self._require_signed_letter(go.actor)

    def _require_signed_letter(self, actor: str) -> None:
        problems = Problems.acting(actor)
        if self._signed is None:
            problems.add("signed_letter", "signed_letter_missing")
        problems.raise_if_any()

    def _expect(self, action: str, *steps: str) -> None:
        expect_step(action, step_now(self._tracker), *steps)

    @workflow.query
    def status(self) -> CertificateStatus:
        return CertificateStatus(
            step=step_now(self._tracker), path=self._path,
            payment=self._payment_view() if self._payment else None, letter=self._letter,
            signed_letter_uploaded=self._signed is not None, loan_date=self._loan_date,
            messages=tuple(self._messages))

    def _payment_view(self) -> PaymentView:
        p = self._payment
        message = (Message("payment.paid") if p.paid else
                   Message("payment.not_paid", {"price": p.price, "currency": p.currency, "days": p.validity_days}))
        return PaymentView(paid=p.paid, message=message, price=p.price, currency=p.currency,
                           validity_days=p.validity_days)
