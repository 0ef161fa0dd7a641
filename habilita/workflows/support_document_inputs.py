"""P2's human steps: the update dataclasses and their pure field checks."""
from __future__ import annotations

from dataclasses import dataclass, field

from temporalio import workflow

from .inputs import Problems
from .reminders import WaitPolicy

with workflow.unsafe.imports_passed_through():
    from habilita.activities.numbering import ResolutionFacts

OPERATION_MODES = ("own_software", "provider")
# Step 3's sub-steps, done by a person at DIAN's portal, in this order.
DIAN_SUBSTEPS = ("enable_support_document", "request_resolution", "associate_prefixes")
WAIT_FOR_DIAN = ("DIAN needs time after the support document is enabled before the prefixes can be associated: "
                 "enable the support document, request the resolution, wait for DIAN, then associate the prefixes "
                 "at DIAN's portal and confirm each sub-step here.")


@dataclass(frozen=True)
class StartSupportDocument:
    company_id: int
    company_tax_id: str
    started_by: str
    company_name: str = ""
    provider_nit: str = ""
    policy: WaitPolicy = WaitPolicy()


@dataclass(frozen=True)
class SupportDocumentAtDian:
    """Step 1: the company enabled the support document at DIAN; the portal gave it this test set.

    The software fields are needed only when the company has no registered
    DIAN software of its own P1 to reuse.
    """

    actor: str
    test_set_id: str
    operation_mode: str = ""
    software_id: str = ""
    pin: str = ""


@dataclass(frozen=True)
class ProviderCertificateConfirmation:
    """Step 2's last screen: the company now holds the provider's certificate for support documents."""

    actor: str


@dataclass(frozen=True)
class DianSubstepDone:
    """Step 3: the person did ``substep`` at DIAN's portal."""

    actor: str
    substep: str


@dataclass(frozen=True)
class SupportDocumentStatus:
    step: str
    status: str
    waiting_on: str
    started_at_step: int
    message: str
    step_number: int = 0
    active_workflow_id: str = ""
    substeps_done: tuple[str, ...] = ()
    last_check: str = ""
    resolutions: tuple[ResolutionFacts, ...] = field(default_factory=tuple)
    sample_cuds: str = ""


def check_dian_enablement(data: SupportDocumentAtDian, *, software_known: bool) -> None:
    """Reject step 1's confirmation with every field problem at once."""
    problems = Problems()
    problems.require("actor", data.actor, "the acting user")
    problems.guid("test_set_id", data.test_set_id, "the support-document test set id")
    if not software_known:
        if data.operation_mode not in OPERATION_MODES:
            problems.add("operation_mode", f"operation mode must be one of {', '.join(OPERATION_MODES)}")
        problems.guid("software_id", data.software_id, "the software id")
        if problems.require("pin", data.pin, "the software PIN") and not (data.pin.isdigit() and len(data.pin) == 5):
            problems.add("pin", "the software PIN must be 5 digits")
    problems.raise_if_any()


def check_substep(data: DianSubstepDone, *, done: tuple[str, ...]) -> None:
    """Sub-steps are confirmed in DIAN's order; one already confirmed may be confirmed again (a re-check)."""
    problems = Problems()
    problems.require("actor", data.actor, "the acting user")
    if data.substep not in DIAN_SUBSTEPS:
        problems.add("substep", f"the sub-step must be one of {', '.join(DIAN_SUBSTEPS)}")
    else:
        missing = [s for s in DIAN_SUBSTEPS[:DIAN_SUBSTEPS.index(data.substep)] if s not in done]
        if missing:
            problems.add("substep", f"confirm {missing[0]} first: DIAN's sub-steps go in order")
    problems.raise_if_any()


def require_actor(actor: str) -> None:
    problems = Problems()
    problems.require("actor", actor, "the acting user")
    problems.raise_if_any()
