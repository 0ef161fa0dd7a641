"""The standard charts: levels, which accounts take postings, and adding accounts."""
from __future__ import annotations

import re

import pytest

from habilita.accounting.charts import ChartError, new_account, posting_problem, standard_chart
from habilita.messages import Message, Problem


def chart(country):
    return {a.code: a for a in standard_chart(country)}


def test_the_puc_nests_classes_groups_accounts_and_subaccounts():
    puc = chart("CO")
    assert [puc[c].level for c in ("1", "13", "1305", "130500")] == ["class", "group", "account", "subaccount"]
    assert puc["1305"].name == "Clientes" and puc["1305"].parent_code == "13"
    assert puc["240805"].name == "IVA generado" and puc["240810"].name == "IVA descontable"
    assert {puc[c].name for c in "123456789"} >= {"Activo", "Pasivo", "Patrimonio", "Ingresos", "Gastos"}


def test_only_subaccounts_and_auxiliaries_take_postings_in_colombia():
    puc = chart("CO")
    assert puc["413500"].postable and not puc["4135"].postable and not puc["41"].postable
    assert posting_problem("4135", puc) == Message("account_not_postable", {
        "code": "4135", "name": puc["4135"].name, "level": "account"})
    assert posting_problem("41359999", puc) == Message("account_not_in_chart", {"code": "41359999"})
    assert posting_problem("413500", puc) is None


def test_the_chilean_plan_posts_to_six_digit_accounts():
    plan = chart("CL")
    assert plan["110310"].name == "Clientes" and plan["110310"].postable
    assert plan["210710"].name == "IVA Débito Fiscal" and plan["1103"].level == "subgroup"
    assert not plan["1103"].postable


def test_an_auxiliary_can_be_added_under_an_existing_subaccount():
    account = new_account("CO", "41350001", "  Ventas de  pan ", chart("CO"))
    assert (account.level, account.parent_code, account.postable) == ("auxiliary", "413500", True)
    assert account.name == "Ventas de pan"


LENGTHS = [{"code": "digits_level", "params": {"digits": n, "level": level}}
           for n, level in ((1, "class"), (2, "group"), (4, "account"), (6, "subaccount"), (8, "auxiliary"))]


@pytest.mark.parametrize("code, name, problem, message", [
    ("41", "Ventas", Problem("code", "account_not_creatable",
                             {"code": "41", "level": "group", "levels": ["subaccount", "auxiliary"]}),
     "only these levels can be added to the chart: subaccount, auxiliary"),
    ("413500", "Otra", Problem("code", "account_exists", {"code": "413500", "name": "Comercio al por mayor y al por menor"}),
     "already exists"),
    ("41990001", "Sin padre", Problem("code", "account_parent_missing", {"code": "41990001", "parent": "419900"}),
     "needs its parent 419900"),
    ("4135A", "Letras", Problem("code", "account_code_digits", {"value": "4135A"}), "digits only"),
    ("4135001", "Siete dígitos", Problem("code", "account_code_length",
                                         {"code": "4135001", "length": 7, "lengths": LENGTHS}),
     "has 7 digits; codes have 1 (class), 2 (group), 4 (account), 6 (subaccount), 8 (auxiliary)"),
    ("41350001", "  ", Problem("name", "account_name_required"), "needs a name"),
])
def test_a_new_account_that_breaks_the_chart_is_refused(code, name, problem, message):
    with pytest.raises(ChartError, match=re.escape(message)) as refused:
        new_account("CO", code, name, chart("CO"))
    assert refused.value.problem == problem
    assert refused.value.field == problem.field
