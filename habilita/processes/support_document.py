"""P2, support document enablement."""
from __future__ import annotations

from habilita.messages import N_
from habilita.workflows import support_document
from habilita.workflows.support_document import Step as P2
from habilita.workflows.support_document import SupportDocumentEnablement
from habilita.workflows.support_document_inputs import (
    DIAN_SUBSTEPS, OPERATION_MODES, DianSubstepDone, ProviderCertificateConfirmation, StartSupportDocument, SupportDocumentAtDian,
)
from habilita.workflows.voucher import VoucherTypeSetup

from .declaration import Action, ProcessDeclaration, Step
from .einvoicing import CERTIFICATE


def start_input(company, actor: str, settings) -> StartSupportDocument:
    return StartSupportDocument(company_id=company.id, company_tax_id=company.display_tax_id, started_by=actor,
                                company_name=company.legal_name, provider_nit=settings.provider_nit,
                                provider_software_id=settings.provider_software_id)


SUPPORT_DOCUMENT = ProcessDeclaration(
    process_type=support_document.PROCESS_TYPE, label=N_("Support document"), workflow=SupportDocumentEnablement,
    build_start=start_input, cli_name="support-document",
    steps=(
        Step(P2.DIAN_ENABLEMENT, N_("Support document at DIAN"), "staff", (
            Action(SupportDocumentEnablement.confirm_support_document_at_dian, SupportDocumentAtDian, "ds-enable",
                   options={"operation_mode": ("--mode",)}, choices={"operation_mode": OPERATION_MODES},
                   help="P2 step 1: the support document is enabled at DIAN (checked against DIAN's portal)."),)),
        Step(P2.CERTIFICATE, N_("Digital certificate"), "staff", child=CERTIFICATE),
        Step(P2.CERTIFICATE_CONFIRMATION, N_("Certificate confirmation"), "staff", (
            Action(SupportDocumentEnablement.confirm_provider_certificate, ProviderCertificateConfirmation,
                   "ds-confirm-certificate",
                   help="P2 step 2: the company now has the provider's certificate for support documents."),)),
        Step(P2.RESOLUTION, N_("Resolution"), "company", (
            Action(SupportDocumentEnablement.confirm_dian_substep, DianSubstepDone, "ds-dian", by_company=True, arguments=("substep",),
                   choices={"substep": DIAN_SUBSTEPS}, buttons="substep", done_field="substeps_done",
                   help="P2 step 3: a person did SUBSTEP at DIAN's portal (in order; verified with "
                        "GetNumberingRange)."),)),
        Step(P2.VOUCHER_TYPE, N_("Voucher type"), "staff", (
            Action(SupportDocumentEnablement.configure_voucher_type, VoucherTypeSetup, "voucher-type",
                   help="P1 step 6 or P2 step 4: configure the voucher type(s) on a synced resolution."),)),
    ),
    ends={P2.READY: N_("Ready")},
)
