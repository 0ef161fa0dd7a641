"""Demo enablement processes at several steps of P1 and P2, for the dev stack.

Each Colombian demo company has a stage to show. The seeder drives it there
through the same updates staff send and the simulators' portal endpoints,
one step at a time, reading the projection to know what is already done: a
second run (every `make run` seeds) finds the processes where they stand and
only continues them. Nothing waits long for DIAN: the one company whose test
set DIAN must validate is continued on a later run if the set is not
validated within ``wait_seconds``.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import requests
from temporalio.client import Client

from habilita.adapters.dian_portal import portal_base_url
from habilita.activities.representatives import LegalRepresentative
from habilita.activities.uploads import receive_signed_letter
from habilita.adapters.secrets_box import SecretBox
from habilita.models import Company, ProcessRecord, StoredFile
from habilita.workflows.certificate import (
    CertificateActivation, CertificatePathChoice, LoanContinuation, PaymentCheck, SignedLetterUpload,
)
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement, TestSetStart
from habilita.workflows.numbering import DianConfirmation
from habilita.workflows.voucher import VoucherTypeSetup

from habilita.processes import CERTIFICATE, EINVOICING, SUPPORT_DOCUMENT
from habilita.processes.client import ProcessClient
from habilita.settings import Settings

log = logging.getLogger("habilita.demo")
DEMO_ACTOR = "demo@habilita.local"


@dataclass(frozen=True)
class Stage:
    """How far the demo takes a company: ``until`` is the P1 step to stop at ("enabled" goes on to P2)."""

    until: str
    mode: str = "provider"  # at DIAN: "provider" (the provider's software, loaned certificate) or "own"


STAGES = {
    "900123456": Stage("dian_registration"),  # just started (the lead's dev-stack test registers it)
    "901234567": Stage("signed_letter"),  # registered; the representative must sign the letter
    "860512780": Stage("test_set", mode="own"),  # own certificate issued; staff may start the test set
    "901555444": Stage("enabled"),  # enabled for invoicing, P2 running at its certificate step
}


class DemoPortal:
    """What a person does at DIAN's portal and at the billing checkout, against the simulators."""

    def __init__(self, settings: Settings) -> None:
        self.dian = portal_base_url(settings.dian_url)
        self.billing = settings.billing_url.rstrip("/")

    def register(self, company: Company, *, mode: str, provider_nit: str) -> dict | None:
        """DIAN's answer (with the PIN), or ``None`` when the NIT was registered before: the PIN is not shown again."""
        response = requests.post(f"{self.dian}/portal/companies", timeout=10, json={
            "nit": company.tax_id, "legal_name": company.legal_name, "mode": mode,
            "provider_nit": provider_nit if mode == "provider" else None})
        if response.status_code == 409:
            return None
        response.raise_for_status()
        return response.json()

    def ensure_test_resolution(self, nit: str, kind: str) -> str:
        """Request the test resolution of ``kind`` once and associate its prefix; returns the prefix."""
        shown = requests.get(f"{self.dian}/portal/companies/{nit}", timeout=10)
        shown.raise_for_status()
        ranges = [r for r in shown.json()["ranges"] if r["kind"] == kind]
        if not ranges:
            created = requests.post(f"{self.dian}/portal/companies/{nit}/resolutions", timeout=10,
                                    json={"kind": kind, "test": True})
            created.raise_for_status()
            ranges = [created.json()]
        prefix = ranges[0]["prefix"]
        requests.post(f"{self.dian}/portal/companies/{nit}/prefixes", json={"prefix": prefix},
                      timeout=10).raise_for_status()
        return prefix

    def pay_certificate(self, nit: str) -> None:
        requests.post(f"{self.billing}/certificate-payments/{nit}", timeout=10).raise_for_status()


async def seed_enablement_demo(client: Client, settings: Settings, *, wait_seconds: float = 3.0) -> dict[str, str]:
    """Put the demo companies at their stages; returns each process's workflow id and the step it stands at."""
    portal = DemoPortal(settings)
    processes = ProcessClient(client, task_queue=settings.task_queue)
    reached: dict[str, str] = {}
    # Read the companies first: an open SQLite read cursor would hold off the projection writes awaited below.
    companies = list(Company.select().where((Company.country == "CO") & Company.tax_id.in_(list(STAGES))))
    for company in companies:
        try:
            reached.update(await _advance(processes, settings, portal, company, STAGES[company.tax_id], wait_seconds))
        except Exception as exc:  # noqa: BLE001 - demo data must never stop the dev stack from starting
            log.warning("demo enablement of %s stopped: %s (%s)", company.tax_id, exc, getattr(exc, "cause", ""))
    return reached


async def _advance(processes: ProcessClient, settings, portal, company, stage: Stage,
                   wait_seconds: float) -> dict[str, str]:
    p1 = await processes.start(EINVOICING, company, actor=DEMO_ACTOR, settings=settings)
    step = await _step(p1.id)
    if stage.until == "dian_registration":
        return {p1.id: step}
    if step == "dian_registration":
        answer = portal.register(company, mode=stage.mode, provider_nit=settings.provider_nit)
        if answer is None:
            log.warning("%s is registered at DIAN's portal but has no P1 registration: its PIN is unknown", company.tax_id)
            return {p1.id: step}
        await processes.send(p1.id, EInvoicingEnablement.submit_dian_registration, DianRegistration(
            actor=DEMO_ACTOR, operation_mode="provider" if stage.mode == "provider" else "own_software",
            test_set_id=answer["test_set_id"], software_id=answer["software_id"], pin=answer["pin"]))
        step = await _step(p1.id, until=("certificate",))
    if step == "certificate":
        certificate_id = CERTIFICATE.child_workflow_id(p1.id)
        await _certificate(processes, certificate_id, portal, company, path="own" if stage.mode == "own" else "loan",
                           stop_at_letter=stage.until == "signed_letter", box=SecretBox(settings.encryption_key))
        if stage.until == "signed_letter":
            return {p1.id: step, certificate_id: await _step(certificate_id)}
        step = await _step(p1.id, until=("test_set",))
    if stage.until == "test_set":
        return {p1.id: step}
    return await _finish_p1_and_start_p2(processes, settings, portal, company, p1, step, wait_seconds)


async def _certificate(processes: ProcessClient, workflow_id: str, portal: DemoPortal, company: Company, *,
                       path: str, stop_at_letter: bool, box: SecretBox) -> None:
    step = await _step(workflow_id)
    if step == "choose_path":
        if path == "own":
            # The company pays at the checkout first, so the payment step finds it paid.
            portal.pay_certificate(company.tax_id)
        await processes.send(workflow_id, CertificateActivation.choose_path, CertificatePathChoice(DEMO_ACTOR, path))
        step = await _step(workflow_id, until=("representative",))
    if step == "payment":
        portal.pay_certificate(company.tax_id)
        await processes.send(workflow_id, CertificateActivation.verify_payment, PaymentCheck(DEMO_ACTOR))
        step = await _step(workflow_id, until=("representative",))
    if step == "representative":
        await processes.send(workflow_id, CertificateActivation.submit_representative, representative_of(company))
        step = await _step(workflow_id, until=("signed_letter", "issued"))
    if step == "signed_letter" and not stop_at_letter:
        letter = (await processes.status(CERTIFICATE, workflow_id)).letter
        signed = receive_signed_letter(StoredFile.get_by_id(letter.stored_file_id).read(box),
                                       "carta-exoneracion-firmada.pdf", box=box)
        await processes.send(workflow_id, CertificateActivation.upload_signed_letter,
                                    SignedLetterUpload(DEMO_ACTOR, signed.stored_file_id, signed.sha256))
        await processes.send(workflow_id, CertificateActivation.continue_with_loan, LoanContinuation(DEMO_ACTOR))


async def _finish_p1_and_start_p2(processes: ProcessClient, settings, portal, company, p1, step,
                                  wait_seconds) -> dict[str, str]:
    record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == p1.id)
    if step == "test_set" and record is not None and record.waiting_on == "staff":
        await processes.send(p1.id, EInvoicingEnablement.start_test_set, TestSetStart(DEMO_ACTOR, company.display_tax_id))
    if step == "test_set":
        step = await _step(p1.id, until=("numbering_resolution",), seconds=wait_seconds)
    if step in ("numbering_resolution", "prefix_association"):
        portal.ensure_test_resolution(company.tax_id, "invoice")
        confirm = (EInvoicingEnablement.confirm_resolution_requested if step == "numbering_resolution"
                   else EInvoicingEnablement.confirm_prefixes_associated)
        await processes.send(p1.id, confirm, DianConfirmation(DEMO_ACTOR))
        step = await _step(p1.id, until=("voucher_type",))
    if step == "voucher_type":
        resolution = (await processes.status(EINVOICING, p1.id)).resolutions[0]
        await processes.send(p1.id, EInvoicingEnablement.configure_voucher_type, VoucherTypeSetup(
            DEMO_ACTOR, resolution.resolution_id, resolution.prefix, resolution.range_from))
        step = await _step(p1.id, until=("enabled",))
    if step != "enabled":
        return {p1.id: step}  # DIAN is still validating the test set: the next seed continues
    p2 = await processes.start(SUPPORT_DOCUMENT, company, actor=DEMO_ACTOR, settings=settings)
    return {p1.id: step, p2.id: await _step(p2.id, until=("certificate",))}


def representative_of(company: Company) -> LegalRepresentative:
    return LegalRepresentative(actor=DEMO_ACTOR, full_name="María Fernanda Rojas", document_type="CC",
                               document_number="52123456", email=f"gerencia@{company.tax_id}.example.co",
                               phone="3001234567", position="Representante legal")


async def _step(workflow_id: str, *, until: tuple[str, ...] = (), seconds: float = 5.0) -> str:
    """The projected step of ``workflow_id`` once it is one of ``until`` (or any, when empty), or at ``seconds``."""
    step = ""
    for _ in range(int(seconds / 0.05)):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        step = record.current_step if record is not None else ""
        if step and (not until or step in until):
            return step
        await asyncio.sleep(0.05)
    return step
