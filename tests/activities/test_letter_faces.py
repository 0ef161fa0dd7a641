"""The exoneration letter's faces are parsed once per process, and a letter in Latin script is cut from
the small letter face: every letter is still the PDF fpdf2's ``add_font`` gives, letters drawn at once
share nothing a document changes, a letter with a character outside the letter face is cut from the full
face and prints it, and the field check and the letter know the same characters."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from habilita import fonts
from habilita.activities import letter_pdf
from habilita.activities.letter_pdf import LetterContent, render_letter

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
SPANISH = CONTENTS[0]
# Every character of the letter face's repertoire the font draws, split over the fields printed on it.
REPERTOIRE = "".join(chr(code) for first, last in letter_pdf.LETTER_REPERTOIRE for code in range(first, last + 1)
                     if code in fonts.DRAWABLE)
EVERY_REPERTOIRE_CHARACTER = dataclasses.replace(
    SPANISH, company_name=REPERTOIRE[:300], representative_name=REPERTOIRE[300:600], position=REPERTOIRE[600:])


def glyph_count(font_file: bytes) -> int:
    with TTFont(io.BytesIO(font_file), lazy=True) as font:
        return font["maxp"].numGlyphs


def cut_from(pdf) -> dict[str, str]:
    """For each face of a drawn letter, the file its embedded subset is cut from: "letter" or "full"."""
    files = {}
    for face in letter_pdf._FACES:
        prepared = face.prepared()
        files[face.style or "R"] = {glyph_count(prepared.letter): "letter", glyph_count(prepared.full): "full"}[
            pdf.fonts[face.fontkey].ttfont["maxp"].numGlyphs]
    return files


def printed_text(pdf: bytes) -> str:
    """As a reader sees it: the lines the text wraps onto, joined by single spaces."""
    return " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_letter_drawn_with_the_faces_parsed_once_is_the_pdf_add_font_gives(monkeypatch):
    contents = (*CONTENTS, EVERY_REPERTOIRE_CHARACTER)
    assert [cut_from(letter_pdf._letter_pdf(content)) for content in contents] == [
        {"R": "letter", "B": "letter"}, {"R": "letter", "B": "letter"}, {"R": "full", "B": "letter"},
        {"R": "letter", "B": "letter"}], "both files are compared"
    drawn = [render_letter(content) for content in contents]

    monkeypatch.setattr(letter_pdf._Face, "add_to",
                        lambda face, pdf: pdf.add_font(fonts.FAMILY, face.style, str(face.path)))
    monkeypatch.setattr(letter_pdf._Face, "open_font_file", lambda face, pdf: None)

    assert [render_letter(content) for content in contents] == drawn


def test_letters_drawn_at_once_each_get_their_own_pdf():
    one_by_one = [render_letter(content) for content in CONTENTS]

    with ThreadPoolExecutor(max_workers=4) as pool:
        at_once = list(pool.map(render_letter, CONTENTS * 3))

    assert at_once == one_by_one * 3


def test_a_spanish_letter_is_cut_from_the_letter_faces_and_prints_as_typed():
    assert cut_from(letter_pdf._letter_pdf(SPANISH)) == {"R": "letter", "B": "letter"}

    pdf = render_letter(SPANISH)

    assert render_letter(SPANISH) == pdf, "the same letter gives the same bytes"
    text = printed_text(pdf)
    for typed in ("Ana María Gómez", "Cédula de ciudadanía 52123456", "Bogotá D.C., 2 de marzo de 2026",
                  "carta de exoneración de responsabilidad"):
        assert typed in text
    regular = letter_pdf._FACES[0].prepared()
    assert glyph_count(regular.letter) < glyph_count(regular.full) / 5, "the letter face is small"


def test_a_letter_with_a_character_outside_the_repertoire_is_cut_from_the_full_face_and_prints_it():
    greek = dataclasses.replace(SPANISH, representative_name="Ἀθηνᾶ Παπαδοπούλου")
    assert not letter_pdf._in_repertoire(ord("Ἀ"))
    # The bold face draws only the letter's own text.
    assert cut_from(letter_pdf._letter_pdf(greek)) == {"R": "full", "B": "letter"}

    pdf = render_letter(greek)

    assert render_letter(greek) == pdf, "the same letter gives the same bytes"
    text = printed_text(pdf)
    assert "Ἀθηνᾶ Παπαδοπούλου" in text and "Bogotá D.C., 2 de marzo de 2026" in text


def test_every_character_of_the_letters_own_text_is_in_the_repertoire():
    plain = dataclasses.replace(SPANISH, company_name="A", company_nit="1", representative_name="B",
                                document_label="C", position="D", email="e@f.co", provider_name="G",
                                provider_nit="2")
    for purpose in letter_pdf.PURPOSE_TEXT:
        for month in range(1, 13):
            pdf = letter_pdf._letter_pdf(dataclasses.replace(plain, purpose=purpose, date=dt.date(2026, month, 30 - month)))
            drawn = {code for face in letter_pdf._FACES for glyph, _ in pdf.fonts[face.fontkey].subset.items()
                     if glyph is not None for code in glyph.unicode}
            assert [chr(code) for code in sorted(drawn) if not letter_pdf._in_repertoire(code)] == [chr(0)]  # .notdef
            assert cut_from(pdf) == {"R": "letter", "B": "letter"}


def test_the_field_check_and_the_letter_know_the_same_characters():
    regular = letter_pdf._FACES[0].prepared().parsed

    assert regular.fontkey == fonts.FAMILY.lower()
    assert fonts.DRAWABLE == frozenset(regular.cmap)
