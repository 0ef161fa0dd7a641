"""The exoneration letter for a loaned certificate, as a PDF to sign.

Saving the representative's data generates the letter filled with it; the
company downloads it, the representative signs it, and the scan comes back
through :mod:`habilita.activities.uploads`. What the letter says is
:mod:`habilita.activities.letter_content`; it is drawn by
:mod:`habilita.activities.letter_pdf`, in a helper process (:class:`LetterDrawer`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from temporalio import activity

from habilita.adapters.helper_process import HelperProcess
from habilita.models import CertificateLoan, Company, StoredFile

from .letter_content import LetterContent
from .representatives import DOCUMENT_TYPES, open_representative

DRAW_SECONDS = 30.0


@dataclass(frozen=True)
class LetterRequest:
    workflow_id: str
    purpose: str
    company_id: int
    representative_id: int
    date: str  # ISO date of the letter (Temporal's JSON payloads have no date type)


@dataclass(frozen=True)
class LetterRef:
    stored_file_id: int
    sha256: str
    size: int
    file_name: str


class LetterDrawer(HelperProcess):
    """Draws letters in a helper process (:mod:`habilita.adapters.helper_process`, ``python -m
    habilita.activities.letter_pdf``), one at a time; thread-safe. A helper that does not answer within
    ``seconds`` is killed, and the letter fails with ``HelperUnavailable``, retried."""

    def __init__(self, *, seconds: float = DRAW_SECONDS) -> None:
        super().__init__("habilita.activities.letter_pdf", name="letter drawing", seconds=seconds)

    def draw(self, content: LetterContent) -> bytes:
        """The letter as PDF bytes, as :func:`habilita.activities.letter_pdf.render_letter` draws it."""
        return self.ask(content.to_json())


class LetterActivities:
    def __init__(self, box, *, provider_name: str, provider_nit: str, drawer: LetterDrawer | None = None) -> None:
        self._box = box
        self._drawer = drawer or LetterDrawer()
        self._provider_name = provider_name
        self._provider_nit = provider_nit

    @activity.defn
    def generate_letter(self, request: LetterRequest) -> LetterRef:
        """Render the letter with the stored data, store it and hang it on the loan."""
        company = Company.get_by_id(request.company_id)
        person = open_representative(self._box, request.representative_id)
        label = f"{DOCUMENT_TYPES[person['document_type']]} {person['document_number']}"
        if person["document_type"] == "NIT":
            label += f"-{person['check_digit']}"
        pdf = self._drawer.draw(LetterContent(
            company_name=company.legal_name, company_nit=company.display_tax_id,
            representative_name=person["full_name"], document_label=label, position=person["position"],
            email=person["email"], provider_name=self._provider_name, provider_nit=self._provider_nit,
            purpose=request.purpose, date=dt.date.fromisoformat(request.date),
        ))
        file_name = f"carta-exoneracion-{company.tax_id}.pdf"
        stored = StoredFile.put(pdf, box=self._box, media_type="application/pdf", original_name=file_name)
        loan, _ = CertificateLoan.get_or_create(
            workflow_id=request.workflow_id, purpose=request.purpose, defaults={"company": company.id})
        loan.letter, loan.representative = stored.id, request.representative_id
        loan.save()
        return LetterRef(stored_file_id=stored.id, sha256=stored.sha256, size=stored.size, file_name=file_name)
