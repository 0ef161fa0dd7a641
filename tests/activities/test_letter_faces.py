"""The exoneration letter's faces are parsed once per process: every letter is still the PDF fpdf2's
``add_font`` gives, letters drawn at once share nothing a document changes, and the field check and the
letter know the same characters."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from habilita import fonts
from habilita.activities import letters
from habilita.activities.letters import LetterContent, render_letter

CONTENTS = (
    LetterContent(company_name="Empresa Bench 900200001 SAS", company_nit="900200001-3",
                  representative_name="Ana María Gómez", document_label="Cédula de ciudadanía 52123456",
                  position="Gerente general", email="ana@laespiga.co", provider_name="Proveedor SAS",
                  provider_nit="901000006", purpose="einvoicing", date=dt.date(2026, 3, 2)),
    LetterContent(company_name="Łódź Ölçü Ğıda SAS", company_nit="900123456-8",
                  representative_name="Zoë Øster Şahin", document_label="NIT 900123456-8",
                  position="Gerente général", email="zoe@laespiga.co", provider_name="Proveedor SAS",
                  provider_nit="901000006", purpose="support_document", date=dt.date(2025, 12, 31)),
    # A legal name the font cannot draw all of: fpdf2 notes the missing glyph in that document only.
    LetterContent(company_name="Ωμέγα Жук 株式会社 \U0001F984", company_nit="1", representative_name="Ἀθηνᾶ",
                  document_label="CC 1", position="x" * 60, email="a@b.co", provider_name="P",
                  provider_nit="9", purpose="einvoicing", date=dt.date(2024, 1, 1)),
)


def test_a_letter_drawn_with_the_faces_parsed_once_is_the_pdf_add_font_gives(monkeypatch):
    drawn = [render_letter(content) for content in CONTENTS]

    monkeypatch.setattr(letters._Face, "add_to",
                        lambda face, pdf: pdf.add_font(fonts.FAMILY, face.style, str(face.path)))

    assert [render_letter(content) for content in CONTENTS] == drawn


def test_letters_drawn_at_once_each_get_their_own_pdf():
    one_by_one = [render_letter(content) for content in CONTENTS]

    with ThreadPoolExecutor(max_workers=4) as pool:
        at_once = list(pool.map(render_letter, CONTENTS * 3))

    assert at_once == one_by_one * 3


def test_the_field_check_and_the_letter_know_the_same_characters():
    _, regular = letters._FACES[0]._parse()

    assert regular.fontkey == fonts.FAMILY.lower()
    assert fonts.DRAWABLE == frozenset(regular.cmap)
