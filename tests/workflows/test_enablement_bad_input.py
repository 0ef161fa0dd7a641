"""Every bad input processes.md names for P1 is refused at its field and changes nothing.

Each refusal is checked through the same door staff use (the update, or the
upload check the console runs before it), and "nothing changed" means the
process's projection keeps its version and no row was written. The DIAN
registration's bad GUID, missing software id and short PIN are in
``test_einvoicing_registration.py``; the re-upload on the happy path is in
``test_einvoicing_end_to_end.py``.
"""
from __future__ import annotations

import dataclasses
import uuid

import pytest
import requests
from temporalio.client import WorkflowUpdateFailedError

from habilita.activities.uploads import MAX_LETTER_BYTES, UploadRefused, receive_signed_letter
from habilita.messages import Message, Problem
from habilita.models import AuditEvent, CertificateLoan, DianSoftware, ProcessRecord, Representative, StoredFile, VoucherType
from habilita.workflows.certificate import (
    CertificateActivation, CertificatePathChoice, PaymentCheck, SignedLetterDeletion, SignedLetterUpload,
    StartCertificate,
)
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, TestSetStart
from habilita.workflows.numbering import DianConfirmation
from habilita.workflows.voucher import VoucherTypeSetup

from tests.harness import TEST_BOX

from .conftest import wait_for_step
from .test_einvoicing_end_to_end import ACTOR, REPRESENTATIVE, register, start_p1

REPRESENTATIVE_FIELDS = ("actor", "full_name", "document_type", "document_number", "email", "phone", "position")


async def refusal(handle, update, argument):
    """The failure an update was refused with (the test fails if it was accepted)."""
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(update, argument)
    return refused.value.cause


def at_fields(failure) -> dict[str, Problem]:
    """Each refused field's problem (a validator refuses a field once)."""
    return {p.field: p for p in map(Problem.from_detail, failure.details)}


async def start_certificate(client, task_queue, company, path: str):
    """The certificate child on its own, started at the first step of ``path``."""
    handle = await client.start_workflow(
        CertificateActivation.run,
        StartCertificate(company_id=company.id, company_tax_id=company.display_tax_id,
                         company_name=company.legal_name, paths=(path,)),
        id=f"certificate-{uuid.uuid4()}", task_queue=task_queue)
    return handle


# --- step 1: DIAN registration ------------------------------------------------

async def test_an_empty_registration_names_every_missing_field_and_records_nothing(client, task_queue, worker, company,
                                                                                    settings):
    handle = await start_p1(client, task_queue, company, settings)
    before = (await wait_for_step(handle.id, "dian_registration")).version

    failure = await refusal(handle, EInvoicingEnablement.submit_dian_registration,
                            DianRegistration(actor="", operation_mode="", test_set_id=""))

    assert at_fields(failure) == {
        "actor": Problem("actor", "required"),
        "operation_mode": Problem("operation_mode", "one_of", {"choices": ["own_software", "provider"]}),
        "test_set_id": Problem("test_set_id", "required"),
    }
    failure = await refusal(handle, EInvoicingEnablement.submit_dian_registration,
                            DianRegistration(actor=ACTOR, operation_mode="own_software",
                                             test_set_id=str(uuid.uuid4()), software_id="", pin=""))
    assert at_fields(failure) == {"software_id": Problem("software_id", "required"), "pin": Problem("pin", "required")}
    assert ProcessRecord.get_by_id(handle.id).version == before
    assert DianSoftware.select().count() == 0 and AuditEvent.select().count() == 0


# --- step 2: the legal representative ------------------------------------------

async def test_a_representative_with_every_field_empty_gets_one_message_per_field(client, task_queue, worker, company):
    handle = await start_certificate(client, task_queue, company, "loan")
    before = (await wait_for_step(handle.id, "representative", status="waiting")).version
    empty = dataclasses.replace(REPRESENTATIVE, **{f: "" for f in REPRESENTATIVE_FIELDS})

    failure = await refusal(handle, CertificateActivation.submit_representative, empty)

    assert at_fields(failure) == {field: Problem(field, "required") for field in REPRESENTATIVE_FIELDS}
    assert len(failure.details) == len(REPRESENTATIVE_FIELDS), "one problem per field, no duplicates"
    assert ProcessRecord.get_by_id(handle.id).version == before
    assert Representative.select().count() == 0 and CertificateLoan.select().count() == 0


CEDULA = {"document": "cédula de ciudadanía"}
INVALID_REPRESENTATIVES = [
    ({"full_name": "Ana"}, Problem("full_name", "full_name_incomplete")),
    ({"document_type": "TI"}, Problem("document_type", "one_of", {"choices": ["CC", "CE", "PA", "NIT"]})),
    ({"document_number": "52.123.456"}, Problem("document_number", "id_card_digits", CEDULA)),
    ({"document_number": "12345"}, Problem("document_number", "id_card_length", {**CEDULA, "minimum": 6, "maximum": 10})),
    ({"document_type": "PA", "document_number": "AB-12"},
     Problem("document_number", "passport_format", {"minimum": 5, "maximum": 12})),
    ({"check_digit": "3"}, Problem("check_digit", "check_digit_only_nit")),
    ({"document_type": "NIT", "document_number": "900123456"}, Problem("check_digit", "check_digit_required_for_nit")),
    ({"document_type": "NIT", "document_number": "900123456", "check_digit": "3"},
     Problem("check_digit", "tax_id_check_digit", {"kind": "NIT", "number": "900123456", "expected": "8", "given": "3"})),
    ({"document_type": "NIT", "document_number": "90012A456", "check_digit": "8"},
     Problem("document_number", "tax_id_not_digits", {"kind": "NIT", "value": "90012A456"})),
    ({"email": "ana.laespiga.co"}, Problem("email", "not_an_email", {"value": "ana.laespiga.co"})),
    ({"phone": "300 123"}, Problem("phone", "phone_digits")),
]


async def test_each_invalid_representative_field_gets_its_own_message_and_nothing_is_stored(
        client, task_queue, worker, company):
    handle = await start_certificate(client, task_queue, company, "loan")
    before = (await wait_for_step(handle.id, "representative", status="waiting")).version

    for changes, problem in INVALID_REPRESENTATIVES:
        failure = await refusal(handle, CertificateActivation.submit_representative,
                                dataclasses.replace(REPRESENTATIVE, **changes))
        assert at_fields(failure) == {problem.field: problem}, (changes, failure.details)

    assert ProcessRecord.get_by_id(handle.id).version == before
    assert Representative.select().count() == 0 and StoredFile.select().count() == 0
    letter = await handle.execute_update(
        CertificateActivation.submit_representative,
        dataclasses.replace(REPRESENTATIVE, document_type="NIT", document_number="900123456", check_digit="8"))
    assert letter is not None, "a NIT with its right check digit is accepted"


# --- step 2: the signed letter ---------------------------------------------------

async def at_signed_letter(client, task_queue, company):
    handle = await start_certificate(client, task_queue, company, "loan")
    await wait_for_step(handle.id, "representative", status="waiting")
    letter = await handle.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
    await wait_for_step(handle.id, "signed_letter", status="waiting")
    return handle, StoredFile.get_by_id(letter.stored_file_id).read(TEST_BOX)


def padded(pdf: bytes, size: int) -> bytes:
    """The same readable PDF grown to exactly ``size`` bytes with a trailing PDF comment."""
    filler = size - len(pdf) - 3
    return pdf + b"\n%" + b"x" * filler + b"\n"


@pytest.mark.parametrize("content, name, expected", [
    (b"", "empty.pdf", "letter_empty"),
    (b"PK\x03\x04 a zip file, not a letter", "carta.zip", "letter_not_pdf"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n%%EOF\n", "carta.pdf", "letter_damaged"),
], ids=["empty", "not-a-pdf", "corrupt-pdf"])
async def test_an_unusable_letter_is_refused_with_a_clear_message_and_nothing_is_stored(
        client, task_queue, worker, company, content, name, expected):
    handle, _ = await at_signed_letter(client, task_queue, company)
    files, version = StoredFile.select().count(), ProcessRecord.get_by_id(handle.id).version

    with pytest.raises(UploadRefused) as refused:
        receive_signed_letter(content, name, box=TEST_BOX)

    assert refused.value.problem == Problem("upload", expected)
    assert StoredFile.select().count() == files
    assert ProcessRecord.get_by_id(handle.id).version == version
    assert not (await handle.query(CertificateActivation.status)).signed_letter_uploaded


async def test_a_letter_of_exactly_one_megabyte_is_accepted_and_one_byte_more_is_refused(
        client, task_queue, worker, company):
    handle, pdf = await at_signed_letter(client, task_queue, company)
    files = StoredFile.select().count()

    with pytest.raises(UploadRefused) as refused:
        receive_signed_letter(padded(pdf, MAX_LETTER_BYTES + 1), "carta.pdf", box=TEST_BOX)
    assert refused.value.problem == Problem("upload", "letter_too_large", {"size": "1,048,577", "limit": "1,048,576"})
    assert "1,048,577 bytes; the limit is 1,048,576 bytes (1 MB)" in str(refused.value), "English, for the logs"
    assert StoredFile.select().count() == files

    staged = receive_signed_letter(padded(pdf, MAX_LETTER_BYTES), "carta.pdf", box=TEST_BOX)
    assert staged.size == MAX_LETTER_BYTES
    message = await handle.execute_update(CertificateActivation.upload_signed_letter,
                                          SignedLetterUpload(ACTOR, staged.stored_file_id, staged.sha256))
    loan_date = CertificateLoan.get(CertificateLoan.workflow_id == handle.id).loan_date
    assert message == Message("letter.received", {"date": loan_date.date().isoformat()})


async def test_an_upload_update_without_a_stored_file_is_refused_at_its_fields(client, task_queue, worker, company):
    handle, _ = await at_signed_letter(client, task_queue, company)
    version = ProcessRecord.get_by_id(handle.id).version

    failure = await refusal(handle, CertificateActivation.upload_signed_letter, SignedLetterUpload(ACTOR, 0, "abc"))

    assert at_fields(failure) == {"stored_file_id": Problem("stored_file_id", "upload_first"),
                                  "sha256": Problem("sha256", "sha256_format")}
    assert ProcessRecord.get_by_id(handle.id).version == version
    assert CertificateLoan.get(CertificateLoan.workflow_id == handle.id).loan_date is None


async def test_uploading_again_after_deleting_keeps_the_loan_date_and_says_so(client, task_queue, worker, company):
    handle, pdf = await at_signed_letter(client, task_queue, company)
    first = receive_signed_letter(pdf, "carta.pdf", box=TEST_BOX)
    await handle.execute_update(CertificateActivation.upload_signed_letter,
                                SignedLetterUpload(ACTOR, first.stored_file_id, first.sha256))
    loan_date = CertificateLoan.get(CertificateLoan.workflow_id == handle.id).loan_date

    deleted = await handle.execute_update(CertificateActivation.delete_signed_letter, SignedLetterDeletion(ACTOR))
    assert deleted == Message("letter.deleted")
    assert CertificateLoan.get(CertificateLoan.workflow_id == handle.id).signed_letter is None
    again = receive_signed_letter(pdf + b"\n% scanned again\n", "carta-2.pdf", box=TEST_BOX)
    message = await handle.execute_update(CertificateActivation.upload_signed_letter,
                                          SignedLetterUpload(ACTOR, again.stored_file_id, again.sha256))

    assert message == Message("letter.replaced", {"date": loan_date.date().isoformat()})
    loan = CertificateLoan.get(CertificateLoan.workflow_id == handle.id)
    assert loan.loan_date == loan_date and loan.signed_letter_id == again.stored_file_id


# --- step 6: the voucher type ---------------------------------------------------------

async def at_voucher_type(client, task_queue, company, portal, settings, billing_simulator):
    """P1 on a prepaid own certificate, driven to the voucher-type step."""
    requests.post(f"{billing_simulator}/certificate-payments/{company.tax_id}", timeout=10).raise_for_status()
    handle = await start_p1(client, task_queue, company, settings)
    await register(handle, portal, company)
    child = client.get_workflow_handle(handle.id + "-certificate")
    await wait_for_step(child.id, "choose_path")
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "own"))
    await wait_for_step(child.id, "representative", status="waiting")
    await child.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
    await wait_for_step(handle.id, "test_set", status="waiting")
    await handle.execute_update(EInvoicingEnablement.start_test_set, TestSetStart(ACTOR, company.display_tax_id))
    await wait_for_step(handle.id, "numbering_resolution", status="waiting", seconds=60)
    portal.request_test_resolution(company.tax_id)
    portal.associate_prefix(company.tax_id, "SETP")
    await handle.execute_update(EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(ACTOR))
    await wait_for_step(handle.id, "voucher_type", status="waiting")
    return handle


async def test_a_voucher_type_outside_the_authorized_range_or_resolution_is_refused_and_creates_nothing(
        client, task_queue, worker, company, portal, settings, billing_simulator):
    handle = await at_voucher_type(client, task_queue, company, portal, settings, billing_simulator)
    (resolution,) = (await handle.query(EInvoicingEnablement.status)).resolutions
    version = ProcessRecord.get_by_id(handle.id).version
    setup = VoucherTypeSetup(actor=ACTOR, resolution_id=resolution.resolution_id, prefix="SETP",
                             next_number=resolution.range_to + 1)

    beyond = at_fields(await refusal(handle, EInvoicingEnablement.configure_voucher_type, setup))
    below = at_fields(await refusal(handle, EInvoicingEnablement.configure_voucher_type,
                                    dataclasses.replace(setup, next_number=resolution.range_from - 1)))
    wrong = at_fields(await refusal(handle, EInvoicingEnablement.configure_voucher_type,
                                    dataclasses.replace(setup, prefix="FE", resolution_id=resolution.resolution_id + 99,
                                                        next_number=resolution.range_from)))

    authorized = {"first": resolution.range_from, "last": resolution.range_to}
    assert beyond == below == {"next_number": Problem("next_number", "next_number_out_of_range", authorized)}
    assert wrong == {"resolution_id": Problem("resolution_id", "resolution_not_synced", {"offered": [
        {"code": "resolution_choice", "params": {"id": resolution.resolution_id, "prefix": resolution.prefix,
                                                 "number": resolution.resolution_number}}]})}
    assert ProcessRecord.get_by_id(handle.id).version == version
    assert VoucherType.select().count() == 0


# --- an update at the wrong step ----------------------------------------------------------

async def test_updates_sent_at_the_wrong_step_are_refused_with_the_current_step(client, task_queue, worker, company,
                                                                                settings):
    p1 = await start_p1(client, task_queue, company, settings)
    version = (await wait_for_step(p1.id, "dian_registration")).version
    own = await start_certificate(client, task_queue, company, "own")
    await wait_for_step(own.id, "payment", status="waiting")

    refusals = [
        await refusal(p1, EInvoicingEnablement.start_test_set, TestSetStart(ACTOR, company.display_tax_id)),
        await refusal(p1, EInvoicingEnablement.confirm_resolution_requested, DianConfirmation(ACTOR)),
        await refusal(p1, EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup(ACTOR, 1, "SETP", 1)),
        await refusal(own, CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "loan")),
        await refusal(own, CertificateActivation.upload_signed_letter, SignedLetterUpload(ACTOR, 1, "0" * 64)),
        await refusal(own, CertificateActivation.submit_representative, REPRESENTATIVE),
    ]

    assert {f.type for f in refusals} == {"WrongStep"}
    assert all(f.message.endswith("the process is at step 'dian_registration'") for f in refusals[:3])
    assert all(f.message.endswith("the process is at step 'payment'") for f in refusals[3:])
    updates = ("start_test_set", "confirm_resolution_requested", "configure_voucher_type", "choose_path",
               "upload_signed_letter", "submit_representative")
    steps = ("dian_registration",) * 3 + ("payment",) * 3
    assert [[Problem.from_detail(d) for d in f.details] for f in refusals] == [
        [Problem("", "wrong_step", {"action": update, "step": step})] for update, step in zip(updates, steps)]
    assert ProcessRecord.get_by_id(p1.id).version == version
    assert Representative.select().count() == 0 and VoucherType.select().count() == 0
    assert (await own.query(CertificateActivation.status)).step == "payment"
    await own.execute_update(CertificateActivation.verify_payment, PaymentCheck(ACTOR))
