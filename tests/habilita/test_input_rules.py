"""The input rules (habilita/inputs): identifiers are ASCII by pattern, every limit is its column's, the
exoneration letter prints what the representative's form accepts and refuses what its font cannot draw."""
from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import io
from pathlib import Path

from pypdf import PdfReader

import habilita
from habilita import fonts
from habilita.activities.letter_pdf import LetterContent, render_letter
from habilita.activities.representatives import LegalRepresentative, representative_problems
from habilita.inputs import limits
from habilita.inputs.emails import is_email
from habilita.inputs.identifiers import is_guid, is_pin, phone_digits, whole_number
from habilita.inputs.text import text_problem
from habilita.messages import Problem
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.models import AuditEvent, Company, DianSoftware, User, VoucherType

PACKAGE = Path(habilita.__file__).parent
UNICODE_CLASS_CHECKS = {"isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum"}
REPRESENTATIVE = LegalRepresentative(actor="ana@habilita.test", full_name="Ana María Gómez", document_type="CC",
                                     document_number="52123456", email="ana@laespiga.co", phone="3001234567",
                                     position="Gerente general")


def test_no_code_of_habilita_judges_input_with_strs_unicode_class_checks():
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in UNICODE_CLASS_CHECKS:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}()")
    assert not found, "use habilita.inputs.identifiers (ASCII by pattern): " + ", ".join(found)


def test_identifiers_take_ascii_digits_and_letters_only():
    arabic_indic = "١٢٣٤٥"
    assert is_pin("12345") and not is_pin(arabic_indic) and not is_pin("1234") and not is_pin("12345\n")
    assert is_guid("8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b") and not is_guid("8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5" + "٥")
    assert phone_digits("+57 (300) 123-4567") == "573001234567" and phone_digits("٣٠٠١٢٣٤٥٦٧") is None
    assert whole_number("30", maximum=100) == 30
    assert [whole_number(text, maximum=100) for text in ("²", "٣", "101", "-1", "1e2", "")] == [None] * 6


def test_e_mail_addresses_are_read_by_email_validator_without_a_lookup():
    assert all(map(is_email, ("ana@laespiga.co", "admin@habilita.local", "soporte@habilita.test")))
    assert not any(map(is_email, ("ana.laespiga.co", "ana@laespiga", "Ana <ana@laespiga.co>", "ana@[10.0.0.1]",
                                  "añá@laespiga.co", "=1+2@laespiga.co", "ana@laespiga..co")))


def test_each_limit_of_the_workflows_fields_is_the_length_of_its_column():
    column = {model.__name__ + "." + name: getattr(field, "max_length", None) for model in (AuditEvent, Company, DianSoftware,
                                                                         User, VoucherType)
              for name, field in model._meta.fields.items()}
    assert limits.ACTOR == column["AuditEvent.actor"] == column["VoucherType.created_by"]
    assert limits.PERSON_NAME == column["Company.legal_name"] == column["User.name"]
    assert limits.EMAIL == column["Company.email"] == column["User.email"]
    assert limits.PHONE == column["Company.phone"]
    assert limits.POSITION == column["Company.city"]
    assert limits.DOCUMENT_NUMBER == column["Company.tax_id"]
    assert limits.CHECK_DIGIT == column["Company.check_digit"]
    assert limits.TAX_ID_WITH_CHECK_DIGIT == column["Company.tax_id"] + 1 + column["Company.check_digit"]
    assert limits.DIAN_ID == column["DianSoftware.test_set_id"] == column["DianSoftware.software_id"]
    assert limits.PREFIX == column["VoucherType.prefix"]


def test_the_letter_is_drawn_in_the_bundled_unicode_font_with_accents_and_non_latin1_names():
    content = LetterContent(company_name="Łódź Ölçü Ğıda SAS", company_nit="900123456-8",
                            representative_name="Zoë Øster Şahin", document_label="cédula de ciudadanía 52123456",
                            position="Gerente général", email="zoe@laespiga.co", provider_name="Proveedor SAS",
                            provider_nit="901000006", purpose="einvoicing", date=dt.date(2026, 3, 2))
    pdf = render_letter(content)

    assert render_letter(content) == pdf, "the same letter gives the same bytes"
    # As a reader sees it: the lines the text wraps onto, joined by single spaces.
    text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    for typed in ("Łódź Ölçü Ğıda SAS", "Zoë Øster Şahin", "Gerente général"):
        assert typed in text
    assert b"DejaVuSans" in pdf
    assert fonts.REGULAR.exists() and fonts.BOLD.exists()
    assert "Bitstream Vera" in (fonts.HERE / "DejaVu-LICENSE.txt").read_text()


def test_a_name_the_letters_font_cannot_draw_is_refused_at_its_field_in_spanish():
    spanish = gettext_for("es")
    for field, value in (("full_name", "Ana Gómez \U0001F984"), ("full_name", "株式 会社"),
                         ("position", "Gerente \U0001F984")):
        (problem,) = representative_problems(dataclasses.replace(REPRESENTATIVE, **{field: value}))
        assert problem.field == field and problem.code == "not_printable_on_letter"
        assert render(problem, spanish).startswith("no se puede imprimir en la carta: su tipo de letra no tiene")
    assert representative_problems(dataclasses.replace(REPRESENTATIVE, full_name="Zoë Øster Şahin")) == []


def test_every_representative_field_refuses_control_characters_and_values_beyond_its_limit():
    for field in ("full_name", "document_number", "email", "phone", "position", "actor"):
        (problem,) = representative_problems(dataclasses.replace(REPRESENTATIVE, **{field: "Ana\x00Gómez"}))
        assert problem == Problem(field, "control_characters", {"characters": "U+0000"})
    (problem,) = representative_problems(dataclasses.replace(REPRESENTATIVE, position="a" * (limits.POSITION + 1)))
    assert problem == Problem("position", "too_long", {"maximum": limits.POSITION, "length": limits.POSITION + 1})


def test_a_text_area_keeps_its_line_breaks_and_a_single_line_field_refuses_them():
    assert text_problem("reason", "primera línea\r\nsegunda\tcolumna", maximum=100, multiline=True) is None
    assert text_problem("reason", "a\x00b", maximum=100, multiline=True) == Problem(
        "reason", "control_characters", {"characters": "U+0000"})
    assert text_problem("full_name", "Ana\nGómez", maximum=100) == Problem(
        "full_name", "control_characters", {"characters": "U+000A"})
    assert text_problem("full_name", "Ana \u202eGómez", maximum=100).code == "control_characters", "a bidi override"
