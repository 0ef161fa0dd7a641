"""P1: electronic invoicing enablement, the six steps of DIAN's habilitación."""
from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow

from .inputs import Problems, wrong_step
from .process import AuditEntry, ProcessTracker

PROCESS_TYPE = "einvoicing"
STEPS = (
    "dian_registration", "certificate", "test_set",
    "numbering_resolution", "prefix_association", "voucher_type",
)
OPERATION_MODES = ("own_software", "provider")


@dataclass(frozen=True)
class StartEnablement:
    company_id: int
    company_tax_id: str
    started_by: str


@dataclass(frozen=True)
class DianRegistration:
    """What DIAN's portal gave the company when it registered as an invoicer."""

    actor: str
    operation_mode: str
    test_set_id: str
    software_id: str = ""
    pin: str = ""


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


def check_registration(data: DianRegistration) -> None:
    """Reject the registration with every field problem at once."""
    problems = Problems()
    problems.require("actor", data.actor, "the acting user")
    if data.operation_mode not in OPERATION_MODES:
        problems.add("operation_mode", f"operation mode must be one of {', '.join(OPERATION_MODES)}")
    problems.guid("test_set_id", data.test_set_id, "the test set id")
    if data.operation_mode == "own_software":
        problems.guid("software_id", data.software_id, "the software id")
        if problems.require("pin", data.pin, "the software PIN") and not (
                data.pin.isdigit() and len(data.pin) == 5):
            problems.add("pin", "the software PIN must be 5 digits")
    problems.raise_if_any()


@workflow.defn
class EInvoicingEnablement:
    def __init__(self) -> None:
        self._tracker: ProcessTracker | None = None
        self._registration: DianRegistration | None = None

    @workflow.run
    async def run(self, start: StartEnablement) -> str:
        self._tracker = ProcessTracker(
            process_type=PROCESS_TYPE, company_id=start.company_id, company_tax_id=start.company_tax_id,
        )
        await self._tracker.enter("dian_registration", waiting_on="staff")
        await workflow.wait_condition(lambda: self._registration is not None)
        await self._tracker.audit(AuditEntry(
            actor=self._registration.actor, action="dian_registration",
            target_id=workflow.info().workflow_id,
            detail=f"mode {self._registration.operation_mode}, test set {self._registration.test_set_id}",
        ))
        await self._tracker.enter("certificate", waiting_on="staff")
        await workflow.wait_condition(lambda: False)
        return "enabled"

    @workflow.update
    async def submit_dian_registration(self, data: DianRegistration) -> RegistrationFacts:
        self._registration = data
        return self._facts()

    @submit_dian_registration.validator
    def _validate_dian_registration(self, data: DianRegistration) -> None:
        if self._tracker is None or self._tracker.step != "dian_registration" or self._registration:
            wrong_step("DIAN registration", self._tracker.step if self._tracker else "starting")
        check_registration(data)

    @workflow.query
    def status(self) -> EnablementStatus:
        s = self._tracker.snapshot
        return EnablementStatus(step=s.step, status=s.status, waiting_on=s.waiting_on,
                                registration=self._facts())

    def _facts(self) -> RegistrationFacts | None:
        r = self._registration
        return RegistrationFacts(r.operation_mode, r.test_set_id, r.software_id) if r else None
