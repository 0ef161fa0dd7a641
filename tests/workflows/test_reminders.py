"""Reminders and SLAs are workflow timers: days pass in seconds under time skipping.

The workflows run on a dev server with per-workflow time skipping
(``skipping_env``), so human steps still go through their updates while a
test moves one workflow's clock forward. What a reminder does is asserted
where a person sees it: a ``Notification`` row, the projection
(``ProcessRecord``) and the workflow's query.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from datetime import timedelta

import requests

from habilita.messages import Message
from habilita.messages.stored import from_text
from habilita.models import Notification, ProcessRecord, SigningCertificate
from habilita.workflows.certificate import CertificateActivation, CertificatePathChoice, PaymentCheck, StartCertificate
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, TestSetStart
from habilita.workflows.reminders import OwnCertificateReminder, OwnCertificateReminderInput
from habilita.workflows.test_set import TestSetSubmission

from .conftest import wait_for_step
from .test_einvoicing_end_to_end import ACTOR, REPRESENTATIVE, register, start_p1

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def notifications(kind: str, company) -> list[Notification]:
    return list(Notification.select().where((Notification.kind == kind) & (Notification.company == company.id))
                .order_by(Notification.id))


def last_error(workflow_id: str) -> Message | None:
    """What the process wrote about itself as its last error (None when it wrote nothing)."""
    return from_text(ProcessRecord.get_by_id(workflow_id).last_error)


def code_of(message) -> str:
    return message.code if message is not None else ""


async def eventually(check, *, seconds: float = 20):
    """Wait for ``check()`` to hold: the activities a timer starts finish after the clock moved."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    assert check()


async def test_an_unpaid_own_certificate_reminds_every_day_and_is_marked_overdue_after_its_sla(
        skipping_env, skipping_worker, task_queue, company, billing_simulator):
    handle = await skipping_env.client.start_workflow(
        CertificateActivation.run,
        StartCertificate(company_id=company.id, company_tax_id=company.display_tax_id,
                         company_name=company.legal_name, paths=("own",)),
        id=f"certificate-{uuid.uuid4()}", task_queue=task_queue)
    record = await wait_for_step(handle.id, "payment", status="waiting")
    assert record.waiting_on == "company" and notifications("certificate_payment_reminder", company) == []

    await skipping_env.fast_forward(handle, 3 * DAY + HOUR)

    await eventually(lambda: len(notifications("certificate_payment_reminder", company)) == 3)
    reminder = notifications("certificate_payment_reminder", company)[0]
    assert from_text(reminder.title) == Message("notice.payment_due")
    body = from_text(reminder.body)
    assert (body.code, body.params["days"], body.params["company"]) == (
        "notice.payment_due_body", 365, company.legal_name)
    record = ProcessRecord.get_by_id(handle.id)
    assert (record.current_step, record.status, record.last_error) == ("payment", "waiting", "")

    await skipping_env.fast_forward(handle, 2 * DAY)

    await eventually(lambda: ProcessRecord.get_by_id(handle.id).last_error != "")
    assert last_error(handle.id) == Message("sla.exceeded_for", {
        "what": {"code": "sla.waiting_payment", "params": {}}, "sla": "5 d"})
    (breach,) = Notification.select().where(Notification.kind == "sla_breached")
    assert from_text(breach.body).params["tax_id"] == company.display_tax_id
    assert len(notifications("certificate_payment_reminder", company)) == 5

    requests.post(f"{billing_simulator}/certificate-payments/{company.tax_id}", timeout=10).raise_for_status()
    assert (await handle.execute_update(CertificateActivation.verify_payment, PaymentCheck(ACTOR))).paid
    await wait_for_step(handle.id, "representative", status="waiting")


async def enablement_after_the_certificate(env, task_queue, company, portal, settings, billing_simulator, *, pin=None):
    """P1 on a prepaid own certificate, up to the test set having started (real time)."""
    requests.post(f"{billing_simulator}/certificate-payments/{company.tax_id}", timeout=10).raise_for_status()
    handle = await start_p1(env.client, task_queue, company, settings)
    if pin is None:
        await register(handle, portal, company)
    else:
        await register_with_pin(handle, portal, company, pin)
    child = env.client.get_workflow_handle(handle.id + "-certificate")
    await wait_for_step(child.id, "choose_path")
    await child.execute_update(CertificateActivation.choose_path, CertificatePathChoice(ACTOR, "own"))
    await wait_for_step(child.id, "representative", status="waiting")
    await child.execute_update(CertificateActivation.submit_representative, REPRESENTATIVE)
    await wait_for_step(handle.id, "test_set", status="waiting")
    await handle.execute_update(EInvoicingEnablement.start_test_set, TestSetStart(ACTOR, company.display_tax_id))
    return handle


async def register_with_pin(handle, portal, company, pin: str):
    """Staff type the software PIN wrong: five digits, but not DIAN's."""
    answer = portal.register(company.tax_id, company.legal_name)
    assert answer["pin"] != pin
    await wait_for_step(handle.id, "dian_registration")
    await handle.execute_update(EInvoicingEnablement.submit_dian_registration, DianRegistration(
        actor=ACTOR, operation_mode="own_software", test_set_id=answer["test_set_id"],
        software_id=answer["software_id"], pin=pin))


async def test_the_numbering_wait_reminds_while_dian_answers_301_and_moves_on_when_the_range_appears(
        skipping_env, skipping_worker, task_queue, company, portal, settings, billing_simulator):
    handle = await enablement_after_the_certificate(skipping_env, task_queue, company, portal, settings,
                                                    billing_simulator)
    await wait_for_step(handle.id, "numbering_resolution", status="waiting", seconds=60)

    await skipping_env.fast_forward(handle, 2 * DAY + HOUR)

    await eventually(lambda: len(notifications("numbering_resolution_reminder", company)) == 2)
    assert all(from_text(n.body).code == "numbering.no_range"
               for n in notifications("numbering_resolution_reminder", company))
    status = await handle.query(EInvoicingEnablement.status)
    assert (status.step, status.waiting_on) == ("numbering_resolution", "company")
    assert status.last_check.code == "numbering.no_range"

    # The company gets its resolution at DIAN and nobody tells us: the next reminder's check sees it.
    portal.request_test_resolution(company.tax_id)
    await skipping_env.fast_forward(handle, DAY)

    await wait_for_step(handle.id, "prefix_association", status="waiting")
    assert len(notifications("numbering_resolution_reminder", company)) == 2
    portal.associate_prefix(company.tax_id, "SETP")
    await skipping_env.fast_forward(handle, DAY)
    await wait_for_step(handle.id, "voucher_type", status="waiting")
    assert notifications("prefix_association_reminder", company) == []


async def test_a_rejected_test_set_waiting_for_staff_reminds_and_is_marked_overdue_after_its_sla(
        skipping_env, skipping_worker, task_queue, company, portal, settings, billing_simulator):
    # A wrong PIN makes every security code wrong: DIAN rejects the whole set.
    handle = await enablement_after_the_certificate(skipping_env, task_queue, company, portal, settings,
                                                    billing_simulator, pin="00000")
    test_set = skipping_env.client.get_workflow_handle(handle.id + "-test-set")
    record = await wait_for_step(test_set.id, "rejected", status="waiting", seconds=60)
    assert record.waiting_on == "staff"
    # Entering the step and recording DIAN's verdict are two projections: wait for the second.
    await eventually(lambda: code_of(last_error(test_set.id)) == "test_set.rejections")
    rejections = last_error(test_set.id).params
    assert (rejections["round"], rejections["rejected"], rejections["set"]["code"]) == (
        1, 4, "test_set.set_rejected")
    assert len(rejections["documents"]) == 4

    await skipping_env.fast_forward(test_set, DAY + HOUR)

    await eventually(lambda: len(notifications("test_set_rejected_reminder", company)) == 1)
    assert last_error(test_set.id).code == "test_set.rejections"

    await skipping_env.fast_forward(test_set, 4 * DAY)

    await eventually(lambda: code_of(last_error(test_set.id)) == "test_set.overdue")
    record = ProcessRecord.get_by_id(test_set.id)
    assert (record.current_step, record.status, record.waiting_on) == ("rejected", "waiting", "staff")
    overdue = last_error(test_set.id).params
    assert overdue["what"]["code"] == "sla.rejected_test_set_waited"
    assert (overdue["rejections"]["code"], overdue["rejections"]["params"]["rejected"]) == ("test_set.rejections", 4)
    assert Notification.select().where(Notification.kind == "sla_breached").count() == 1
    status = await test_set.query(TestSetSubmission.status)
    assert (status.set_status, status.rejected) == ("rejected", 4)


async def test_the_own_certificate_reminder_fires_after_its_delay_until_the_company_has_its_own(
        skipping_env, skipping_worker, task_queue, company):
    handle = await skipping_env.client.start_workflow(
        OwnCertificateReminder.run,
        OwnCertificateReminderInput(company_id=company.id, company_name=company.legal_name,
                                    remind_every_seconds=30 * 86_400),
        id=f"reminder-{uuid.uuid4()}", task_queue=task_queue)

    await skipping_env.fast_forward(handle, 29 * DAY)
    await asyncio.sleep(0.5)
    assert notifications("own_certificate_reminder", company) == []

    await skipping_env.fast_forward(handle, 2 * DAY)
    await eventually(lambda: len(notifications("own_certificate_reminder", company)) == 1)
    assert from_text(notifications("own_certificate_reminder", company)[0].body) == Message(
        "notice.own_certificate_body", {"company": company.legal_name})

    bought = dt.datetime.utcnow()
    SigningCertificate.create(company=company, holder_nit=company.tax_id, subject=f"CN={company.legal_name}",
                              serial_number="1", not_before=bought, not_after=bought + timedelta(days=365),
                              cert_pem="", sealed_key=b"", source_key=f"test:{handle.id}")
    await skipping_env.fast_forward(handle, 30 * DAY)

    assert await handle.result() == 1
    assert len(notifications("own_certificate_reminder", company)) == 1
