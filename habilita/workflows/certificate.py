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

from temporalio import workflow
from temporalio.common import RetryPolicy

from .inputs import Problems, wrong_step
from .process import ProcessTracker, projecting_the_end
from .reminders import WaitPolicy, notify, wait_reminding

with workflow.unsafe.imports_passed_through():
    from habilita.activities.certificates import (
        CertificateActivities, CertificateRef, CompanyRef, IssueOwnCertificate, LendCertificate, PaymentState,
    )
    from habilita.activities.letters import LetterActivities, LetterRef, LetterRequest
    from habilita.activities.representatives import (
        LegalRepresentative, RepresentativeActivities, SaveRepresentative, representative_problems,
    )
    from habilita.activities.uploads import AttachSignedLetter, LetterAttached, RemoveSignedLetter, UploadActivities

PROCESS_TYPE = "certificate"
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
    message: str
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
    messages: tuple[str, ...] = field(default_factory=tuple)


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
        self._messages: list[str] = []

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
            await self._tracker.enter("choose_path", waiting_on="staff")
            await workflow.wait_condition(lambda: bool(self._path))
        outcome = await (self._own() if self._path == "own" else self._loan())
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._tracker.finish("completed", step="issued" if self._path == "own" else "loaned")
        return outcome

    async def _own(self) -> CertificateOutcome:
        await self._tracker.enter("payment")
        await self._check_payment()
        if self._payment.paid:
            self._messages.append("the certificate is already paid")
        else:
            await self._tracker.waiting("company")
            await wait_reminding(lambda: self._payment.paid, self._start.policy,
                                 on_tick=self._payment_tick, on_sla=self._sla("waiting for the certificate payment"))
        await self._tracker.enter("representative", waiting_on="staff")
        await workflow.wait_condition(lambda: self._representative_id is not None)
        await self._tracker.enter("issuance")
        ref: CertificateRef = await workflow.execute_activity_method(
            CertificateActivities.issue_own_certificate,
            IssueOwnCertificate(workflow_id=workflow.info().workflow_id, company_id=self._start.company_id,
                                representative_id=self._representative_id, order_id=self._payment.order_id),
            **ACTIVITY)
        return CertificateOutcome(path="own", certificate_id=ref.certificate_id, holder_nit=ref.holder_nit)

    async def _loan(self) -> CertificateOutcome:
        await self._tracker.enter("representative", waiting_on="staff")
        await workflow.wait_condition(lambda: self._letter is not None)
        await self._tracker.enter("signed_letter", waiting_on="company")
        await wait_reminding(lambda: self._continued, self._start.policy,
                             on_tick=self._letter_tick, on_sla=self._sla("waiting for the signed exoneration letter"))
        await self._tracker.enter("lending")
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
            await notify(self._start.company_id, "certificate_payment_reminder", "Your digital certificate is not paid yet",
                         f"{self._start.company_name}: the certificate costs {self._payment.price:,} "
                         f"{self._payment.currency} for {self._payment.validity_days} days; pay it to continue.",
                         f"payment-reminder:{n}")

    async def _letter_tick(self, n: int) -> None:
        what = "press continue" if self._signed else "upload the signed exoneration letter (PDF, at most 1 MB)"
        await notify(self._start.company_id, "exoneration_letter_reminder", "The certificate loan is waiting for you",
                     f"{self._start.company_name}: {what}.", f"letter-reminder:{n}")

    def _sla(self, what: str):
        async def breached() -> None:
            await self._tracker.failed_attempt(f"SLA exceeded: {what} for more than {self._start.policy.sla}")
            await notify(None, "sla_breached", f"SLA exceeded: {what}",
                         f"{self._start.company_name} ({self._start.company_tax_id}): {what}.", f"sla:{self._tracker.step}")
        return breached

    # --- human steps -------------------------------------------------------

    @workflow.update
    async def choose_path(self, choice: CertificatePathChoice) -> str:
        self._path = choice.path
        return choice.path

    @choose_path.validator
    def _validate_choose_path(self, choice: CertificatePathChoice) -> None:
        self._expect("choosing the certificate path", "choose_path")
        problems = Problems()
        problems.require("actor", choice.actor, "the acting user")
        if choice.path not in self._start.paths:
            problems.add("path", f"the path must be one of {', '.join(self._start.paths)}")
        problems.raise_if_any()

    @workflow.update
    async def verify_payment(self, check: PaymentCheck) -> PaymentView:
        async with self._lock:
            await self._check_payment()
        return self._payment_view()

    @verify_payment.validator
    def _validate_verify_payment(self, check: PaymentCheck) -> None:
        self._expect("verifying the payment", "payment")
        problems = Problems()
        problems.require("actor", check.actor, "the acting user")
        problems.raise_if_any()

    @workflow.update
    async def submit_representative(self, data: LegalRepresentative) -> LetterRef | None:
        async with self._lock:
            info = workflow.info()
            ref = await workflow.execute_activity_method(
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
        allowed = ("representative", "signed_letter") if self._path == "loan" else ("representative",)
        if self._continued:
            allowed = ()
        self._expect("entering the legal representative", *allowed)
        problems = Problems()
        for field_name, message in representative_problems(data):
            problems.add(field_name, message)
        problems.raise_if_any()

    @workflow.update
    async def upload_signed_letter(self, upload: SignedLetterUpload) -> str:
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
            self._messages.append(attached.message)
        return attached.message

    @upload_signed_letter.validator
    def _validate_upload_signed_letter(self, upload: SignedLetterUpload) -> None:
        self._expect("uploading the signed letter", "signed_letter")
        problems = Problems()
        problems.require("actor", upload.actor, "the acting user")
        if upload.stored_file_id <= 0:
            problems.add("stored_file_id", "upload the file first: it has no stored id")
        if len(upload.sha256 or "") != 64:
            problems.add("sha256", "the upload's SHA-256 digest must be 64 hex characters")
        problems.raise_if_any()

    @workflow.update
    async def delete_signed_letter(self, deletion: SignedLetterDeletion) -> str:
        async with self._lock:
            await workflow.execute_activity_method(
                UploadActivities.remove_signed_letter,
                RemoveSignedLetter(workflow_id=workflow.info().workflow_id, purpose=self._start.purpose), **ACTIVITY)
            self._signed = None
        return "the signed letter was deleted; upload it again to continue (the loan date does not change)"

    @delete_signed_letter.validator
    def _validate_delete_signed_letter(self, deletion: SignedLetterDeletion) -> None:
        self._expect("deleting the signed letter", "signed_letter")
        self._require_signed_letter(deletion.actor)

    @workflow.update
    async def continue_with_loan(self, go: LoanContinuation) -> str:
        self._continued = True
        return f"the certificate loan dates from {self._loan_date.date().isoformat()}"

    @continue_with_loan.validator
    def _validate_continue_with_loan(self, go: LoanContinuation) -> None:
        self._expect("continuing with the loaned certificate", "signed_letter")
        self._require_signed_letter(go.actor)

    def _require_signed_letter(self, actor: str) -> None:
        problems = Problems()
        problems.require("actor", actor, "the acting user")
        if self._signed is None:
            problems.add("signed_letter", "upload the signed exoneration letter first")
        problems.raise_if_any()

    def _expect(self, action: str, *steps: str) -> None:
        current = self._tracker.step if self._tracker else "starting"
        if current not in steps:
            wrong_step(action, current)

    @workflow.query
    def status(self) -> CertificateStatus:
        return CertificateStatus(
            step=self._tracker.step if self._tracker else "starting", path=self._path,
            payment=self._payment_view() if self._payment else None, letter=self._letter,
            signed_letter_uploaded=self._signed is not None, loan_date=self._loan_date,
            messages=tuple(self._messages))

    def _payment_view(self) -> PaymentView:
        p = self._payment
        message = ("already paid" if p.paid else
                   f"not paid: the certificate costs {p.price:,} {p.currency} and is valid {p.validity_days} days")
        return PaymentView(paid=p.paid, message=message, price=p.price, currency=p.currency,
                           validity_days=p.validity_days)
