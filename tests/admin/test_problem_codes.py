"""Refusals are codes: each one registered, worded in Spanish and English, and the only thing an emitter says."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import habilita
from habilita.dian.checkdigit import validate_nit, validate_rut
from habilita.dian.errors import TAX_ID_REASONS, InvalidTaxId
from habilita.messages import Problem
from habilita.messages.catalog import CODES, in_english, render
from habilita.messages.locale import gettext_for
from habilita.messages.problem_codes import PROBLEMS, tax_id_problem

PACKAGE = Path(habilita.__file__).parent
CATALOG = PACKAGE / "translations" / "es" / "LC_MESSAGES" / "messages.po"
PARAMETER = re.compile(r"%\((\w+)\)s")


def sample_params(template: str) -> dict:
    return {name: f"<{name}>" for name in PARAMETER.findall(template)}


def test_every_problem_code_has_its_spanish_words_with_the_same_parameters():
    with open(CATALOG, "rb") as po:
        spanish = {m.id: m.string for m in read_po(po) if m.id}
    for code, template in PROBLEMS.items():
        assert spanish.get(template), f"{code}: add {template!r} to messages.po"
        assert set(PARAMETER.findall(spanish[template])) == set(PARAMETER.findall(template)), code


@pytest.mark.parametrize("code", sorted(PROBLEMS))
def test_every_problem_renders_in_spanish_and_in_english(code):
    template = PROBLEMS[code]
    problem = Problem("field", code, sample_params(template))

    english, spanish = render(problem, gettext_for("en")), render(problem, gettext_for("es"))

    assert CODES[code] == template
    assert english == in_english(problem) == template % problem.params
    assert "%(" not in spanish and all(value in spanish for value in problem.params.values()), spanish
    if re.search(r"[A-Za-z]{3}", PARAMETER.sub("", template)):  # words, not just "id" or punctuation
        assert spanish != english, f"{code} has no Spanish words"


def test_a_tax_id_refusal_names_its_field_and_a_registered_code():
    refused = []
    for check in (lambda: validate_nit(""), lambda: validate_nit("90012A456"), lambda: validate_nit("12"),
                  lambda: validate_nit("900123456-8", 7), lambda: validate_nit("900123456", "x"),
                  lambda: validate_nit("900123456", 3), lambda: validate_rut("76O86428-5"),
                  lambda: validate_rut("76086428-X"), lambda: validate_rut("76086428-K")):
        with pytest.raises(InvalidTaxId) as error:
            check()
        refused.append(tax_id_problem(error.value, number_field="number", check_digit_field="digit"))

    assert {f"tax_id_{reason}" for reason in TAX_ID_REASONS} <= set(PROBLEMS)
    assert all(p.code in PROBLEMS for p in refused), refused
    assert [p.field for p in refused] == ["number"] * 3 + ["digit"] * 3 + ["number"] + ["digit"] * 2
    assert refused[5] == Problem("digit", "tax_id_check_digit",
                                 {"kind": "NIT", "number": "900123456", "expected": "8", "given": "3"})
    assert render(refused[5], gettext_for("es")) == "el dígito de verificación del NIT 900123456 es 8, no 3"


# Where a code is written as a literal: (callable's name, position of the code among its arguments).
CODE_ARGUMENT = {"Problem": 1, "FieldError": 1, "TaxIdLocked": 1, "ChartError": 0, "Message": 0, "why": 0}


def literal_codes(tree: ast.AST):
    """Every code literal in ``tree``: Problem/FieldError/ChartError/UploadRefused/Message calls,
    ``problems.add(field, code)`` and nested ``{"code": ...}`` messages."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "code" and isinstance(value, ast.Constant) \
                        and value.value:  # "" stands for no message
                    yield node.lineno, value.value
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        position = CODE_ARGUMENT.get(name)
        if name == "UploadRefused":
            position = 0 if len(node.args) == 1 else 1
        if name == "add" and isinstance(node.func.value, ast.Name) and node.func.value.id in ("problems", "self"):
            position = 1  # Problems.add(field, code, **params), from a validator or from Problems itself
        if position is not None and len(node.args) > position:
            argument = node.args[position]
            # A code chosen between two: "already_done" if ... else "wrong_step".
            for choice in (argument.body, argument.orelse) if isinstance(argument, ast.IfExp) else (argument,):
                if isinstance(choice, ast.Constant) and isinstance(choice.value, str) and choice.value:
                    yield node.lineno, choice.value


def test_every_code_an_emitter_writes_is_registered():
    unknown, seen = [], set()
    for source in sorted(PACKAGE.rglob("*.py")):
        if "simulators" in source.relative_to(PACKAGE).parts:
            continue  # the simulators speak the outside systems' own codes (the ERP's, DIAN's), not ours
        for line, code in literal_codes(ast.parse(source.read_text("utf-8"))):
            seen.add(code)
            if code not in CODES:
                unknown.append(f"{source.relative_to(PACKAGE)}:{line}: {code}")
    assert not unknown, "register these in habilita/messages: " + ", ".join(unknown)
    # The scan does find the emitters (a refactor that hides them from it would make this test vacuous).
    assert {"required", "guid", "one_of", "wrong_step", "letter_too_large", "account_exists", "tax_id_taken",
            "password_wrong", "phone_digits", "resolution_choice", "audit.role_read_only"} <= seen
