"""The command line starts without the libraries only the worker or the console use.

Every command imports the process declarations, and through them every
workflow and its activities' modules. The PDF libraries (drawing the letter,
reading a signed one), werkzeug (password hashes) and zxcvbn (password
strength) are imported where they are used instead: together they took ~0.4 s
of each command's start.
"""
from __future__ import annotations

import datetime as dt
import subprocess  # nosec B404 # the test runs the interpreter with a fixed argument list
import sys

import pytest

from habilita.activities.letter_pdf import LetterContent, render_letter
from habilita.activities.uploads import check_letter_pdf
from habilita.models import User
from habilita.models.errors import FieldError

HEAVY = ("fpdf", "fontTools.subset", "pypdf", "werkzeug", "zxcvbn")


def test_the_cli_and_the_declarations_import_no_pdf_password_or_web_library():
    probe = ("import sys, habilita.cli, habilita.processes; "
             f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == []


def test_the_letter_and_the_password_rules_still_work_where_they_are_used(db):
    pdf = render_letter(LetterContent(
        company_name="Panadería La Espiga SAS", company_nit="900123456-8", representative_name="Ana María Gómez",
        document_label="CC 52123456", position="Gerente", email="ana@example.co", provider_name="Habilita SAS",
        provider_nit="901000000-1", purpose="einvoicing", date=dt.date(2026, 12, 2)))
    assert check_letter_pdf(pdf) == 1
    user = User(email="lina@habilita.test", name="Lina Pérez", roles="support")
    with pytest.raises(FieldError):
        user.set_password("password123")
    user.set_password("una frase larga que nadie adivina 7")
    assert user.check_password("una frase larga que nadie adivina 7") and not user.check_password("otra")
