"""The documents of a process: the exoneration letter, the signed upload, the certificate it signs with,
DIAN's answers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from cryptography import x509
from cryptography.x509.oid import NameOID
from flask_babel import gettext as _

from habilita.console.access import may
from habilita.models import CertificateLoan, SigningCertificate, StoredFile, TestSetDocument


def may_download() -> bool:
    """Whether the signed-in person may download the process's letters (a representative's data and
    signature): the permissions table gives it to the staff who handle them; support and auditors see
    that a letter exists, not the letter."""
    return may("download_documents")


@dataclass(frozen=True)
class Document:
    title: str
    file: StoredFile | None
    note: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class DianAnswer:
    document_number: str
    document_kind: str
    status: str
    status_code: str
    errors: str

    @property
    def rejected(self) -> bool:
        # The ledger stores DIAN's rule messages as JSON text: "[]" means none.
        return self.errors.strip() not in ("", "[]")


def of_process(model, workflow_id: str):
    """Rows of the process or of its children, whose ids extend the parent's (``<id>-certificate``)."""
    return (model.workflow_id == workflow_id) | model.workflow_id.startswith(workflow_id + "-")


@dataclass(frozen=True)
class CertificateFacts:
    """What a person checks of a signing certificate: whose, who issued it, its serial and its validity."""

    lent: bool
    holder: str
    issuer: str
    serial_number: str
    not_before: dt.datetime
    not_after: dt.datetime


def certificates_of(workflow_id: str) -> list[CertificateFacts]:
    """The certificate the company's documents are signed with in this process: the one bought for it
    (issued by the CA on the buy path) or the provider's, lent against the signed letter."""
    bought = SigningCertificate.select().where(SigningCertificate.source_key.startswith(workflow_id + "-"))
    lent = (SigningCertificate.select().join(CertificateLoan, on=CertificateLoan.certificate == SigningCertificate.id)
            .where(of_process(CertificateLoan, workflow_id)))
    return [_facts(c, lent=False) for c in bought] + [_facts(c, lent=True) for c in lent]


def _facts(row: SigningCertificate, *, lent: bool) -> CertificateFacts:
    certificate = x509.load_pem_x509_certificate(row.cert_pem.encode())
    return CertificateFacts(lent=lent, holder=common_name(certificate.subject) or row.subject,
                            issuer=common_name(certificate.issuer) or certificate.issuer.rfc4514_string(),
                            serial_number=row.serial_number, not_before=row.not_before, not_after=row.not_after)


def common_name(name: x509.Name) -> str:
    """A certificate name's CN (the company's or the CA's name), or "" when it has none."""
    names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def files_of(workflow_id: str) -> list[Document]:
    """The letters of the certificate loans of the process and its children, newest loan first."""
    found = []
    loans = CertificateLoan.select().where(of_process(CertificateLoan, workflow_id)).order_by(CertificateLoan.id.desc())
    for loan in loans:
        if loan.letter_id:
            found.append(Document(_("Exoneration letter to sign (PDF)"), loan.letter, at=loan.created_at))
        if loan.signed_letter_id:
            note = _("Loan date: %(date)s", date=loan.loan_date.strftime("%Y-%m-%d")) if loan.loan_date else ""
            found.append(Document(_("Signed letter uploaded"), loan.signed_letter, note=note,
                                  at=loan.signed_letter_uploaded_at))
    return found


def content_of(stored: StoredFile) -> bytes:
    """A stored document's bytes, as the person downloads it (opened with the application key)."""
    return stored.read(current_app.extensions["habilita"].box)


def file_belongs_to(workflow_id: str, file_id: int) -> bool:
    """True when ``file_id`` is one of the process's letters: downloads go no further."""
    loans = CertificateLoan.select().where(of_process(CertificateLoan, workflow_id))
    return loans.where((CertificateLoan.letter == file_id) | (CertificateLoan.signed_letter == file_id)).exists()


def dian_answers(workflow_id: str, limit: int = 200) -> list[DianAnswer]:
    """DIAN's verdict on each test-set document of the last round sent, rejected ones first."""
    rows = (TestSetDocument.select(TestSetDocument.document_number, TestSetDocument.document_kind,
                                   TestSetDocument.status, TestSetDocument.status_code, TestSetDocument.errors,
                                   TestSetDocument.round)
            .where(of_process(TestSetDocument, workflow_id))
            .order_by(TestSetDocument.round.desc(), TestSetDocument.position).limit(limit))
    answers, last_round = [], None
    for row in rows:
        if last_round is None:
            last_round = row.round
        if row.round != last_round:
            break
        answers.append(DianAnswer(row.document_number, row.document_kind, row.status, row.status_code, row.errors))
    return sorted(answers, key=lambda a: (not a.rejected, a.document_number))
