"""P1, electronic invoicing enablement, with its certificate and test-set children."""
from __future__ import annotations

from habilita.activities.representatives import DOCUMENT_TYPES, LegalRepresentative, latest_representative
from habilita.activities.uploads import receive_signed_letter
from habilita.messages import N_
from habilita.workflows import certificate, einvoicing, test_set
from habilita.workflows.certificate import Step as CERT
from habilita.workflows.certificate import (
    CertificateActivation, CertificatePathChoice, LoanContinuation, PaymentCheck, SignedLetterDeletion,
    SignedLetterUpload,
)
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, StartEnablement, TestSetStart
from habilita.workflows.einvoicing import Step as P1
from habilita.workflows.numbering import DianConfirmation
from habilita.workflows.test_set import Step as TS
from habilita.workflows.test_set import TestSetResend, TestSetSubmission
from habilita.workflows.voucher import VoucherTypeSetup

from .declaration import Action, ProcessDeclaration, Step

CERTIFICATE = ProcessDeclaration(
    process_type=certificate.PROCESS_TYPE, label=N_("Digital certificate"), workflow=CertificateActivation,
    child_suffix=certificate.ID_SUFFIX,
    steps=(
        Step(CERT.CHOOSE_PATH, N_("Choose the certificate"), "staff", (
            Action(CertificateActivation.choose_path, CertificatePathChoice, "choose-path", arguments=("path",),
                   choices={"path": certificate.PATHS},
                   help="Certificate: buy the company's own (own) or take the provider's loan (loan)."),)),
        Step(CERT.PAYMENT, N_("Payment"), "company", (
            Action(CertificateActivation.verify_payment, PaymentCheck, "verify-payment", asks="billing",
                   help="Certificate (own): ask billing again whether the certificate is paid."),)),
        Step(CERT.REPRESENTATIVE, N_("Legal representative"), "staff", (
            Action(CertificateActivation.submit_representative, LegalRepresentative, "representative", by_company=True,
                   prefill=latest_representative,
                   choices={"document_type": tuple(DOCUMENT_TYPES)},
                   help="Certificate: the legal representative's data (on the loan path this generates the "
                        "letter)."),)),
        Step(CERT.SIGNED_LETTER, N_("Signed letter"), "company", (
            Action(CertificateActivation.upload_signed_letter, SignedLetterUpload, "letter-upload", by_company=True,
                   receiver=receive_signed_letter,
                   help="Certificate (loan): upload the signed, scanned letter FILE (a PDF of at most 1 MB)."),
            Action(CertificateActivation.continue_with_loan, LoanContinuation, "continue", by_company=True,
                   offered_when="signed_letter_uploaded",
                   help="Certificate (loan): continue once the signed letter is uploaded."),
            Action(CertificateActivation.delete_signed_letter, SignedLetterDeletion, "letter-delete", by_company=True,
                   offered_when="signed_letter_uploaded",
                   help="Certificate (loan): delete the uploaded letter (the loan date stays)."),
        )),
        Step(CERT.LENDING, N_("Lending the certificate"), "system"),
        Step(CERT.ISSUANCE, N_("Issuance"), "system"),
    ),
    ends={CERT.LOANED: N_("Loaned"), CERT.ISSUED: N_("Issued")},
)

TEST_SET = ProcessDeclaration(
    process_type=test_set.PROCESS_TYPE, label=N_("Test set"), workflow=TestSetSubmission,
    child_suffix=test_set.ID_SUFFIX,
    steps=(
        Step(TS.BUILDING, N_("Building the documents"), "system"),
        Step(TS.SENDING, N_("Sending to DIAN"), "dian"),
        Step(TS.VALIDATING, N_("DIAN is validating"), "dian"),
        Step(TS.REJECTED, N_("Rejected by DIAN"), "staff", (
            Action(TestSetSubmission.resend_test_set, TestSetResend, "resend",
                   help="P1 step 3: resend the test set after a rejection."),)),
        Step(TS.ACCEPTED, N_("Accepted by DIAN")),
    ),
)


def start_input(company, actor: str, settings) -> StartEnablement:
    return StartEnablement(
        company_id=company.id, company_tax_id=company.display_tax_id, started_by=actor,
        company_name=company.legal_name, provider_nit=settings.provider_nit,
        provider_software_id=settings.provider_software_id,
        test_set_counts=(settings.test_set_invoices, settings.test_set_credit_notes, settings.test_set_debit_notes))


EINVOICING = ProcessDeclaration(
    process_type=einvoicing.PROCESS_TYPE, label=N_("Electronic invoicing"), workflow=EInvoicingEnablement,
    build_start=start_input, cli_name="einvoicing",
    steps=(
        Step(P1.DIAN_REGISTRATION, N_("DIAN registration"), "staff", (
            Action(EInvoicingEnablement.submit_dian_registration, DianRegistration, "register",
                   options={"operation_mode": ("--mode",)}, choices={"operation_mode": einvoicing.OPERATION_MODES},
                   defaults={"operation_mode": "own_software"},
                   help="P1 step 1: record what DIAN's portal gave at registration."),)),
        Step(P1.CERTIFICATE, N_("Digital certificate"), "staff", child=CERTIFICATE),
        Step(P1.TEST_SET, N_("Test set"), "staff", (
            Action(EInvoicingEnablement.start_test_set, TestSetStart, "start-test-set",
                   options={"confirmed_tax_id": ("--confirm-nit",)},
                   help="P1 step 3: start the test set, confirming the NIT it ties the enablement to."),),
             child=TEST_SET),
        Step(P1.NUMBERING_RESOLUTION, N_("Numbering resolution"), "company", (
            Action(EInvoicingEnablement.confirm_resolution_requested, DianConfirmation, "confirm-resolution", by_company=True, asks="dian",
                   help="P1 step 4: the company requested its numbering resolution at DIAN (checked with "
                        "GetNumberingRange)."),)),
        Step(P1.PREFIX_ASSOCIATION, N_("Prefix association"), "company", (
            Action(EInvoicingEnablement.confirm_prefixes_associated, DianConfirmation, "confirm-prefixes", by_company=True, asks="dian",
                   help="P1 step 5: the company associated its prefixes at DIAN (checked with "
                        "GetNumberingRange)."),)),
        Step(P1.VOUCHER_TYPE, N_("Voucher type"), "staff", (
            Action(EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup, "voucher-type",
                   help="P1 step 6 or P2 step 4: configure the voucher type(s) on a synced resolution."),)),
    ),
    ends={P1.ENABLED: N_("Enabled")},
)
