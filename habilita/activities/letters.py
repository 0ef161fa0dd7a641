"""The exoneration letter for a loaned certificate, as a PDF to sign.

Saving the representative's data generates the letter filled with it; the
company downloads it, the representative signs it, and the scan comes back
through :mod:`habilita.activities.uploads`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fpdf import FPDF
from temporalio import activity

from habilita import fonts
from habilita.models import CertificateLoan, Company, StoredFile

from .representatives import DOCUMENT_TYPES, open_representative

_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre")
PURPOSE_TEXT = {
    "einvoicing": "la expedición de facturas electrónicas de venta y sus notas con validación previa",
    "support_document": "la expedición de documentos soporte electrónicos y sus notas de ajuste",
}


@dataclass(frozen=True)
class LetterContent:
    """What the letter says; everything comes from stored data except the date."""

    company_name: str
    company_nit: str
    representative_name: str
    document_label: str
    position: str
    email: str
    provider_name: str
    provider_nit: str
    purpose: str
    date: dt.date


def render_letter(content: LetterContent) -> bytes:
    """The letter as PDF bytes (the same content always gives the same bytes).

    Drawn in the bundled Unicode font (:mod:`habilita.fonts`), so any name the representative's form
    accepts prints as typed: the form refuses what the font cannot draw.
    """
    pdf = FPDF(format="Letter")
    pdf.set_creation_date(dt.datetime.combine(content.date, dt.time(), tzinfo=dt.timezone.utc))
    pdf.set_title("Carta de exoneración: préstamo de certificado digital")
    pdf.set_margins(25, 25, 25)
    pdf.add_font(fonts.FAMILY, "", str(fonts.REGULAR))
    pdf.add_font(fonts.FAMILY, "B", str(fonts.BOLD))
    pdf.add_page()
    pdf.set_font(fonts.FAMILY, size=11)
    when = f"Bogotá D.C., {content.date.day} de {_MONTHS[content.date.month - 1]} de {content.date.year}"
    pdf.multi_cell(0, 6, when, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 6, f"Señores\n{content.provider_name}\nNIT {content.provider_nit}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(fonts.FAMILY, style="B", size=11)
    pdf.multi_cell(0, 6, "Asunto: carta de exoneración de responsabilidad por el préstamo del certificado digital",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.FAMILY, size=11)
    pdf.ln(4)
    body = (
        f"Yo, {content.representative_name}, identificado(a) con {content.document_label}, en mi calidad de "
        f"{content.position} y representante legal de {content.company_name}, NIT {content.company_nit}, "
        f"solicito el préstamo temporal del certificado digital de {content.provider_name} para "
        f"{PURPOSE_TEXT[content.purpose]} ante la DIAN, y exonero a {content.provider_name} de toda "
        "responsabilidad por el contenido de los documentos que mi empresa expida con él.\n\n"
        "Entiendo que el préstamo es temporal y que la empresa debe adquirir su propio certificado digital; "
        "la fecha del préstamo es la del primer cargue de esta carta firmada y no se renueva con cargues "
        "posteriores."
    )
    pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(24)
    pdf.multi_cell(0, 6, "______________________________\n"
                         f"{content.representative_name}\n{content.document_label}\n{content.position}\n"
                         f"{content.email}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


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


class LetterActivities:
    def __init__(self, box, *, provider_name: str, provider_nit: str) -> None:
        self._box = box
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
        pdf = render_letter(LetterContent(
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
