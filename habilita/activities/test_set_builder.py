"""The documents of one test-set round, built and signed from dian's public builders.

Each round numbers its documents apart from the previous ones (a resend after
a rejection never reuses a number), so the ledger's (workflow, number) key
identifies a document for good.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from habilita.dian import ubl
from habilita.dian.documents import BillingReference, CreditNote, DebitNote, Invoice, NumberingRange
from habilita.dian.sample import NOTE_PREFIX, SAMPLE_CUSTOMER, SampleIssuer, SignedDocument, dian_file_name, sample_lines
from habilita.dian.signing import Signer

ROUND_SPAN = 10_000


@dataclass(frozen=True)
class RoundCounts:
    invoices: int
    credit_notes: int
    debit_notes: int

    @property
    def total(self) -> int:
        return self.invoices + self.credit_notes + self.debit_notes


def build_round(*, signer: Signer, issuer: SampleIssuer, counts: RoundCounts, round_number: int,
                prefix: str, issued_at: dt.datetime) -> list[SignedDocument]:
    """Invoices first, then credit and debit notes referencing them in turn."""
    numbering = NumberingRange.habilitacion(prefix=prefix)
    offset = (round_number - 1) * ROUND_SPAN
    common = dict(issued_at=issued_at, supplier=issuer.party(), customer=SAMPLE_CUSTOMER,
                  software=issuer.software(), environment=issuer.environment)
    invoices = max(counts.invoices, 1 if counts.credit_notes or counts.debit_notes else 0)
    built: list[SignedDocument] = []
    files = 0

    def sign(document) -> SignedDocument:
        nonlocal files
        files += 1
        doc = ubl.build(document)
        return SignedDocument(kind=doc.kind, type_code=doc.type_code, number=doc.number, uuid=doc.uuid,
                              file_name=dian_file_name(doc.kind, issuer_nit=issuer.nit, year=issued_at.year,
                                                       sequence=offset + files),
                              xml=signer.sign(doc.root))

    for i in range(invoices):
        built.append(sign(Invoice(sequence=numbering.range_from + 1 + offset + i, numbering=numbering,
                                  lines=sample_lines(3, offset=i), **common)))
    references = [BillingReference(number=d.number, uuid=d.uuid, issue_date=issued_at.date()) for d in built]
    for i in range(counts.credit_notes):
        built.append(sign(CreditNote(sequence=offset + i + 1, note_prefix=NOTE_PREFIX["credit_note"], reason_code="2",
                                     billing_reference=references[i % invoices], lines=sample_lines(1, offset=i),
                                     **common)))
    for i in range(counts.debit_notes):
        built.append(sign(DebitNote(sequence=offset + i + 1, note_prefix=NOTE_PREFIX["debit_note"], reason_code="1",
                                    billing_reference=references[i % invoices], lines=sample_lines(1, offset=i + 3),
                                    **common)))
    return built
