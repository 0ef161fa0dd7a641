"""P2: support document enablement (seed 002), four steps.

1. The company enables the support document at DIAN (skipped when its P1 is
   complete: DIAN accepts an invoicer's support-document test set at once).
2. The provider's certificate is loaned for support documents (the loan path
   of the certificate child), then staff confirm the company holds it.
3. A person at DIAN enables the support document, requests the resolution and,
   after waiting for DIAN, associates the prefixes; GetNumberingRange verifies.
4. Staff configure the support-document voucher type: ready to issue.
"""
from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Callable
from enum import StrEnum

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from habilita.states import ProcessStatus, WaitingOn

from . import certificate
from .certificate import CertificateActivation, CertificateOutcome, StartCertificate
from .inputs import expect_step, require_actor, software_of
from .numbering import check_ranges, explain
from .process import AuditEntry, ProcessTracker, bookkeeping, projecting_the_end, step_now
from .reminders import notify, wait_reminding
from .support import SkippableSteps
from .support_document_inputs import (
    DIAN_SUBSTEPS, WAIT_FOR_DIAN, DianSubstepDone, ProviderCertificateConfirmation, StartSupportDocument,
    SupportDocumentAtDian, SupportDocumentStatus, check_dian_enablement, check_substep,
)
from .voucher import VoucherTypeSetup, VoucherTypeStep

with workflow.unsafe.imports_passed_through():
    from habilita.activities.enablement import EnablementActivities, SaveSoftware, SoftwareRef
    from habilita.activities.numbering import RangeCheck, RangeQuery, ResolutionFacts
    from habilita.activities.support_document import (
        CompanyStanding, SignSupportDocument, StandingQuery, SupportDocumentActivities, SupportSetQuery,
    )
    from habilita.activities.vouchers import CreateVoucherTypes, VoucherActivities
    from habilita.messages import Message

PROCESS_TYPE = "support_document"
class Step(StrEnum):
    """P2's steps, in order, and where it ends (``READY``)."""

    DIAN_ENABLEMENT = "dian_enablement"
    CERTIFICATE = "certificate"
    CERTIFICATE_CONFIRMATION = "certificate_confirmation"
    RESOLUTION = "resolution"
    VOUCHER_TYPE = "voucher_type"
    READY = "ready"


STEPS = tuple(s for s in Step if s is not Step.READY)
# The seed's numbering ("step 2 of 4"), which the console and the CLI show.
STEP_NUMBER = {Step.DIAN_ENABLEMENT: 1, Step.CERTIFICATE: 2, Step.CERTIFICATE_CONFIRMATION: 2, Step.RESOLUTION: 3,
               Step.VOUCHER_TYPE: 4}
DS_KINDS = ("support_document",)
ACTIVITY = dict(start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)))
READY = Message("support_document.ready")
# What a person does at each step, as the status and the reminders tell it (certificate_confirmation names the NIT).
GUIDANCE = {Step.DIAN_ENABLEMENT: Message("support_document.enable_at_dian"),
            Step.CERTIFICATE: Message("support_document.update_certificate"),
            Step.RESOLUTION: WAIT_FOR_DIAN, Step.VOUCHER_TYPE: Message("support_document.pick_resolution"),
            Step.READY: READY}


def as_application_error(exc: ActivityError) -> ApplicationError:
    """The activity's failure as the one exception type that fails only an update, never the workflow task."""
    cause = exc.cause
    kind = cause.type if isinstance(cause, ApplicationError) else "ActivityFailed"
    # The details carry the refused field's problem (e.g. a test set id that is not the company's).
    details = cause.details if isinstance(cause, ApplicationError) else ()
    return ApplicationError(str(cause or exc), *details, type=kind, non_retryable=True)


@workflow.defn
class SupportDocumentEnablement(SkippableSteps, VoucherTypeStep):
    # Staff only confirm here what the certificate child already did: support
    # may skip it with a reason (e.g. confirmed by phone); later steps need nothing from it.
    SKIPPABLE_STEPS = frozenset({Step.CERTIFICATE_CONFIRMATION})
    VOUCHER_ANSWER = "voucher_types.creating_support"

    def __init__(self) -> None:
        self._tracker: ProcessTracker | None = None
        self._start: StartSupportDocument | None = None
        self._lock = asyncio.Lock()
        self._standing: CompanyStanding | None = None
        self._software: SoftwareRef | None = None
        self._test_set_id = ""
        self._dian_enabled = False
        self._child_id = ""
        self._certificate: CertificateOutcome | None = None
        self._certificate_confirmed = False
        self._substeps: tuple[str, ...] = ()
        self._check: RangeCheck | None = None
        self._resolutions: tuple[ResolutionFacts, ...] = ()
        self._voucher: VoucherTypeSetup | None = None
        self._sample_cuds = ""

    @workflow.run
    async def run(self, start: StartSupportDocument) -> str:
        return await projecting_the_end(lambda: self._tracker, self._run(start))

    async def _run(self, start: StartSupportDocument) -> str:
        self._start = start
        wid = workflow.info().workflow_id
        self._tracker = ProcessTracker(process_type=PROCESS_TYPE, company_id=start.company_id,
                                       company_tax_id=start.company_tax_id)
        self._standing = await workflow.execute_activity_method(
            SupportDocumentActivities.company_standing, StandingQuery(start.company_id), **ACTIVITY)
        if self._standing.software_ref_id:
            s = self._standing
            self._software = SoftwareRef(s.software_ref_id, s.software_id, s.software_owner_nit)
        if not self._standing.p1_complete:
            await self._tracker.enter(Step.DIAN_ENABLEMENT, waiting_on=WaitingOn.STAFF)
            await self._wait_for_person(Step.DIAN_ENABLEMENT, lambda: self._dian_enabled, self._recheck_set)

        await self._tracker.enter(Step.CERTIFICATE, waiting_on=WaitingOn.STAFF)
        self._child_id = wid + certificate.ID_SUFFIX
        self._certificate = await workflow.execute_child_workflow(
            CertificateActivation.run,
            StartCertificate(company_id=start.company_id, company_tax_id=start.company_tax_id,
                             company_name=start.company_name, purpose="support_document", paths=("loan",),
                             policy=start.policy),
            id=self._child_id)
        self._child_id = ""
        await self._tracker.enter(Step.CERTIFICATE_CONFIRMATION, waiting_on=WaitingOn.STAFF)
        await self._wait_for_person(Step.CERTIFICATE_CONFIRMATION, lambda: self._certificate_confirmed
                                    or self.skip_requested(Step.CERTIFICATE_CONFIRMATION))
        skipped = self.skip_of(Step.CERTIFICATE_CONFIRMATION)
        if skipped is not None:
            await self._tracker.audit(AuditEntry(actor=skipped.actor, action="skip certificate_confirmation",
                                                 target_id=wid, reason=skipped.reason))

        await self._tracker.enter(Step.RESOLUTION, waiting_on=WaitingOn.COMPANY)
        await self._wait_for_person(Step.RESOLUTION, self._ranges_found, self._recheck_ranges)
        self._resolutions = self._check.resolutions

        await self._tracker.enter(Step.VOUCHER_TYPE, waiting_on=WaitingOn.STAFF)
        await self._wait_for_person(Step.VOUCHER_TYPE, lambda: self._voucher is not None)
        await self._configure(wid)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._tracker.finish(ProcessStatus.COMPLETED, step=Step.READY)
        return Step.READY

    async def _configure(self, wid: str) -> None:
        setup = self._voucher
        chosen = next(r for r in self._resolutions if r.resolution_id == setup.resolution_id)
        created = await workflow.execute_activity_method(
            VoucherActivities.create_voucher_types,
            CreateVoucherTypes(workflow_id=wid, company_id=self._start.company_id, resolution_id=chosen.resolution_id,
                               prefix=chosen.prefix, next_number=setup.next_number, document_kinds=DS_KINDS,
                               actor=setup.actor), **ACTIVITY)
        # Sign one document with the loaned certificate before saying "ready":
        # a wrong range, PIN or certificate shows here, not at the company's first purchase.
        signed = await workflow.execute_activity_method(
            SupportDocumentActivities.sign_support_document,
            SignSupportDocument(company_id=self._start.company_id, voucher_type_id=created.voucher_type_ids[0],
                                certificate_id=self._certificate.certificate_id,
                                software_ref_id=self._software.software_ref_id), **ACTIVITY)
        self._sample_cuds = signed.cuds
        await self._tracker.audit(AuditEntry(actor=setup.actor, action="support_voucher_type_created", target_id=wid,
                                             detail=Message("audit.resolution_next", {
                                                 "prefix": chosen.prefix, "number": chosen.resolution_number,
                                                 "next": setup.next_number})))
        await notify(self._start.company_id, "support_document_ready", Message("notice.support_ready"),
                     Message("notice.support_ready_body", {"company": self._start.company_name,
                                                           "prefix": chosen.prefix}),
                     "ready")

    async def _wait_for_person(self, step: str, done: Callable[[], bool], recheck=None) -> None:
        """Wait for ``done()``, re-checking DIAN (``recheck``) and reminding at every tick; flag the SLA."""
        async def tick(n: int) -> None:
            if recheck is not None:
                async with self._lock:
                    await recheck()
            if not done():
                await notify(self._start.company_id, f"support_{step}_reminder",
                             Message("notice.support_waiting"), self._message(step), f"{step}:{n}")

        async def breached() -> None:
            await self._tracker.failed_attempt(Message("sla.exceeded_at", {"step": step, "why": self._message(step)}))

        await wait_reminding(done, self._start.policy, on_tick=tick, on_sla=breached)

    def _ranges_found(self) -> bool:
        return (all(s in self._substeps for s in DIAN_SUBSTEPS) and self._check is not None
                and self._check.code == "100" and bool(self._check.resolutions))

    async def _recheck_set(self) -> None:
        if self._test_set_id:
            try:
                state = await self._check_set(self._test_set_id)
            except ApplicationError as exc:
                # A tick must not fail the process: record why and keep waiting for a person.
                await self._tracker.failed_attempt(str(exc))
                return
            self._dian_enabled = state.accepted

    async def _recheck_ranges(self) -> None:
        if "associate_prefixes" in self._substeps:
            try:
                self._check = await self._ranges_now()
            except ApplicationError as exc:
                await self._tracker.failed_attempt(str(exc))

    async def _check_set(self, test_set_id: str):
        try:
            return await workflow.execute_activity_method(
                SupportDocumentActivities.check_support_document_set,
                SupportSetQuery(self._start.company_id, test_set_id),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(maximum_attempts=3, non_retryable_error_types=["WrongTestSet"]))
        except ActivityError as exc:
            raise as_application_error(exc) from exc

    async def _ranges_now(self) -> RangeCheck:
        try:
            return await check_ranges(self._range_query())
        except ActivityError as exc:
            raise as_application_error(exc) from exc

    def _range_query(self) -> RangeQuery:
        # DIAN answers a company's ranges to the company's own certificate, or to its provider's
        # when the company uses the provider's software: prefer the company's own when it has one.
        certificate_id = self._standing.own_certificate_id or self._certificate.certificate_id
        return RangeQuery(company_id=self._start.company_id, certificate_id=certificate_id,
                          software_id=self._software.software_id,
                          software_owner_nit=self._software.software_owner_nit, purpose="support_document")

    # --- human steps -------------------------------------------------------

    @workflow.update
    async def confirm_support_document_at_dian(self, data: SupportDocumentAtDian) -> Message:
        wid = workflow.info().workflow_id
        async with self._lock:
            state = await self._check_set(data.test_set_id.strip())
            if self._software is None:
                owner = (self._start.company_tax_id.split("-")[0] if data.operation_mode == "own_software"
                         else self._start.provider_nit)
                self._software = await bookkeeping(
                    EnablementActivities.save_software,
                    SaveSoftware(source_key=f"{wid}:dian_enablement", company_id=self._start.company_id,
                                 operation_mode=data.operation_mode, test_set_id=data.test_set_id.strip(),
                                 software_id=software_of(data.operation_mode, data.software_id,
                                                         self._start.provider_software_id),
                                 software_owner_nit=owner, pin=data.pin),
                    **ACTIVITY)
            self._test_set_id = data.test_set_id.strip()
            self._dian_enabled = state.accepted
            self._substeps = ("enable_support_document",)
            await self._tracker.audit(AuditEntry(actor=data.actor, action="support_document_enabled_at_dian",
                                                 target_id=wid, detail=Message("audit.test_set_answer", {
                                                     "test_set": self._test_set_id, "answer": state.message})))
        return Message("support_set.accepted" if state.accepted else "support_set.pending", {"answer": state.message})

    @confirm_support_document_at_dian.validator
    def _validate_dian_enablement(self, data: SupportDocumentAtDian) -> None:
        self._expect("confirm_support_document_at_dian", Step.DIAN_ENABLEMENT)
        check_dian_enablement(data, software_known=self._software is not None,
                              provider_software_id=self._start.provider_software_id)

    @workflow.update
    async def confirm_provider_certificate(self, data: ProviderCertificateConfirmation) -> Message:
        self._certificate_confirmed = True
        nit = self._certificate.holder_nit
        await self._tracker.audit(AuditEntry(actor=data.actor, action="provider_certificate_confirmed",
                                             target_id=workflow.info().workflow_id,
                                             detail=Message("audit.certificate_of", {"nit": nit})))
        return Message("support_certificate.signs_with", {"nit": nit})

    @confirm_provider_certificate.validator
    def _validate_provider_certificate(self, data: ProviderCertificateConfirmation) -> None:
        self._expect("confirm_provider_certificate", Step.CERTIFICATE_CONFIRMATION)
        require_actor(data.actor)

    @workflow.update
    async def confirm_dian_substep(self, data: DianSubstepDone) -> Message:
        async with self._lock:
            if data.substep not in self._substeps:
                self._substeps = tuple(s for s in DIAN_SUBSTEPS if s in (*self._substeps, data.substep))
            if data.substep != "enable_support_document":
                self._check = await self._ranges_now()
            await self._tracker.audit(AuditEntry(actor=data.actor, action=f"dian_{data.substep}",
                                                 target_id=workflow.info().workflow_id))
        if self._check is None:
            return Message("substep.recorded", {"substep": data.substep, "rest": WAIT_FOR_DIAN})
        step = "numbering_resolution" if data.substep == "request_resolution" else "prefix_association"
        return Message("substep.recorded", {"substep": data.substep, "rest": explain(self._check, step=step)})

    @confirm_dian_substep.validator
    def _validate_dian_substep(self, data: DianSubstepDone) -> None:
        self._expect("confirm_dian_substep", Step.RESOLUTION)
        check_substep(data, done=self._substeps)

    def _expect(self, action: str, step: str) -> None:
        expect_step(action, step_now(self._tracker), step)

    def _message(self, step: str) -> Message | None:
        """What a person does at ``step`` (None where nothing is theirs to do)."""
        if step == Step.CERTIFICATE_CONFIRMATION:
            holder = self._certificate.holder_nit if self._certificate else ""
            return Message("support_document.confirm_certificate", {"nit": holder})
        return GUIDANCE.get(step)

    @workflow.query
    def status(self) -> SupportDocumentStatus:
        if self._tracker is None:
            return SupportDocumentStatus(step="starting", status=ProcessStatus.RUNNING, waiting_on="",
                                         started_at_step=0, message=None)
        s = self._tracker.snapshot
        step = s.step
        return SupportDocumentStatus(
            step=step, status=s.status, waiting_on=s.waiting_on,
            started_at_step=2 if self._standing and self._standing.p1_complete else 1,
            message=self._message(step), step_number=STEP_NUMBER.get(step, 4 if step == Step.READY else 0),
            active_workflow_id=self._child_id, substeps_done=self._substeps,
            last_check=explain(self._check, step="prefix_association") if self._check else None,
            resolutions=self._resolutions, sample_cuds=self._sample_cuds)
