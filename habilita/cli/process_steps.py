"""The human steps of P1 and P2 as `habilita process` subcommands.

Each takes the process's WORKFLOW_ID; steps carried out by a child workflow
(the certificate, the test set) are sent to the child, whose id is the
parent's plus a suffix, so either id may be given.
"""
from __future__ import annotations

from pathlib import Path

import click

from habilita.activities.representatives import LegalRepresentative
from habilita.workflows.certificate import (
    CertificateActivation, CertificatePathChoice, LoanContinuation, PaymentCheck, SignedLetterDeletion,
    SignedLetterUpload,
)
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, TestSetStart
from habilita.workflows.numbering import DianConfirmation
from habilita.workflows.support_document import SupportDocumentEnablement
from habilita.workflows.support_document_inputs import (
    DIAN_SUBSTEPS, DianSubstepDone, ProviderCertificateConfirmation, SupportDocumentAtDian,
)
from habilita.workflows.test_set import TestSetResend, TestSetSubmission
from habilita.workflows.voucher import VoucherTypeSetup

from .process import actor_option, load, process_group, send_update


def child(workflow_id: str, suffix: str) -> str:
    return workflow_id if workflow_id.endswith(suffix) else workflow_id + suffix


# --- P1 -------------------------------------------------------------------

@process_group.command("register")
@click.argument("workflow_id")
@actor_option
@click.option("--mode", type=click.Choice(["own_software", "provider"]), default="own_software", show_default=True,
              help="The operation mode chosen at DIAN's portal.")
@click.option("--test-set-id", default="", help="The TestSetId (GUID) DIAN's portal gave.")
@click.option("--software-id", default="", help="The SoftwareID (GUID); required for own software.")
@click.option("--pin", default="", help="The software PIN (5 digits); required for own software.")
def register(workflow_id, actor, mode, test_set_id, software_id, pin) -> None:
    """P1 step 1: record what DIAN's portal gave at registration."""
    send_update(workflow_id, EInvoicingEnablement.submit_dian_registration,
                DianRegistration(actor=actor, operation_mode=mode, test_set_id=test_set_id,
                                 software_id=software_id, pin=pin))


@process_group.command("choose-path")
@click.argument("workflow_id")
@click.argument("path", type=click.Choice(["own", "loan"]))
@actor_option
def choose_path(workflow_id, path, actor) -> None:
    """Certificate: buy the company's own (own) or take the provider's loan (loan)."""
    send_update(child(workflow_id, "-certificate"), CertificateActivation.choose_path,
                CertificatePathChoice(actor=actor, path=path))


@process_group.command("verify-payment")
@click.argument("workflow_id")
@actor_option
def verify_payment(workflow_id, actor) -> None:
    """Certificate (own): ask billing again whether the certificate is paid."""
    send_update(child(workflow_id, "-certificate"), CertificateActivation.verify_payment, PaymentCheck(actor=actor))


@process_group.command("representative")
@click.argument("workflow_id")
@actor_option
@click.option("--full-name", default="", help="The legal representative's full name.")
@click.option("--document-type", default="", help="CC, CE, NIT, PA...")
@click.option("--document-number", default="", help="The document number.")
@click.option("--check-digit", default="", help="Only when the document is a NIT.")
@click.option("--email", default="", help="The representative's e-mail.")
@click.option("--phone", default="", help="The representative's phone.")
@click.option("--position", default="", help="The representative's position in the company.")
def representative(workflow_id, actor, **fields) -> None:
    """Certificate: the legal representative's data (on the loan path this generates the letter)."""
    send_update(child(workflow_id, "-certificate"), CertificateActivation.submit_representative,
                LegalRepresentative(actor=actor, **fields))


@process_group.command("letter-download")
@click.argument("workflow_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Where to save the PDF.")
def letter_download(workflow_id, out: Path) -> None:
    """Certificate (loan): save the exoneration letter for the representative to sign."""
    from habilita.models import StoredFile

    from .process import run_with_client

    settings = load()
    state = run_with_client(settings, lambda client: client.get_workflow_handle(
        child(workflow_id, "-certificate")).query(CertificateActivation.status))
    if state.letter is None:
        raise click.ClickException("no letter yet: enter the legal representative's data first")
    out.write_bytes(bytes(StoredFile.get_by_id(state.letter.stored_file_id).content))
    click.echo(f"saved {out} ({state.letter.size:,} bytes)")


@process_group.command("letter-upload")
@click.argument("workflow_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@actor_option
def letter_upload(workflow_id, file: Path, actor) -> None:
    """Certificate (loan): upload the signed, scanned letter FILE (a PDF of at most 1 MB)."""
    from habilita.activities.uploads import UploadRefused, receive_signed_letter

    load()
    try:
        staged = receive_signed_letter(file.read_bytes(), file.name)
    except UploadRefused as exc:
        click.echo(f"file: {exc}", err=True)
        raise SystemExit(1) from exc
    send_update(child(workflow_id, "-certificate"), CertificateActivation.upload_signed_letter,
                SignedLetterUpload(actor=actor, stored_file_id=staged.stored_file_id, sha256=staged.sha256))


@process_group.command("letter-delete")
@click.argument("workflow_id")
@actor_option
def letter_delete(workflow_id, actor) -> None:
    """Certificate (loan): delete the uploaded letter (the loan date stays)."""
    send_update(child(workflow_id, "-certificate"), CertificateActivation.delete_signed_letter,
                SignedLetterDeletion(actor=actor))


@process_group.command("continue")
@click.argument("workflow_id")
@actor_option
def continue_loan(workflow_id, actor) -> None:
    """Certificate (loan): continue once the signed letter is uploaded."""
    send_update(child(workflow_id, "-certificate"), CertificateActivation.continue_with_loan,
                LoanContinuation(actor=actor))


@process_group.command("start-test-set")
@click.argument("workflow_id")
@actor_option
@click.option("--confirm-nit", required=True, help="The NIT (with check digit) that cannot change afterwards.")
def start_test_set(workflow_id, actor, confirm_nit) -> None:
    """P1 step 3: start the test set, confirming the NIT it ties the enablement to."""
    send_update(workflow_id, EInvoicingEnablement.start_test_set, TestSetStart(actor=actor, confirmed_tax_id=confirm_nit))


@process_group.command("resend")
@click.argument("workflow_id")
@actor_option
@click.option("--test-set-id", default="", help="A new TestSetId, when DIAN rejected the whole set.")
def resend(workflow_id, actor, test_set_id) -> None:
    """P1 step 3: resend the test set after a rejection."""
    send_update(child(workflow_id, "-test-set"), TestSetSubmission.resend_test_set,
                TestSetResend(actor=actor, test_set_id=test_set_id))


@process_group.command("confirm-resolution")
@click.argument("workflow_id")
@actor_option
def confirm_resolution(workflow_id, actor) -> None:
    """P1 step 4: the company requested its numbering resolution at DIAN (checked with GetNumberingRange)."""
    send_update(workflow_id, EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(actor=actor))


@process_group.command("confirm-prefixes")
@click.argument("workflow_id")
@actor_option
def confirm_prefixes(workflow_id, actor) -> None:
    """P1 step 5: the company associated its prefixes at DIAN (checked with GetNumberingRange)."""
    send_update(workflow_id, EInvoicingEnablement.confirm_prefixes_associated, DianConfirmation(actor=actor))


@process_group.command("voucher-type")
@click.argument("workflow_id")
@actor_option
@click.option("--resolution-id", type=int, default=0, help="The synced resolution's id (see `process status`).")
@click.option("--prefix", default="", help="The resolution's prefix.")
@click.option("--next-number", type=int, default=0, help="The next number to issue, inside the authorized range.")
def voucher_type(workflow_id, actor, resolution_id, prefix, next_number) -> None:
    """P1 step 6 or P2 step 4: configure the voucher type(s) on a synced resolution."""
    # P1 and P2 name this update alike; the workflow id says which process receives it.
    send_update(workflow_id, "configure_voucher_type",
                VoucherTypeSetup(actor=actor, resolution_id=resolution_id, prefix=prefix, next_number=next_number))


# --- P2 -------------------------------------------------------------------

@process_group.command("ds-enable")
@click.argument("workflow_id")
@actor_option
@click.option("--test-set-id", default="", help="The support-document TestSetId DIAN's portal gave.")
@click.option("--mode", type=click.Choice(["", "own_software", "provider"]), default="",
              help="Only for a company without P1: its operation mode.")
@click.option("--software-id", default="", help="Only for a company without P1: its SoftwareID.")
@click.option("--pin", default="", help="Only for a company without P1: its software PIN.")
def ds_enable(workflow_id, actor, test_set_id, mode, software_id, pin) -> None:
    """P2 step 1: the support document is enabled at DIAN (checked against DIAN's portal)."""
    send_update(workflow_id, SupportDocumentEnablement.confirm_support_document_at_dian,
                SupportDocumentAtDian(actor=actor, test_set_id=test_set_id, operation_mode=mode,
                                      software_id=software_id, pin=pin))


@process_group.command("ds-confirm-certificate")
@click.argument("workflow_id")
@actor_option
def ds_confirm_certificate(workflow_id, actor) -> None:
    """P2 step 2: the company now has the provider's certificate for support documents."""
    send_update(workflow_id, SupportDocumentEnablement.confirm_provider_certificate,
                ProviderCertificateConfirmation(actor=actor))


@process_group.command("ds-dian")
@click.argument("workflow_id")
@click.argument("substep", type=click.Choice(DIAN_SUBSTEPS))
@actor_option
def ds_dian(workflow_id, substep, actor) -> None:
    """P2 step 3: a person did SUBSTEP at DIAN's portal (in order; verified with GetNumberingRange)."""
    send_update(workflow_id, SupportDocumentEnablement.confirm_dian_substep, DianSubstepDone(actor=actor, substep=substep))
