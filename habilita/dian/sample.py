"""Sample habilitación documents and zip-ready test sets.

A habilitación test set is N signed invoices, credit notes and debit notes of
one issuer, in the fixed test numbering range, sent in zips of at most 50
XMLs. The same builders make the per-type samples of ``habilita dian
sample-set`` (01, 91, 92, 05, 95) and the benchmark's 100-document set.
Everything happens in memory; writing files is the caller's business.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass
from typing import Iterable
from decimal import Decimal

from . import constants, ubl
from .checkdigit import validate_nit
from .clock import colombia_now
from .documents import (
    ICA,
    INC,
    IVA,
    Address,
    BillingReference,
    CreditNote,
    DebitNote,
    Invoice,
    Line,
    LineTax,
    NumberingRange,
    Party,
    Software,
    SupportAdjustment,
    SupportDocument,
)
from .signing import Signer

MAX_FILES_PER_ZIP = 50
ALL_KINDS = ("invoice", "credit_note", "debit_note", "support_document", "support_adjustment")
# DIAN file-name prefixes (annex 1.8 §5): fv invoice, nc/nd notes; the support
# document ones are not in the public annex we have (configuration).
FILE_PREFIX = {
    "invoice": "fv",
    "credit_note": "nc",
    "debit_note": "nd",
    "support_document": "ds",
    "support_adjustment": "nas",
}
NOTE_PREFIX = {"credit_note": "NC", "debit_note": "ND", "support_adjustment": "NA"}


@dataclass(frozen=True)
class SignedDocument:
    """A signed document ready to store or zip: its bytes are final."""

    kind: str
    type_code: str
    number: str
    uuid: str
    file_name: str
    xml: bytes


@dataclass(frozen=True)
class SampleIssuer:
    """Who issues the samples and with which DIAN software."""

    nit: str
    legal_name: str
    software_id: str
    pin: str
    environment: str = constants.ENVIRONMENT_TEST
    provider_nit: str | None = None  # technology provider; the issuer itself when None

    def party(self) -> Party:
        """The issuing company as a UBL party."""
        return Party(
            id_number=self.nit,
            name=self.legal_name,
            address=Address(line="Carrera 7 # 71-21"),
            tax_level_code="O-13",
            email="facturacion@example.co",
        )

    def software(self) -> Software:
        """The DIAN software record used for every sample."""
        return Software(id=self.software_id, pin=self.pin, provider_nit=self.provider_nit or self.nit)


SAMPLE_CUSTOMER = Party(
    id_number="901458652",
    name="CLIENTE DE PRUEBAS S.A.S.",
    address=Address(line="Calle 26 # 69-76", city_code="11001"),
    tax_level_code="R-99-PN",
    email="compras@example.co",
)
# The seller of a support document is someone not obliged to invoice: a person.
SAMPLE_SELLER = Party(
    id_number="1020304050",
    name="PEDRO PÉREZ PROVEEDOR",
    address=Address(line="Calle 10 # 5-51", city_code="05001", city_name="Medellín",
                    department="Antioquia", department_code="05"),
    id_type="13",
    person_type="2",
    tax_level_code="R-99-PN",
    tax_scheme="ZZ",
)

_ITEMS = (
    ("Servicio de consultoría", "1", "850000.00", ((IVA, "19"),)),
    ("Licencia de software anual", "2", "1250000.00", ((IVA, "19"),)),
    ("Almuerzo ejecutivo", "12", "23500.00", ((INC, "8"),)),
    ("Libro técnico", "3", "89900.00", ()),
    ("Mantenimiento de equipos", "1.5", "320000.00", ((IVA, "19"), (ICA, "0.966"))),
    ("Papelería", "40", "1250.50", ((IVA, "19"),)),
    ("Transporte de mercancía", "1", "410000.00", ((IVA, "5"),)),
)


def sample_lines(count: int, *, offset: int = 0) -> tuple[Line, ...]:
    """``count`` varied lines (IVA 19/5 %, INC, ICA, exempt), rotating from ``offset``."""
    lines = []
    for i in range(count):
        description, quantity, price, taxes = _ITEMS[(offset + i) % len(_ITEMS)]
        lines.append(
            Line(
                description=description,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                taxes=tuple(LineTax(scheme=s, percent=Decimal(p)) for s, p in taxes),
                item_code=f"SKU-{(offset + i) % len(_ITEMS) + 1:03d}",
            )
        )
    return tuple(lines)


def dian_file_name(kind: str, *, issuer_nit: str, year: int, sequence: int, provider_code: str = "000") -> str:
    """DIAN's XML name: prefix + NIT (10 digits) + provider code + year (2) + sequence (8 hex)."""
    return f"{FILE_PREFIX[kind]}{int(issuer_nit):010d}{provider_code}{year % 100:02d}{sequence:08x}.xml"


def zip_file_name(*, issuer_nit: str, year: int, sequence: int, provider_code: str = "000") -> str:
    """DIAN's zip name: "z" + NIT (10 digits) + provider code + year (2) + sequence (8 hex)."""
    return f"z{int(issuer_nit):010d}{provider_code}{year % 100:02d}{sequence:08x}.zip"


class _Counter:
    """Per-kind file sequence, so each file name is unique within a set."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def next(self, kind: str) -> int:
        self._next[kind] = self._next.get(kind, 0) + 1
        return self._next[kind]


def _sign(signer: Signer, document, issuer_nit: str, counter: _Counter) -> SignedDocument:
    built = ubl.build(document)
    xml = signer.sign(built.root)
    return SignedDocument(
        kind=built.kind,
        type_code=built.type_code,
        number=built.number,
        uuid=built.uuid,
        file_name=dian_file_name(built.kind, issuer_nit=issuer_nit, year=document.issue_date.year,
                                 sequence=counter.next(built.kind)),
        xml=xml,
    )


def _reference(document: SignedDocument, issue_date: datetime.date) -> BillingReference:
    return BillingReference(number=document.number, uuid=document.uuid, issue_date=issue_date,
                            uuid_scheme="CUDS-SHA384" if document.kind == "support_document" else "CUFE-SHA384")


def build_test_set(
    *,
    signer: Signer,
    issuer: SampleIssuer,
    invoices: int,
    credit_notes: int,
    debit_notes: int,
    lines_per_document: int = 3,
    numbering: NumberingRange | None = None,
    first_sequence: int | None = None,
    issued_at: datetime.datetime | None = None,
) -> list[SignedDocument]:
    """Build and sign a habilitación test set: invoices, then notes referencing them in turn.

    Numbers start at ``first_sequence`` (the range's first number + 1 by
    default). Pass the result to :func:`zip_batches` to send it.
    """
    if invoices < 1 and (credit_notes or debit_notes):
        raise ValueError("notes need at least one invoice to reference")
    issuer_nit = validate_nit(issuer.nit)
    numbering = numbering or NumberingRange.habilitacion()
    sequence = first_sequence if first_sequence is not None else numbering.range_from + 1
    moment = issued_at or colombia_now()
    supplier, software, counter = issuer.party(), issuer.software(), _Counter()
    common = dict(issued_at=moment, supplier=supplier, customer=SAMPLE_CUSTOMER, software=software,
                  environment=issuer.environment)
    signed = [
        _sign(signer, Invoice(sequence=sequence + i, numbering=numbering,
                              lines=sample_lines(lines_per_document, offset=i), **common), issuer_nit, counter)
        for i in range(invoices)
    ]
    for i in range(credit_notes):
        note = CreditNote(sequence=i + 1, note_prefix=NOTE_PREFIX["credit_note"], reason_code="2",
                          billing_reference=_reference(signed[i % invoices], moment.date()),
                          lines=sample_lines(1, offset=i), **common)
        signed.append(_sign(signer, note, issuer_nit, counter))
    for i in range(debit_notes):
        note = DebitNote(sequence=i + 1, note_prefix=NOTE_PREFIX["debit_note"], reason_code="1",
                         billing_reference=_reference(signed[i % invoices], moment.date()),
                         lines=sample_lines(1, offset=i + 3), **common)
        signed.append(_sign(signer, note, issuer_nit, counter))
    return signed


def build_sample_set(
    *,
    signer: Signer,
    issuer: SampleIssuer,
    count: int = 1,
    issued_at: datetime.datetime | None = None,
) -> list[SignedDocument]:
    """``count`` signed documents of every type: 01, 91, 92 (notes reference the invoices),
    05 and 95 (the adjustment notes reference the support documents)."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    documents = build_test_set(signer=signer, issuer=issuer, invoices=count, credit_notes=count,
                               debit_notes=count, issued_at=issued_at)
    moment = issued_at or colombia_now()
    issuer_nit = validate_nit(issuer.nit)
    numbering, counter = NumberingRange.habilitacion_support(), _Counter()
    # Support documents are issued by the company as buyer: it is the customer party.
    common = dict(issued_at=moment, supplier=SAMPLE_SELLER, customer=issuer.party(), software=issuer.software(),
                  environment=issuer.environment)
    supports = [
        _sign(signer, SupportDocument(sequence=numbering.range_from + 1 + i, numbering=numbering,
                                      lines=sample_lines(2, offset=i), **common), issuer_nit, counter)
        for i in range(count)
    ]
    adjustments = [
        _sign(signer, SupportAdjustment(sequence=i + 1, note_prefix=NOTE_PREFIX["support_adjustment"],
                                        reason_code="3", lines=sample_lines(1, offset=i),
                                        billing_reference=_reference(supports[i], moment.date()), **common),
              issuer_nit, counter)
        for i in range(count)
    ]
    return documents + supports + adjustments


def zip_batches(
    documents: list[SignedDocument], *, issuer_nit: str, year: int, max_files: int = MAX_FILES_PER_ZIP
) -> list[tuple[str, bytes]]:
    """Pack signed documents into DIAN-named zips of at most ``max_files`` XMLs each (DIAN allows 50)."""
    if not 1 <= max_files <= MAX_FILES_PER_ZIP:
        raise ValueError(f"a DIAN zip holds 1 to {MAX_FILES_PER_ZIP} files, not {max_files}")
    batches = []
    for index, start in enumerate(range(0, len(documents), max_files), start=1):
        content = zip_files((d.file_name, d.xml) for d in documents[start:start + max_files])
        batches.append((zip_file_name(issuer_nit=issuer_nit, year=year, sequence=index), content))
    return batches


def zip_files(files: Iterable[tuple[str, bytes]]) -> bytes:
    """One deflated zip holding each (file name, content) pair: what SendTestSetAsync carries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()
