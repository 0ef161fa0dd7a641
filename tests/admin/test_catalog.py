"""The console's words: one Spanish catalog, complete and compiled; forms built from updates."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from wtforms import FileField, PasswordField, SelectField

import habilita
from habilita.processes import DECLARATIONS, STARTABLE
from habilita.console.processes.step_forms import form_class

PACKAGE = Path(habilita.__file__).parent
CATALOG = PACKAGE / "translations" / "es" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None}
# Where the catalog's messages are written: the console, the message codes and the process declarations.
SOURCES = ("console", "messages", "processes")
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def extracted_messages() -> set[str]:
    found = set()
    for source in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(PACKAGE / source), METHODS, keywords=KEYWORDS, comment_tags=()):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_of_the_console_has_its_spanish_translation():
    with open(CATALOG / "messages.po", "rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = extracted_messages() - translated
    assert not missing, f"add these to messages.po and compile it: {sorted(missing)[:10]}"


def test_the_shipped_mo_matches_the_po():
    with open(CATALOG / "messages.po", "rb") as po, open(CATALOG / "messages.mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}, \
        "run: pybabel compile -d habilita/translations"


def test_every_human_step_of_every_process_has_a_form(app):
    with app.test_request_context():
        for declaration in DECLARATIONS.values():
            for step in declaration.steps:
                for action in step.actions:
                    form = form_class(action)(formdata=None)
                    names = {f.name for f in form}
                    assert "actor" not in names, "the actor is the signed-in person, never an input"
                    assert "csrf_token" in names


def test_the_registration_form_offers_the_operation_modes_and_hides_the_pin(app):
    (registration,) = STARTABLE["einvoicing"].actions_for("dian_registration")
    with app.test_request_context():
        form = form_class(registration)(formdata=None)
    assert isinstance(form.operation_mode, SelectField)
    assert [c[0] for c in form.operation_mode.choices] == ["", "own_software", "provider"]
    assert isinstance(form.pin, PasswordField)
    assert {f.name for f in dataclasses.fields(registration.input_type)} - {"actor"} <= {f.name for f in form}


def test_the_signed_letter_upload_is_one_file_input(app):
    child = DECLARATIONS["certificate"]
    upload = next(a for a in child.actions_for("signed_letter") if a.name == "upload_signed_letter")
    with app.test_request_context():
        form = form_class(upload)(formdata=None)
    assert isinstance(form.upload, FileField)
    assert not hasattr(form, "stored_file_id") and not hasattr(form, "sha256")


def test_the_voucher_type_form_offers_the_synced_resolutions_to_pick(app):
    from habilita.activities.numbering import ResolutionFacts
    from habilita.console.processes.step_forms import resolution_choices
    from habilita.workflows.einvoicing import EnablementStatus

    status = EnablementStatus(step="voucher_type", status="waiting", waiting_on="staff", registration=None,
                              resolutions=(ResolutionFacts(7, "18760000001", "SETP", 990000000, 995000000,
                                                           "2019-01-19", "2030-01-19"),))
    (voucher,) = STARTABLE["einvoicing"].actions_for("voucher_type")
    with app.test_request_context():
        form = form_class(voucher, resolution_choices([status]))(formdata=None)
    assert isinstance(form.resolution_id, SelectField)
    assert form.resolution_id.choices[0][0] == 7 and "SETP" in form.resolution_id.choices[0][1]


def test_english_follows_by_setting_the_locale_without_touching_views(settings, db):
    from habilita.console import create_app

    english = create_app(dataclasses.replace(settings, admin_locale="en"), test_config={"TESTING": True})
    page = english.test_client().get("/auth/login").get_data(as_text=True)
    assert "Forgot your password?" in page and "¿Olvidaste" not in page


def test_the_nit_confirmation_says_it_wants_the_check_digit(app):
    (start,) = STARTABLE["einvoicing"].actions_for("test_set")
    with app.test_request_context():
        form = form_class(start)(formdata=None)
        assert "NIT con dígito de verificación" in str(form.confirmed_tax_id.label.text)
