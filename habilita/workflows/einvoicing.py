"""P1: electronic invoicing enablement, the six steps of DIAN's habilitación."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.workflow import ParentClosePolicy

from habilita.inputs import limits
from habilita.states import ProcessStatus, WaitingOn

from . import certificate, test_set
from .certificate import CertificateActivation, CertificateOutcome, StartCertificate
from .inputs import Problems, expect_step, require_actor, software_of, wrong_step
from .numbering import DianConfirmation, check_ranges, explain
from .process import AuditEntry, ProcessTracker, bookkeeping, projecting_the_end, step_now
from .reminders import REMINDER_ID_SUFFIX, OwnCertificateReminder, OwnCertificateReminderInput, WaitPolicy, notify, wait_reminding
from .test_set import StartTestSet, TestSetOutcome, TestSetSubmission
from .voucher import VoucherTypeSetup, VoucherTypeStep

with workflow.unsafe.imports_passed_through():
    from habilita.activities.enablement import EnablementActivities, LockTaxId, SaveSoftware, SoftwareRef
    from habilita.activities.numbering import RangeCheck, RangeQuery, ResolutionFacts
    from habilita.activities.vouchers import CreateVoucherTypes, VoucherActivities
    from habilita.messages import Message
    from habilita.messages.stored import as_text

PROCESS_TYPE = "einvoicing"


class Step(StrEnum):
    """P1's steps, in order, and where it ends (``ENABLED``)."""

    DIAN_REGISTRATION = "dian_registration"
    CERTIFICATE = "certificate"
    TEST_SET = "test_set"
    NUMBERING_RESOLUTION = "numbering_resolution"
    PREFIX_ASSOCIATION = "prefix_association"
    VOUCHER_TYPE = "voucher_type"
    ENABLED = "enabled"


STEPS = tuple(s for s in Step if s is not Step.ENABLED)
OPERATION_MODES = ("own_software", "provider")
P1_KINDS = ("invoice", "credit_note", "debit_note")
ACTIVITY = dict(start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)))
# Kept in the company's row: the console shows it (and the refusal of a changed NIT) in the reader's language.
NIT_LOCK_REASON = as_text(Message("tax_id_locked_by_test_set"))


@dataclass(frozen=True)
class StartEnablement:
    company_id: int
    company_tax_id: str
    started_by: str
    company_name: str = ""
    provider_nit: str = ""
    # The provider's software at DIAN, from settings: a provider-mode registration that gives no
    # software id uses it (its PIN stays with the worker). Empty: none is configured.
    provider_software_id: str = ""
    test_set_counts: tuple[int, int, int] = (60, 20, 20)
    policy: WaitPolicy = WaitPolicy()
    own_certificate_reminder_seconds: float = 30 * 86_400


@dataclass(frozen=True)
class DianRegistration:
    """What DIAN's portal gave the company when it registered as an invoicer.

    In provider mode the software id and PIN are the provider's, as the portal shows them.
    """

    actor: str
    operation_mode: str
    test_set_id: str
    software_id: str = ""
    pin: str = ""


@dataclass(frozen=True)
class TestSetStart:
    """Staff start the test set after reading that the NIT cannot change from then on."""

    __test__ = False
    actor: str
    confirmed_tax_id: str


@dataclass(frozen=True)
class RegistrationFacts:
    operation_mode: str
    test_set_id: str
    software_id: str


@dataclass(frozen=True)
class EnablementStatus:
    step: str
    status: str
    waiting_on: str
    registration: RegistrationFacts | None
    active_workflow_id: str = ""
    warning: Message | None = None
    last_check: Message | None = None
    resolutions: tuple[ResolutionFacts, ...] = field(default_factory=tuple)


def check_registration(data: DianRegistration, *, provider_software_id: str = "") -> None:
    """Reject the registration with every field problem at once.

    In provider mode the software id and PIN may be left out: the provider's
    configured software is used, and the registration is refused when there is none.
    """
    problems = Problems.acting(data.actor)
    if data.operation_mode not in OPERATION_MODES:
        problems.add("operation_mode", "one_of", choices=list(OPERATION_MODES))
    problems.guid("test_set_id", data.test_set_id)
    problems.software(data.operation_mode, data.software_id, data.pin, provider_software_id=provider_software_id)
    problems.raise_if_any()


@workflow.defn
class EInvoicingEnablement(VoucherTypeStep):
    VOUCHER_ANSWER = "voucher_types.creating_invoicing"

    def __init__(self) -> None:
        self._tracker: ProcessTracker | None = None
        self._start: StartEnablement | None = None
        self._registration: DianRegistration | None = None
        self._software: SoftwareRef | None = None
        self._certificate: CertificateOutcome | None = None
        self._test_set_started: TestSetStart | None = None
        self._child_id = ""
        self._lock = asyncio.Lock()
        self._check: RangeCheck | None = None
        self._resolutions: tuple[ResolutionFacts, ...] = ()
        self._voucher: VoucherTypeSetup | None = None

    @workflow.run
    async def run(self, start: StartEnablement) -> str:
        return await projecting_the_end(lambda: self._tracker, self._run(start))

    async def _run(self, start: StartEnablement) -> str:
        self._start = start
        wid = workflow.info().workflow_id
        self._tracker = ProcessTracker(process_type=PROCESS_TYPE, company_id=start.company_id,
                                       company_tax_id=start.company_tax_id)
        await self._tracker.enter(Step.DIAN_REGISTRATION, waiting_on=WaitingOn.STAFF)
        await workflow.wait_condition(lambda: self._software is not None)

        await self._tracker.enter(Step.CERTIFICATE, waiting_on=WaitingOn.STAFF)
        self._child_id = wid + certificate.ID_SUFFIX
        self._certificate = await workflow.execute_child_workflow(
            CertificateActivation.run,
            StartCertificate(company_id=start.company_id, company_tax_id=start.company_tax_id,
                             company_name=start.company_name, purpose="einvoicing", policy=start.policy),
            id=self._child_id)

        await self._tracker.enter(Step.TEST_SET, waiting_on=WaitingOn.STAFF)
        self._child_id = ""
        await workflow.wait_condition(lambda: self._test_set_started is not None)
        await bookkeeping(EnablementActivities.lock_tax_id, LockTaxId(start.company_id, NIT_LOCK_REASON), **ACTIVITY)
        self._child_id = wid + test_set.ID_SUFFIX
        invoices, credit_notes, debit_notes = start.test_set_counts
        await self._tracker.waiting("dian")
        await workflow.execute_child_workflow(
            TestSetSubmission.run,
            StartTestSet(company_id=start.company_id, company_tax_id=start.company_tax_id,
                         company_name=start.company_name, certificate_id=self._certificate.certificate_id,
                         software_ref_id=self._software.software_ref_id, test_set_id=self._registration.test_set_id,
                         invoices=invoices, credit_notes=credit_notes, debit_notes=debit_notes, policy=start.policy),
            id=self._child_id)
        self._child_id = ""

        await self._tracker.enter(Step.NUMBERING_RESOLUTION, waiting_on=WaitingOn.COMPANY)
        await self._wait_for_dian(Step.NUMBERING_RESOLUTION, lambda c: c.code in ("100", "302"))
        await self._tracker.enter(Step.PREFIX_ASSOCIATION, waiting_on=WaitingOn.COMPANY)
        if not (self._check and self._check.code == "100"):
            await self._wait_for_dian(Step.PREFIX_ASSOCIATION, lambda c: c.code == "100")
        self._resolutions = self._check.resolutions

        await self._tracker.enter(Step.VOUCHER_TYPE, waiting_on=WaitingOn.STAFF)
        await workflow.wait_condition(lambda: self._voucher is not None)
        chosen = next(r for r in self._resolutions if r.resolution_id == self._voucher.resolution_id)
        await workflow.execute_activity_method(
            VoucherActivities.create_voucher_types,
            CreateVoucherTypes(workflow_id=wid, company_id=start.company_id, resolution_id=chosen.resolution_id,
                               prefix=chosen.prefix, next_number=self._voucher.next_number,
                               document_kinds=P1_KINDS, actor=self._voucher.actor), **ACTIVITY)
        await self._tracker.audit(AuditEntry(actor=self._voucher.actor, action="voucher_types_created", target_id=wid,
                                             detail=Message("audit.resolution", {
                                                 "prefix": chosen.prefix, "number": chosen.resolution_number})))
        await notify(start.company_id, "enabled", Message("notice.enabled"),
                     Message("notice.enabled_body", {"company": start.company_name}), "enabled")
        if self._certificate.path == "loan":
            await workflow.start_child_workflow(
                OwnCertificateReminder.run,
                OwnCertificateReminderInput(company_id=start.company_id, company_name=start.company_name,
                                            remind_every_seconds=start.own_certificate_reminder_seconds),
                id=wid + REMINDER_ID_SUFFIX, parent_close_policy=ParentClosePolicy.ABANDON)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._tracker.finish(ProcessStatus.COMPLETED, step=Step.ENABLED)
        return Step.ENABLED

    def _query(self) -> RangeQuery:
        return RangeQuery(company_id=self._start.company_id, certificate_id=self._certificate.certificate_id,
                          software_id=self._software.software_id,
                          software_owner_nit=self._software.software_owner_nit, purpose="einvoicing")

    async def _wait_for_dian(self, step: str, satisfied) -> None:
        async def tick(n: int) -> None:
            async with self._lock:
                self._check = await check_ranges(self._query())
            if not satisfied(self._check):
                await notify(self._start.company_id, f"{step}_reminder", Message("notice.dian_waiting"),
                             explain(self._check, step=step), f"{step}:{n}")

        async def breached() -> None:
            await self._tracker.failed_attempt(
                Message("sla.exceeded_at", {"step": step, "why": explain(self._check, step=step)}))

        self._check = None
        await wait_reminding(lambda: self._check is not None and satisfied(self._check), self._start.policy,
                             on_tick=tick, on_sla=breached)

    # --- human steps -------------------------------------------------------

    @workflow.update
    async def submit_dian_registration(self, data: DianRegistration) -> RegistrationFacts:
        async with self._lock:
            owner = (self._start.company_tax_id.split("-")[0] if data.operation_mode == "own_software"
                     else self._start.provider_nit)
            software_id = software_of(data.operation_mode, data.software_id, self._start.provider_software_id)
            self._software = await bookkeeping(
                EnablementActivities.save_software,
                SaveSoftware(source_key=f"{workflow.info().workflow_id}:dian_registration",
                             company_id=self._start.company_id, operation_mode=data.operation_mode,
                             test_set_id=data.test_set_id, software_id=software_id, software_owner_nit=owner,
                             pin=data.pin), **ACTIVITY)
            # The PIN is sealed in the database now: keep the facts without it.
            self._registration = DianRegistration(actor=data.actor, operation_mode=data.operation_mode,
                                                  test_set_id=data.test_set_id, software_id=software_id)
            await self._tracker.audit(AuditEntry(
                actor=data.actor, action="dian_registration", target_id=workflow.info().workflow_id,
                detail=Message("audit.registration", {"mode": data.operation_mode, "test_set": data.test_set_id})))
        return self._facts()

    @submit_dian_registration.validator
    def _validate_dian_registration(self, data: DianRegistration) -> None:
        if self._tracker is None or self._tracker.step != Step.DIAN_REGISTRATION or self._registration:
            wrong_step("submit_dian_registration", step_now(self._tracker),
                       already_done=self._registration is not None)
        check_registration(data, provider_software_id=self._start.provider_software_id)

    @workflow.update
    async def start_test_set(self, go: TestSetStart) -> Message:
        self._test_set_started = go
        await self._tracker.audit(AuditEntry(actor=go.actor, action="test_set_started",
                                             target_id=workflow.info().workflow_id, detail=self._nit_warning()))
        return self._nit_warning()

    @start_test_set.validator
    def _validate_start_test_set(self, go: TestSetStart) -> None:
        self._expect("start_test_set", Step.TEST_SET)
        if self._test_set_started is not None:
            wrong_step("start_test_set", Step.TEST_SET, already_done=True)
        problems = Problems.acting(go.actor)
        if problems.require("confirmed_tax_id", go.confirmed_tax_id, maximum=limits.TAX_ID_WITH_CHECK_DIGIT) and \
                go.confirmed_tax_id.strip() != self._start.company_tax_id:
            problems.add("confirmed_tax_id", "confirm_nit", nit=self._start.company_tax_id)
        problems.raise_if_any()

    @workflow.update
    async def confirm_resolution_requested(self, confirmation: DianConfirmation) -> Message:
        return await self._confirm(Step.NUMBERING_RESOLUTION)

    @confirm_resolution_requested.validator
    def _validate_confirm_resolution(self, confirmation: DianConfirmation) -> None:
        self._expect("confirm_resolution_requested", Step.NUMBERING_RESOLUTION)
        require_actor(confirmation.actor)

    @workflow.update
    async def confirm_prefixes_associated(self, confirmation: DianConfirmation) -> Message:
        return await self._confirm(Step.PREFIX_ASSOCIATION)

    @confirm_prefixes_associated.validator
    def _validate_confirm_prefixes(self, confirmation: DianConfirmation) -> None:
        self._expect("confirm_prefixes_associated", Step.PREFIX_ASSOCIATION)
        require_actor(confirmation.actor)

    async def _confirm(self, step: str) -> Message:
        async with self._lock:
            self._check = await check_ranges(self._query())
        return explain(self._check, step=step)

    def _expect(self, action: str, step: str) -> None:
        expect_step(action, step_now(self._tracker), step)

    def _nit_warning(self) -> Message:
        return Message("test_set.nit_locked", {"nit": self._start.company_tax_id})

    @workflow.query
    def status(self) -> EnablementStatus:
        s = self._tracker.snapshot
        return EnablementStatus(
            step=s.step, status=s.status, waiting_on=s.waiting_on, registration=self._facts(),
            active_workflow_id=self._child_id,
            warning=self._nit_warning() if s.step == Step.TEST_SET and not self._test_set_started else None,
            last_check=explain(self._check, step=s.step) if self._check else None, resolutions=self._resolutions)

    def _facts(self) -> RegistrationFacts | None:
        r = self._registration
        return RegistrationFacts(r.operation_mode, r.test_set_id, r.software_id) if r else None
