"""The processes the console can start, and the human actions of each step.

A step's actions are the workflow's updates that belong to it: listed in
``STEP_UPDATES`` where the name does not say it, otherwise every update whose
name contains the step's name (``submit_dian_registration`` belongs to
``dian_registration``). A new update therefore appears on its step's page as
soon as its workflow defines it. A step carried out by a child workflow
(P1's certificate and test set) shows the child's actions, sent to the child.
"""
from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Callable

from flask_babel import lazy_gettext as _l

from habilita.settings import Settings
from habilita.models import Company
from habilita.workflows import accounting, certificate, einvoicing, support_document, test_set
from habilita.workflows.support_document_inputs import StartSupportDocument


@dataclass(frozen=True)
class UpdateAction:
    """One update a person can send at a step."""

    name: str
    method: Callable
    input_type: type
    modules: tuple  # the workflow's module and the dataclass's: where choice constants live


@dataclass(frozen=True)
class ProcessKind:
    process_type: str
    label: object
    workflow: type
    steps: tuple[str, ...]
    build_start: Callable[[Company, str, Settings], object] | None = None
    # parent step -> (suffix of the child's workflow id, the child's kind)
    children: dict[str, tuple[str, "ProcessKind"]] = field(default_factory=dict)

    def workflow_id(self, company: Company) -> str:
        """One live workflow per company and process: a second start is refused by Temporal."""
        return f"{self.process_type}-{company.country}-{company.tax_id}"

    def actions_for(self, step: str) -> list[UpdateAction]:
        explicit = STEP_UPDATES.get((self.process_type, step))
        return [a for a in update_actions(self.workflow)
                if (a.name in explicit if explicit is not None else bool(step) and step in a.name)]

    def child_at(self, step: str) -> tuple[str, "ProcessKind"] | None:
        return self.children.get(step)


# Updates whose names do not contain their step's name.
STEP_UPDATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("einvoicing", "numbering_resolution"): ("confirm_resolution_requested",),
    ("einvoicing", "prefix_association"): ("confirm_prefixes_associated",),
    ("certificate", "signed_letter"): ("upload_signed_letter", "continue_with_loan", "delete_signed_letter"),
    ("test_set", "rejected"): ("resend_test_set",),
    ("support_document", "dian_enablement"): ("confirm_support_document_at_dian",),
    ("support_document", "certificate"): (),
    ("support_document", "certificate_confirmation"): ("confirm_provider_certificate",),
    ("support_document", "resolution"): ("confirm_dian_substep",),
    ("accounting", "request"): ("request_integration", "hide_accounting_company"),
    ("accounting", "default_accounts"): ("set_default_accounts", "create_chart_account"),
    ("accounting", "sync"): (),
    ("accounting", "connected"): ("connect_and_sync",),
}


def update_actions(workflow_class: type) -> list[UpdateAction]:
    """Every update of ``workflow_class`` that takes one dataclass, in definition order."""
    found = []
    for attribute, member in vars(workflow_class).items():
        # The SDK has no public listing of a class's updates; the decorator
        # leaves its definition (name, argument types) on the method.
        definition = getattr(member, "_defn", None)
        arg_types = getattr(definition, "arg_types", None) or []
        if definition is None or not hasattr(definition, "validator") or len(arg_types) != 1:
            continue
        if not dataclasses.is_dataclass(arg_types[0]):
            continue
        modules = (inspect.getmodule(arg_types[0]), inspect.getmodule(workflow_class))
        found.append(UpdateAction(name=definition.name or attribute, method=member, input_type=arg_types[0],
                                  modules=modules))
    return found


def _einvoicing_start(company: Company, actor: str, settings: Settings):
    return einvoicing.StartEnablement(
        company_id=company.id, company_tax_id=company.display_tax_id, started_by=actor,
        company_name=company.legal_name, provider_nit=settings.provider_nit,
        test_set_counts=(settings.test_set_invoices, settings.test_set_credit_notes, settings.test_set_debit_notes))


def _support_document_start(company: Company, actor: str, settings: Settings):
    return StartSupportDocument(company_id=company.id, company_tax_id=company.display_tax_id, started_by=actor,
                                company_name=company.legal_name, provider_nit=settings.provider_nit)


def _accounting_start(company: Company, actor: str, settings: Settings):
    return accounting.StartAccountingIntegration(
        company_id=company.id, company_tax_id=company.display_tax_id, country=company.country, started_by=actor)


CERTIFICATE = ProcessKind(
    process_type=certificate.PROCESS_TYPE, label=_l("Digital certificate"), workflow=certificate.CertificateActivation,
    steps=("choose_path", "payment", "representative", "signed_letter", "lending", "issuance"),
)
TEST_SET = ProcessKind(
    process_type=test_set.PROCESS_TYPE, label=_l("Test set"), workflow=test_set.TestSetSubmission,
    steps=("building", "sending", "validating", "rejected", "accepted"),
)

# The processes a person starts for a company.
KINDS: dict[str, ProcessKind] = {
    einvoicing.PROCESS_TYPE: ProcessKind(
        process_type=einvoicing.PROCESS_TYPE, label=_l("Electronic invoicing"),
        workflow=einvoicing.EInvoicingEnablement, steps=einvoicing.STEPS, build_start=_einvoicing_start,
        children={"certificate": ("-certificate", CERTIFICATE), "test_set": ("-test-set", TEST_SET)},
    ),
    support_document.PROCESS_TYPE: ProcessKind(
        process_type=support_document.PROCESS_TYPE, label=_l("Support document"),
        workflow=support_document.SupportDocumentEnablement, steps=support_document.STEPS,
        build_start=_support_document_start, children={"certificate": ("-certificate", CERTIFICATE)},
    ),
    accounting.PROCESS_TYPE: ProcessKind(
        process_type=accounting.PROCESS_TYPE, label=_l("Accounting integration"),
        workflow=accounting.AccountingIntegration, steps=accounting.STEPS, build_start=_accounting_start,
    ),
}
# Every kind a process record may have, children included.
ALL_KINDS: dict[str, ProcessKind] = {**KINDS, CERTIFICATE.process_type: CERTIFICATE,
                                     TEST_SET.process_type: TEST_SET}


def kind(process_type: str) -> ProcessKind | None:
    return ALL_KINDS.get(process_type)
