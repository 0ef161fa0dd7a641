"""The exoneration letter drawn as a PDF: its text, its typeface, and fpdf2 made to draw it fast.

The worker draws letters in a helper process running this module (``python -m
habilita.activities.letter_pdf``, :class:`habilita.activities.letters.LetterDrawer`): drawing one and
cutting its fonts is ~35 ms of CPU that holds the GIL, which the worker's other work would wait on.
Nothing else imports it but the tests: fpdf2 and fontTools' subsetter take ~0.2 s to import.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import threading
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from habilita import fonts
from habilita.adapters.helper_process import serve

from .letter_content import LetterContent

_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre")
PURPOSE_TEXT = {
    "einvoicing": "la expedición de facturas electrónicas de venta y sus notas con validación previa",
    "support_document": "la expedición de documentos soporte electrónicos y sus notas de ajuste",
}


# The characters of the letter face (see _Face): every character the letter's own text uses, and every
# character the fields printed on it accept in a name Colombian companies and their representatives write.
LETTER_REPERTOIRE = (
    (0x0020, 0x007E),  # Basic Latin: the fixed text, e-mail addresses (ASCII only), NITs, document numbers
    (0x00A0, 0x024F),  # Latin-1 Supplement and Latin Extended-A, -B: Spanish (á é í ó ú ü ñ), Portuguese,
                       # French, German, and the Polish, Czech, Turkish, Romanian... names of foreign partners
    (0x02B0, 0x036F),  # Spacing Modifier Letters (ʼ ʻ) and Combining Diacritical Marks (a name typed
                       # decomposed, e + U+0301): letters and marks, which habilita.inputs.words accepts
    (0x2000, 0x206F),  # General Punctuation: dashes, typographic quotes and spaces in a configured or pasted name
)


def _in_repertoire(code: int) -> bool:
    return any(first <= code <= last for first, last in LETTER_REPERTOIRE)


@dataclass(frozen=True)
class _Prepared:
    """What every letter shares of a face: fpdf2's parse, and the two font files a subset is cut from."""

    parsed: TTFFont  # of the full face; its cmap, glyph ids, names and widths are the ones every letter uses
    full: bytes  # the face's file without the tables the embedded subset never keeps
    letter: bytes  # ``full`` cut to the glyphs of LETTER_REPERTOIRE, their names and glyph order kept
    letter_glyphs: frozenset[str]


class _Face:
    """One face of the letter's typeface, read and parsed by fpdf2 once per process.

    ``FPDF.add_font`` parses the TrueType file again for every document (metrics, cmap, glyph ids, and
    the outlines to check for a .notdef glyph: ~50 ms a face, more than half of a letter's CPU), yet only
    two parts of a parsed face change while a document is drawn and written: the glyphs it used (its
    subset map and missing glyphs) and the fontTools font, which fpdf2 subsets *in place* when it writes
    the PDF. Each letter gets a copy of the parse with those two made new and the rest shared (cmap,
    glyph ids, names, metrics, and the widths, where looking up a character the font lacks stores the
    same default width for every document).

    The fontTools font is opened on bytes kept in memory once the letter is drawn, and writing the PDF
    subsets it. On the full DejaVu face (~6,250 glyphs) that cost ~120 ms of a letter's ~140 ms CPU,
    mostly decompiling tables whose size is the glyph count (cmap, post's glyph names, loca, hmtx), for
    two faces and every letter. So each face is also kept cut to the ~840 glyphs of LETTER_REPERTOIRE
    (the *letter face*, made once per process with the same fontTools subsetter, ~0.2 s a face), and a
    face whose drawn glyphs are all in it is subset from it instead: ~40 ms of subsetting, ~60 ms CPU a
    letter instead of ~140. The subset fpdf2 embeds is the same either way, byte for byte (glyph names
    and order are kept, and every code point of the full cmap mapped to a kept glyph stays mapped), so
    the letter face only changes what a letter costs. A letter with a character outside the repertoire
    (a Greek or Cyrillic name, which the form accepts) is subset from the full face exactly as before;
    the bold face, which draws only the letter's own text, always comes from its letter face.

    Both files lack the OpenType layout tables (GDEF, GSUB, GPOS), MATH, FontForge's FFTM and the legacy
    ``kern`` table, which the subsetter would read for every letter only to drop them: fpdf2 drops all
    but ``kern`` from the font it embeds, and fontTools drops ``kern`` from a font that has GPOS. The PDF
    is byte for byte the one ``add_font`` gives (tests/activities/test_letter_faces.py compares them,
    letters drawn at once and letters drawn from either file included).
    """

    NEVER_EMBEDDED = ("GDEF", "GSUB", "GPOS", "MATH", "FFTM", "kern")

    def __init__(self, style: str, path: Path) -> None:
        self.style, self.path = style, path
        self.fontkey = f"{fonts.FAMILY.lower()}{style}"
        self._lock = threading.Lock()
        self._prepared: _Prepared | None = None

    def prepared(self) -> _Prepared:
        with self._lock:
            if self._prepared is None:
                parsed = self._parse()
                full = self._embeddable()
                letter = _cut(full, {name for code, name in parsed.cmap.items() if _in_repertoire(code)})
                with TTFont(io.BytesIO(letter), lazy=True) as font:
                    letter_glyphs = frozenset(font.getGlyphOrder())
                self._prepared = _Prepared(parsed, full, letter, letter_glyphs)
            return self._prepared

    def _parse(self) -> TTFFont:
        scratch = FPDF()
        scratch.add_font(fonts.FAMILY, self.style, str(self.path))
        parsed = scratch.fonts[self.fontkey]
        if parsed.color_font is not None or parsed.is_cff:
            raise ValueError(f"{self.path.name}: a letter face must be a TrueType font without color glyphs")
        parsed.ttfont.close()  # each document opens its own; the parse keeps what they share
        parsed.ttfont = None
        return parsed

    def _embeddable(self) -> bytes:
        """The file's bytes without the tables the embedded subset never keeps (the others copied as read)."""
        with TTFont(self.path, recalcTimestamp=False, lazy=True) as font:
            for tag in self.NEVER_EMBEDDED:
                if tag in font:
                    del font[tag]
            out = io.BytesIO()
            font.save(out)
        return out.getvalue()

    def add_to(self, pdf: FPDF) -> None:
        """Make the face available to ``pdf`` as ``pdf.add_font(fonts.FAMILY, style, path)`` would; call
        :meth:`open_font_file` once the letter is drawn and before it is written."""
        parsed = self.prepared().parsed
        font = TTFFont.__new__(TTFFont)
        for name in TTFFont.__slots__:
            if hasattr(parsed, name):
                setattr(font, name, getattr(parsed, name))
        font.i = len(pdf.fonts) + 1
        font.ttfont = None  # drawing never reads it (no text shaping, no color glyphs)
        font.desc = copy.copy(parsed.desc)  # writing the PDF names it and points it at the embedded subset
        font.missing_glyphs, font.biggest_size_pt, font._hbfont = [], 0, None
        font.subset = SubsetMap(font)
        pdf.fonts[self.fontkey] = font

    def open_font_file(self, pdf: FPDF) -> None:
        """Give the face in ``pdf`` the file fpdf2 cuts its subset from: the letter face when it has every
        glyph the letter drew in this face, else the full face."""
        prepared, font = self.prepared(), pdf.fonts[self.fontkey]
        drawn = set(font.subset.get_all_glyph_names())
        data = prepared.letter if drawn <= prepared.letter_glyphs else prepared.full
        font.ttfont = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)


def _cut(data: bytes, glyphs: set[str]) -> bytes:
    """The font file ``data`` with only ``glyphs`` (and the components they are built of).

    Cut with the options fpdf2 subsets with, so that cutting a letter's subset from it again gives what
    cutting it from ``data`` gives: the first four glyphs and the outline of .notdef kept, and, so that
    fpdf2's glyph names still find their glyphs, the glyph names.
    """
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(glyphs))
    with TTFont(io.BytesIO(data), recalcTimestamp=False) as font:
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


_FACES = (_Face("", fonts.REGULAR), _Face("B", fonts.BOLD))


def render_letter(content: LetterContent) -> bytes:
    """The letter as PDF bytes (the same content always gives the same bytes).

    Drawn in the bundled Unicode font (:mod:`habilita.fonts`), so any name the representative's form
    accepts prints as typed: the form refuses what the font cannot draw.
    """
    return bytes(_letter_pdf(content).output())


def _letter_pdf(content: LetterContent) -> FPDF:
    """The letter drawn, its faces' font files open: ready to be written."""
    pdf = FPDF(format="Letter")
    pdf.set_creation_date(dt.datetime.combine(content.date, dt.time(), tzinfo=dt.UTC))
    pdf.set_title("Carta de exoneración: préstamo de certificado digital")
    pdf.set_margins(25, 25, 25)
    for face in _FACES:
        face.add_to(pdf)
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
    for face in _FACES:
        face.open_font_file(pdf)
    return pdf


def _draw(request: bytes) -> bytes:
    """The helper's handler: a letter's content (``LetterContent.to_json``) in, its PDF out."""
    return render_letter(LetterContent.from_json(request))


if __name__ == "__main__":
    serve(_draw)  # python -m habilita.activities.letter_pdf: the worker's letter drawing helper
