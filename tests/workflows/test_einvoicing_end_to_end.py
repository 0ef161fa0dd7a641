"""P1 end to end on the dev server, against the DIAN and billing simulators over HTTP.

Every human step goes through its update; the projection is checked as each
step is reached.
"""
from __future__ import annotations

import io
import uuid

import pytest
import requests
from pypdf import PdfReader
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError

from habilita.activities.representatives import LegalRepresentative
from habilita.activities.uploads import receive_signed_letter
from habilita.messages import Message
from habilita.messages.stored import from_text
from habilita.models import CertificateLoan, Company, Notification, StoredFile, ProcessRecord, TestSetDocument, VoucherType
from habilita.workflows.certificate import (
    CertificateActivation, CertificatePathChoice, LoanContinuation, PaymentCheck, SignedLetterUpload,
)
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, StartEnablement, TestSetStart
from habilita.workflows.numbering import DianConfirmation
from habilita.workflows.voucher import VoucherTypeSetup

from tests.harness import TEST_BOX

from .conftest import SMALL_SET, wait_for_step

ACTOR = "ana@example.co"
REPRESENTATIVE = LegalRepresentative(actor=ACTOR, full_name="Ana María Gómez", document_type="CC",
                                     document_number="52123456", email="ana@laespiga.co", phone="3001234567",
                                     position="Gerente general")


async def start_p1(client, task_queue, company, settings):
    return await client.start_workflow(
        EInvoicingEnablement.run,
        StartEnablement(company_id=company.id, company_tax_id=company.display_tax_id, started_by=ACTOR,
                        company_name=company.legal_name, provider_nit=settings.provider_nit,
                        test_set_counts=SMALL_SET),
        id=f"einvoicing-{uuid.uuid4()}", task_queue=task_queue)


async def register(handle, portal, company, *, provider_nit=None):
    answer = portal.register(company.tax_id, company.legal_name, mode="provider" if provider_nit else "own",
                             provider_nit=provider_nit)
    await wait_for_step(handle.id, "dian_registration")
    await handle.execute_update(EInvoicingEnablement.submit_dian_registration, DianRegistration(
        actor=ACTOR, operation_mode="provider" if provider_nit else "own_software",
        test_set_id=answer["test_set_id"],
        software_id=answer["software_id"], pin=answer["pin"]))
    return answer


async def finish_after_certificate(client, handle, portal, company, *, prefix="SETP"):
    """Steps 3 to 6, the same whichever certificate the company signs with."""
    await wait_for_step(handle.id, "test_set", status="waiting")
    status = await handle.query(EInvoicingEnablement.status)
    assert status.warning == Message("test_set.nit_locked", {"nit": company.display_tax_id})
    answer = await handle.execute_update(EInvoicingEnablement.start_test_set,
                                         TestSetStart(actor=ACTOR, confirmed_tax_id=company.display_tax_id))
    assert answer == status.warning
    await wait_for_step(handle.id + "-test-set", "accepted", status="completed", seconds=60)
    assert Company.get_by_id(company.id).tax_id_locked_at is not None

    await wait_for_step(handle.id, "numbering_resolution", status="waiting")
    answer = await handle.execute_update(EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(ACTOR))
    assert answer.code == "numbering.no_range"
    # DIAN's answer is a message of its own: its operation code and its own words, kept as data.
    said = answer.params["answer"]
    assert (said["code"], said["params"]["operation"]) == ("numbering.dian_answer", "301")
    assert said["params"]["description"], "DIAN's own words"
    portal.request_test_resolution(company.tax_id)
    answer = await handle.execute_update(EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(ACTOR))
    assert answer == Message("numbering.range_without_prefixes")

    await wait_for_step(handle.id, "prefix_association", status="waiting")
    answer = await handle.execute_update(EInvoicingEnablement.confirm_prefixes_associated, DianConfirmation(ACTOR))
    assert answer.code == "numbering.prefixes_not_associated"
    portal.associate_prefix(company.tax_id, prefix)
    await handle.execute_update(EInvoicingEnablement.confirm_prefixes_associated, DianConfirmation(ACTOR))

    await wait_for_step(handle.id, "voucher_type", status="waiting")
    (resolution,) = (await handle.query(EInvoicingEnablement.status)).resolutions
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup(
            actor=ACTOR, resolution_id=resolution.resolution_id, prefix=prefix, next_number=1))
    assert {d["field"] for d in refused.value.cause.details} == {"next_number"}
    answer = await handle.execute_update(EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup(
        actor=ACTOR, resolution_id=resolution.resolution_id, prefix=prefix, next_number=resolution.range_from))
    assert answer == Message("voucher_types.creating_invoicing", {"prefix": prefix})
    assert await handle.result() == "enabled"

    record = ProcessRecord.get_by_id(handle.id)
    assert (record.current_step, record.status) == ("enabled", "completed")
    kinds = {v.document_kind: v for v in VoucherType.select().where(VoucherType.company == company.id)}
    assert set(kinds) == {"invoice", "credit_note", "debit_note"}
    assert {(v.prefix, v.next_number, v.range_to) for v in kinds.values()} == {
        (prefix, resolution.range_from, resolution.range_to)}
    sent = TestSetDocument.select().where(TestSetDocument.workflow_id == handle.id + "-test-set").count()
    assert sent == sum(SMALL_SET)
    assert [r["times_seen"] for r in portal.received()] == [1] * sent
    enabled = Notification.get((Notification.company == company.id) & (Notification.kind == "enabled"))
    assert from_text(enabled.title) == Message("notice.enabled")



async def finished_own_p1(client, task_queue, company, portal, settings, billing_simulator):
    """P1 on the company's own certificate, paid while the flow waits, to enabled;
    the handle and what DIAN's portal gave at registration."""
    handle = await start_p1(client, task_queue, company, settings)
    registration = await register(handle, portal, company)
    child = client.get_workflow_handle(handle.id + "-certificate")
    await wait_for_step(child.id, "choose_path")
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "own"))
    await wait_for_step(child.id, "payment", status="waiting")
    requests.post(f"{billing_simulator}/certificate-payments/{company.tax_id}", timeout=10).raise_for_status()
    await child.execute_update(CertificateActivation.verify_payment, PaymentCheck(ACTOR))
    await wait_for_step(child.id, "representative", status="waiting")
    await child.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
    await finish_after_certificate(client, handle, portal, company)
    return handle, registration

async def test_own_certificate_path_takes_p1_to_enabled(client, task_queue, worker, company, portal, settings,
                                                         billing_simulator):
    handle = await start_p1(client, task_queue, company, settings)
    await register(handle, portal, company)

    await wait_for_step(handle.id, "certificate", status="waiting")
    child = client.get_workflow_handle(handle.id + "-certificate")
    await wait_for_step(child.id, "choose_path")
    assert (await handle.query(EInvoicingEnablement.status)).active_workflow_id == child.id
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "own"))

    record = await wait_for_step(child.id, "payment", status="waiting")
    assert record.waiting_on == "company"
    view = await child.execute_update(CertificateActivation.verify_payment, PaymentCheck(ACTOR))
    assert not view.paid and view.validity_days == 365 and view.price > 0
    requests.post(f"{billing_simulator}/certificate-payments/{company.tax_id}", timeout=10).raise_for_status()
    view = await child.execute_update(CertificateActivation.verify_payment, PaymentCheck(ACTOR))
    assert view.paid

    await wait_for_step(child.id, "representative", status="waiting")
    await child.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
    await wait_for_step(child.id, "issued", status="completed")
    issued = requests.get(f"{billing_simulator}/_issued", timeout=10).json()["certificates"]
    assert [c["nit"] for c in issued] == [company.tax_id]

    await finish_after_certificate(client, handle, portal, company)


async def test_loaned_certificate_path_takes_p1_to_enabled_and_schedules_the_own_certificate_reminder(
        client, task_queue, worker, company, portal, settings):
    handle = await start_p1(client, task_queue, company, settings)
    await register(handle, portal, company, provider_nit=settings.provider_nit)
    child = client.get_workflow_handle(handle.id + "-certificate")
    await wait_for_step(child.id, "choose_path")
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "loan"))

    await wait_for_step(child.id, "representative", status="waiting")
    letter = await child.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
    pdf = StoredFile.get_by_id(letter.stored_file_id).read(TEST_BOX)
    assert pdf.startswith(b"%PDF-") and letter.file_name.endswith(".pdf")
    assert "Ana María Gómez" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)

    await wait_for_step(child.id, "signed_letter", status="waiting")
    first = receive_signed_letter(pdf, "carta-firmada.pdf", box=TEST_BOX)
    message = await child.execute_update(CertificateActivation.upload_signed_letter,
                                         SignedLetterUpload(ACTOR, first.stored_file_id, first.sha256))
    loan_date = CertificateLoan.get(CertificateLoan.workflow_id == child.id).loan_date
    assert loan_date is not None
    assert message == Message("letter.received", {"date": loan_date.date().isoformat()})

    rescanned = receive_signed_letter(pdf + b"\n% rescanned\n", "carta-firmada-2.pdf", box=TEST_BOX)
    message = await child.execute_update(CertificateActivation.upload_signed_letter,
                                         SignedLetterUpload(ACTOR, rescanned.stored_file_id, rescanned.sha256))
    assert message == Message("letter.replaced", {"date": loan_date.date().isoformat()})
    loan = CertificateLoan.get(CertificateLoan.workflow_id == child.id)
    assert loan.loan_date == loan_date and loan.signed_letter_id == rescanned.stored_file_id

    await child.execute_update(CertificateActivation.continue_with_loan, LoanContinuation(ACTOR))
    await wait_for_step(child.id, "loaned", status="completed")
    assert CertificateLoan.get(CertificateLoan.workflow_id == child.id).certificate.holder_nit == settings.provider_nit

    await finish_after_certificate(client, handle, portal, company, prefix="SETT")
    reminder = client.get_workflow_handle(handle.id + "-own-certificate-reminder")
    assert (await reminder.describe()).status == WorkflowExecutionStatus.RUNNING
    await reminder.terminate("test over")
