"""P2's human steps: the update dataclasses and their pure field checks."""
from __future__ import annotations

from dataclasses import dataclass, field

from temporalio import workflow

from .inputs import Problems
from .reminders import WaitPolicy

with workflow.unsafe.imports_passed_through():
    from habilita.activities.numbering import ResolutionFacts
    from habilita.messages import Message

OPERATION_MODES = ("own_software", "provider")
# Step 3's sub-steps, done by a person at DIAN's portal, in this order.
DIAN_SUBSTEPS = ("enable_support_document", "request_resolution", "associate_prefixes")
# Step 3's guidance: DIAN needs time between enabling the support document and associating its prefixes.
WAIT_FOR_DIAN = Message("support_document.wait_for_dian")


@dataclass(frozen=True)
class StartSupportDocument:
    company_id: int
    company_tax_id: str
    started_by: str
    company_name: str = ""
    provider_nit: str = ""
    policy: WaitPolicy = WaitPolicy()
    # The provider's software at DIAN, from settings (see P1's StartEnablement).
    provider_software_id: str = ""


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
    message: Message | None
    step_number: int = 0
    active_workflow_id: str = ""
    substeps_done: tuple[str, ...] = ()
    last_check: Message | None = None
    resolutions: tuple[ResolutionFacts, ...] = field(default_factory=tuple)
    sample_cuds: str = ""


def check_dian_enablement(data: SupportDocumentAtDian, *, software_known: bool,
                          provider_software_id: str = "") -> None:
    """Reject step 1's confirmation with every field problem at once."""
    problems = Problems.acting(data.actor)
    problems.guid("test_set_id", data.test_set_id)
    if not software_known:
        if data.operation_mode not in OPERATION_MODES:
            problems.add("operation_mode", "one_of", choices=list(OPERATION_MODES))
        # Without the provider's mode, the company's own software is asked for.
        mode = "provider" if data.operation_mode == "provider" else "own_software"
        problems.software(mode, data.software_id, data.pin, provider_software_id=provider_software_id)
    problems.raise_if_any()


def check_substep(data: DianSubstepDone, *, done: tuple[str, ...]) -> None:
    """Sub-steps are confirmed in DIAN's order; one already confirmed may be confirmed again (a re-check)."""
    problems = Problems.acting(data.actor)
    if data.substep not in DIAN_SUBSTEPS:
        problems.add("substep", "one_of", choices=list(DIAN_SUBSTEPS))
    else:
        missing = [s for s in DIAN_SUBSTEPS[:DIAN_SUBSTEPS.index(data.substep)] if s not in done]
        if missing:
            problems.add("substep", "dian_substep_order", substep=missing[0])
    problems.raise_if_any()
