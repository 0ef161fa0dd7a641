"""P2 side effects: where the company stands, DIAN's support-document test set,
and signing a support document under the configured voucher type."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.dian import ubl
from habilita.dian.clock import colombia_now
from habilita.dian.documents import NumberingRange, SupportDocument
from habilita.dian.errors import InvalidDocument
from habilita.dian.sample import SAMPLE_SELLER, SampleIssuer, sample_lines
from habilita.dian.signing import Signer
from habilita.messages import Problem
from habilita.models import Company, DianSoftware, ProcessRecord, SigningCertificate, VoucherType, utcnow

from .certificates import KeyVault
from habilita.adapters.dian_portal import DianPortal, PortalUnavailable
from .enablement import software_pin

ACCEPTED = 1


@dataclass(frozen=True)
class StandingQuery:
    company_id: int


@dataclass(frozen=True)
class CompanyStanding:
    """Whether P1 is complete for the company, and the DIAN software it registered."""

    p1_complete: bool
    p1_workflow_id: str = ""
    software_ref_id: int = 0
    software_id: str = ""
    software_owner_nit: str = ""
    own_certificate_id: int = 0  # the company's own unexpired certificate, if it bought one


@dataclass(frozen=True)
class SupportSetQuery:
    company_id: int
    test_set_id: str


@dataclass(frozen=True)
class SupportSetState:
    accepted: bool
    message: str


@dataclass(frozen=True)
class SignSupportDocument:
    company_id: int
    voucher_type_id: int
    certificate_id: int
    software_ref_id: int


@dataclass(frozen=True)
class SignedSupportDocument:
    number: str
    cuds: str
    xml: str


class SupportDocumentActivities:
    def __init__(self, *, portal: DianPortal, vault: KeyVault, box) -> None:
        self._portal = portal
        self._vault = vault
        self._box = box

    @activity.defn
    def company_standing(self, query: StandingQuery) -> CompanyStanding:
        """P1 is complete when an einvoicing process of the company completed; its software comes with it."""
        record = (ProcessRecord.select()
                  .where((ProcessRecord.company == query.company_id) & (ProcessRecord.process_type == "einvoicing")
                         & (ProcessRecord.status == "completed"))
                  .order_by(ProcessRecord.completed_at.desc()).first())
        software = (DianSoftware.select().where(DianSoftware.company == query.company_id)
                    .order_by(DianSoftware.id.desc()).first())
        own = (SigningCertificate.select().where((SigningCertificate.company == query.company_id)
                                                 & (SigningCertificate.not_after > utcnow()))
               .order_by(SigningCertificate.not_after.desc()).first())
        if software is None:
            return CompanyStanding(p1_complete=False, own_certificate_id=own.id if own else 0)
        return CompanyStanding(p1_complete=record is not None, p1_workflow_id=record.workflow_id if record else "",
                               software_ref_id=software.id, software_id=software.software_id,
                               software_owner_nit=software.software_owner_nit, own_certificate_id=own.id if own else 0)

    @activity.defn
    def check_support_document_set(self, query: SupportSetQuery) -> SupportSetState:
        """Whether DIAN accepted the company's support-document test set ``query.test_set_id``.

        A set that is not the company's or not a support-document set is a
        permanent refusal: the person copied the wrong id.
        """
        company = Company.get_by_id(query.company_id)
        try:
            found = self._portal.test_set(query.test_set_id)
        except PortalUnavailable as exc:
            raise ApplicationError(str(exc), type="PortalUnavailable") from exc
        if found is None:
            raise ApplicationError(f"DIAN has no test set {query.test_set_id}",
                                   Problem("test_set_id", "test_set_unknown", {"id": query.test_set_id}).as_detail(),
                                   type="WrongTestSet", non_retryable=True)
        if found.get("nit") != company.tax_id or found.get("kind") != "support_document":
            raise ApplicationError(
                f"test set {query.test_set_id} is a {found.get('kind')} set of NIT {found.get('nit')}, not the "
                f"support-document set of NIT {company.tax_id}",
                Problem("test_set_id", "test_set_not_support_document",
                        {"id": query.test_set_id, "nit": company.tax_id}).as_detail(),
                type="WrongTestSet", non_retryable=True)
        return SupportSetState(accepted=found.get("status") == ACCEPTED,
                               message=found.get("message") or found.get("status_text", ""))

    @activity.defn
    def sign_support_document(self, request: SignSupportDocument) -> SignedSupportDocument:
        """A support document at the voucher type's next number, signed with ``certificate_id``.

        Nothing is stored and the next number does not move: this proves the
        configuration (range, software, PIN, certificate) yields a document
        DIAN would accept, before the company is told it is ready.
        """
        company = Company.get_by_id(request.company_id)
        voucher = VoucherType.get_by_id(request.voucher_type_id)
        resolution = voucher.resolution
        software = DianSoftware.get_by_id(request.software_ref_id)
        issuer = SampleIssuer(nit=company.tax_id, legal_name=company.legal_name, software_id=software.software_id,
                              pin=software_pin(self._box, software.id), provider_nit=software.software_owner_nit)
        key = self._vault.certified_key(request.certificate_id)
        # The provider's loaned certificate signs on the company's behalf: a third party.
        signer = Signer(key, role="supplier" if key.nit == company.tax_id else "third party")
        numbering = NumberingRange(prefix=voucher.prefix, range_from=voucher.range_from, range_to=voucher.range_to,
                                   resolution=resolution.resolution_number, valid_from=_date(resolution.valid_from),
                                   valid_to=_date(resolution.valid_to))
        try:
            # Support documents are issued by the company as buyer: it is the customer party.
            document = SupportDocument(sequence=voucher.next_number, numbering=numbering, issued_at=colombia_now(),
                                       supplier=SAMPLE_SELLER, customer=issuer.party(), software=issuer.software(),
                                       lines=sample_lines(2))
        except InvalidDocument as exc:
            # A resolution no longer valid today, say: retrying cannot help, a person must act.
            raise ApplicationError(str(exc), type="InvalidSupportDocument", non_retryable=True) from exc
        built = ubl.build(document)
        return SignedSupportDocument(number=built.number, cuds=built.uuid, xml=signer.sign(built.root).decode())


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
