"""P2 on the dev server, against the DIAN and billing simulators over HTTP.

Every human step goes through its update; the projection is read as each
step is reached; refusals are checked at their field with nothing changed.
"""
from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio.client import WorkflowUpdateFailedError

from habilita.activities.representatives import LegalRepresentative
from habilita.activities.support_document import SignSupportDocument
from habilita.activities.uploads import receive_signed_letter
from habilita.activities.wiring import enablement_activities
from habilita.dian.verify import verify_document
from habilita.messages import Message, Problem
from habilita.messages.stored import from_text
from habilita.models import CertificateLoan, DianSoftware, Notification, ProcessRecord, StoredFile, VoucherType
from habilita.workflows.certificate import CertificateActivation, CertificatePathChoice, LoanContinuation, SignedLetterUpload
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, StartEnablement, TestSetStart
from habilita.workflows.numbering import DianConfirmation
from habilita.workflows.reminders import WaitPolicy
from habilita.workflows.support_document import SupportDocumentEnablement
from habilita.workflows.support_document_inputs import (
    DianSubstepDone, ProviderCertificateConfirmation, StartSupportDocument, SupportDocumentAtDian,
)
from habilita.workflows.voucher import VoucherTypeSetup

from tests.harness import TEST_BOX

from .conftest import SMALL_SET, wait_for_step

ACTOR = "ana@example.co"
REPRESENTATIVE = LegalRepresentative(actor=ACTOR, full_name="Ana María Gómez", document_type="CC",
                                     document_number="52123456", email="ana@laespiga.co", phone="3001234567",
                                     position="Gerente general")


async def refused_fields(update) -> set[str]:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await update
    return {d["field"] for d in refused.value.cause.details}


async def lend_certificate(client, workflow_id: str) -> None:
    """The loan path of the certificate child: representative, letter, signed upload, continue."""
    child = client.get_workflow_handle(workflow_id + "-certificate")
    await wait_for_step(child.id, "representative", status="waiting")
    letter = await child.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
    await wait_for_step(child.id, "signed_letter", status="waiting")
    signed = receive_signed_letter(StoredFile.get_by_id(letter.stored_file_id).read(TEST_BOX), "carta-firmada.pdf",
                                   box=TEST_BOX)
    await child.execute_update(CertificateActivation.upload_signed_letter,
                               SignedLetterUpload(ACTOR, signed.stored_file_id, signed.sha256))
    await child.execute_update(CertificateActivation.continue_with_loan, LoanContinuation(ACTOR))
    await wait_for_step(child.id, "loaned", status="completed")


async def complete_p1(client, task_queue, company, portal, settings) -> dict:
    """P1 in provider mode on the loaned certificate, to enabled; returns DIAN's registration answer."""
    handle = await client.start_workflow(
        EInvoicingEnablement.run,
        StartEnablement(company_id=company.id, company_tax_id=company.display_tax_id, started_by=ACTOR,
                        company_name=company.legal_name, provider_nit=settings.provider_nit, test_set_counts=SMALL_SET),
        id=f"einvoicing-{uuid.uuid4()}", task_queue=task_queue)
    answer = portal.register(company.tax_id, company.legal_name, mode="provider", provider_nit=settings.provider_nit)
    await wait_for_step(handle.id, "dian_registration")
    await handle.execute_update(EInvoicingEnablement.submit_dian_registration, DianRegistration(
        actor=ACTOR, operation_mode="provider", test_set_id=answer["test_set_id"], software_id=answer["software_id"],
        pin=answer["pin"]))
    child = client.get_workflow_handle(handle.id + "-certificate")
    await wait_for_step(child.id, "choose_path")
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "loan"))
    await lend_certificate(client, handle.id)
    await wait_for_step(handle.id, "test_set", status="waiting")
    await handle.execute_update(EInvoicingEnablement.start_test_set, TestSetStart(ACTOR, company.display_tax_id))
    await wait_for_step(handle.id, "numbering_resolution", status="waiting", seconds=60)
    portal.request_test_resolution(company.tax_id)
    portal.associate_prefix(company.tax_id, "SETT")
    await handle.execute_update(EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(ACTOR))
    await wait_for_step(handle.id, "voucher_type", status="waiting")
    (resolution,) = (await handle.query(EInvoicingEnablement.status)).resolutions
    await handle.execute_update(EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup(
        ACTOR, resolution.resolution_id, resolution.prefix, resolution.range_from))
    assert await handle.result() == "enabled"
    await client.get_workflow_handle(handle.id + "-own-certificate-reminder").terminate("test over")
    return answer


async def start_p2(client, task_queue, company, settings):
    return await client.start_workflow(
        SupportDocumentEnablement.run,
        StartSupportDocument(company_id=company.id, company_tax_id=company.display_tax_id, started_by=ACTOR,
                             company_name=company.legal_name, provider_nit=settings.provider_nit),
        id=f"support-document-{uuid.uuid4()}", task_queue=task_queue)


async def test_p2_after_p1_goes_from_step_2_to_ready_and_signs_a_support_document_with_a_correct_cuds(
        client, task_queue, worker, company, portal, settings):
    registration = await complete_p1(client, task_queue, company, portal, settings)
    handle = await start_p2(client, task_queue, company, settings)

    await wait_for_step(handle.id, "certificate", status="waiting")
    status = await handle.query(SupportDocumentEnablement.status)
    assert (status.started_at_step, status.step_number) == (2, 2)
    assert status.active_workflow_id == handle.id + "-certificate"
    await lend_certificate(client, handle.id)
    loan = CertificateLoan.get((CertificateLoan.workflow_id == handle.id + "-certificate")
                               & (CertificateLoan.purpose == "support_document"))
    assert loan.certificate.holder_nit == settings.provider_nit and loan.loan_date is not None

    await wait_for_step(handle.id, "certificate_confirmation", status="waiting")
    assert await refused_fields(handle.execute_update(
        SupportDocumentEnablement.confirm_provider_certificate, ProviderCertificateConfirmation(""))) == {"actor"}
    answer = await handle.execute_update(SupportDocumentEnablement.confirm_provider_certificate,
                                         ProviderCertificateConfirmation(ACTOR))
    assert answer == Message("support_certificate.signs_with", {"nit": settings.provider_nit})

    record = await wait_for_step(handle.id, "resolution", status="waiting")
    assert record.waiting_on == "company"
    status = await handle.query(SupportDocumentEnablement.status)
    assert status.step_number == 3
    assert status.message == Message("support_document.wait_for_dian")
    assert await refused_fields(handle.execute_update(
        SupportDocumentEnablement.confirm_dian_substep, DianSubstepDone(ACTOR, "associate_prefixes"))) == {"substep"}
    assert portal.enable_support_document(company.tax_id)["status"] == 1  # an invoicer's DS set passes at once
    await handle.execute_update(SupportDocumentEnablement.confirm_dian_substep,
                                DianSubstepDone(ACTOR, "enable_support_document"))
    portal.request_test_resolution(company.tax_id, kind="support_document")
    answer = await handle.execute_update(SupportDocumentEnablement.confirm_dian_substep,
                                         DianSubstepDone(ACTOR, "request_resolution"))
    # The SEDS prefix is not associated yet: DIAN lists only SETT.
    assert (answer.code, answer.params["substep"]) == ("substep.recorded", "request_resolution")
    assert answer.params["rest"]["code"] == "numbering.no_range"
    assert answer.params["rest"]["params"]["answer"] == {"code": "numbering.no_new_support_range",
                                                         "params": {"operation": "301"}}
    portal.associate_prefix(company.tax_id, "SEDS")
    await handle.execute_update(SupportDocumentEnablement.confirm_dian_substep,
                                DianSubstepDone(ACTOR, "associate_prefixes"))

    await wait_for_step(handle.id, "voucher_type", status="waiting")
    (resolution,) = (await handle.query(SupportDocumentEnablement.status)).resolutions
    assert resolution.prefix == "SEDS"
    before = ProcessRecord.get_by_id(handle.id).version
    assert await refused_fields(handle.execute_update(SupportDocumentEnablement.configure_voucher_type, VoucherTypeSetup(
        ACTOR, resolution.resolution_id, "SEDS", resolution.range_to + 1))) == {"next_number"}
    assert await refused_fields(handle.execute_update(SupportDocumentEnablement.configure_voucher_type, VoucherTypeSetup(
        "", resolution.resolution_id, "", resolution.range_from))) == {"actor", "prefix"}
    assert ProcessRecord.get_by_id(handle.id).version == before
    assert not VoucherType.select().where(VoucherType.document_kind == "support_document").exists()
    await handle.execute_update(SupportDocumentEnablement.configure_voucher_type, VoucherTypeSetup(
        ACTOR, resolution.resolution_id, "SEDS", resolution.range_from + 7))

    assert await handle.result() == "ready"
    record = ProcessRecord.get_by_id(handle.id)
    assert (record.process_type, record.current_step, record.status) == ("support_document", "ready", "completed")
    (voucher,) = VoucherType.select().where(VoucherType.document_kind == "support_document")
    assert (voucher.prefix, voucher.next_number) == ("SEDS", resolution.range_from + 7)
    status = await handle.query(SupportDocumentEnablement.status)
    assert status.message == Message("support_document.ready") and len(status.sample_cuds) == 96

    sign = next(a for a in enablement_activities(settings) if a.__name__ == "sign_support_document")
    software = DianSoftware.get(DianSoftware.company == company.id)
    signed = sign(SignSupportDocument(company_id=company.id, voucher_type_id=voucher.id,
                                      certificate_id=loan.certificate_id, software_ref_id=software.id))
    assert signed.number == f"SEDS{resolution.range_from + 7}"
    assert verify_document(signed.xml.encode(), pin=registration["pin"]) == []
    wrong_pin = f"{(int(registration['pin']) + 1) % 100_000:05d}"
    assert "DSAD06" in {p.code for p in verify_document(signed.xml.encode(), pin=wrong_pin)}


async def test_p2_for_a_company_without_p1_starts_at_step_1_and_refuses_a_wrong_test_set(
        client, task_queue, worker, company, portal, settings):
    handle = await start_p2(client, task_queue, company, settings)
    record = await wait_for_step(handle.id, "dian_enablement", status="waiting")
    assert record.process_type == "support_document" and record.waiting_on == "staff"
    status = await handle.query(SupportDocumentEnablement.status)
    assert status.started_at_step == 1 and status.message == Message("support_document.enable_at_dian")

    assert await refused_fields(handle.execute_update(
        SupportDocumentEnablement.confirm_support_document_at_dian,
        SupportDocumentAtDian(actor="", test_set_id="not-a-guid", pin="12"))) == {
        "actor", "test_set_id", "operation_mode", "software_id", "pin"}

    registration = portal.register(company.tax_id, company.legal_name, mode="own")
    ds_set = portal.enable_support_document(company.tax_id)
    assert ds_set["status"] == 0  # not an invoicer yet: DIAN waits for its support documents
    common = dict(actor=ACTOR, operation_mode="own_software", software_id=registration["software_id"],
                  pin=registration["pin"])
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(SupportDocumentEnablement.confirm_support_document_at_dian,
                                    SupportDocumentAtDian(test_set_id=registration["test_set_id"], **common))
    assert "support-document set" in str(refused.value.cause)
    assert [Problem.from_detail(d) for d in refused.value.cause.details] == [Problem(
        "test_set_id", "test_set_not_support_document", {"id": registration["test_set_id"], "nit": company.tax_id})]
    assert not DianSoftware.select().where(DianSoftware.company == company.id).exists()

    answer = await handle.execute_update(SupportDocumentEnablement.confirm_support_document_at_dian,
                                         SupportDocumentAtDian(test_set_id=ds_set["test_set_id"], **common))
    assert answer.code == "support_set.pending" and answer.params["answer"]
    assert DianSoftware.get(DianSoftware.company == company.id).software_id == registration["software_id"]
    status = await handle.query(SupportDocumentEnablement.status)
    assert (status.step, status.substeps_done) == ("dian_enablement", ("enable_support_document",))
    await handle.terminate("test over")


async def test_a_waiting_p2_step_reminds_the_company_and_flags_its_sla_on_workflow_timers(
        client, task_queue, worker, company, settings):
    handle = await client.start_workflow(
        SupportDocumentEnablement.run,
        StartSupportDocument(company_id=company.id, company_tax_id=company.display_tax_id, started_by=ACTOR,
                             company_name=company.legal_name, provider_nit=settings.provider_nit,
                             policy=WaitPolicy(remind_every_seconds=0.3, sla_seconds=0.5)),
        id=f"support-document-{uuid.uuid4()}", task_queue=task_queue)
    await wait_for_step(handle.id, "dian_enablement", status="waiting")
    for _ in range(200):
        record = ProcessRecord.get_by_id(handle.id)
        reminders = Notification.select().where(Notification.kind == "support_dian_enablement_reminder").count()
        if reminders >= 2 and record.last_error:
            break
        await asyncio.sleep(0.05)
    assert reminders >= 2
    assert from_text(record.last_error) == Message("sla.exceeded_at", {
        "step": "dian_enablement", "why": {"code": "support_document.enable_at_dian", "params": {}}})
    assert record.current_step == "dian_enablement"
    reminder = Notification.get(Notification.kind == "support_dian_enablement_reminder")
    assert from_text(reminder.title) == Message("notice.support_waiting")
    await handle.terminate("test over")
