"""The standard charts: levels, which accounts take postings, and adding accounts."""
from __future__ import annotations

import pytest

from habilita.accounting.charts import ChartError, new_account, posting_problem, standard_chart


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
    assert "heading that takes no postings" in posting_problem("4135", puc)
    assert "not in the company's chart" in posting_problem("41359999", puc)
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


@pytest.mark.parametrize("code, name, message", [
    ("41", "Ventas", "only a subaccount or auxiliary can be added"),
    ("413500", "Otra", "already exists"),
    ("41990001", "Sin padre", "needs its parent 419900"),
    ("4135A", "Letras", "digits only"),
    ("4135001", "Siete dígitos", "has 7 digits"),
    ("41350001", "  ", "needs a name"),
])
def test_a_new_account_that_breaks_the_chart_is_refused(code, name, message):
    with pytest.raises(ChartError, match=message):
        new_account("CO", code, name, chart("CO"))
