"""Standard charts of accounts, per country, from this package's CSV files.

Colombia's PUC (Decreto 2650 de 1993) nests class (1 digit), group (2),
account (4), subaccount (6) and company-defined auxiliaries (8); postings go
to subaccounts and auxiliaries. Chile has no official plan: the common
6-digit plan nests class (1), group (2), subgroup (4) and account (6), and
postings go to accounts. Codes and names are taken from public charts
(Odoo's ``l10n_co`` and ``l10n_cl`` templates); the hierarchy is ours.
"""
from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources

from habilita.messages import Message

from .errors import ChartError

CHART_FILES = {"CO": "co_puc.csv", "CL": "cl_plan.csv"}
# Code length -> level name, per country.
LEVELS = {
    "CO": {1: "class", 2: "group", 4: "account", 6: "subaccount", 8: "auxiliary"},
    "CL": {1: "class", 2: "group", 4: "subgroup", 6: "account"},
}
POSTING_LEVELS = {"CO": frozenset({"subaccount", "auxiliary"}), "CL": frozenset({"account"})}
# Levels a person may add to a company's chart; the standard levels above
# them are regulated (CO) or shared by convention (CL).
CREATABLE_LEVELS = {"CO": frozenset({"subaccount", "auxiliary"}), "CL": frozenset({"account"})}
# Where VAT goes when a default does not say otherwise: generated VAT on
# sales, deductible VAT on purchases.
STANDARD_VAT = {
    "CO": {"sales": "240805", "purchases": "240810"},
    "CL": {"sales": "210710", "purchases": "110710"},
}
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class ChartAccount:
    code: str
    name: str
    level: str
    parent_code: str
    postable: bool


def _country(country: str) -> str:
    if country not in CHART_FILES:
        raise ChartError("chart_unknown_country", country=country, known=list(CHART_FILES))
    return country


def level_of(country: str, code: str) -> str:
    """The level name of ``code`` in ``country``'s chart, or raise ``ChartError``."""
    levels = LEVELS[_country(country)]
    if not re.fullmatch(r"[0-9]+", code or ""):
        raise ChartError("account_code_digits", value=code)
    if len(code) not in levels:
        lengths = [{"code": "digits_level", "params": {"digits": n, "level": name}} for n, name in levels.items()]
        raise ChartError("account_code_length", code=code, length=len(code), lengths=lengths)
    return levels[len(code)]


def parent_of(country: str, code: str) -> str:
    """The code one level up ("" for a class)."""
    lengths = sorted(LEVELS[_country(country)])
    index = lengths.index(len(code))
    return code[:lengths[index - 1]] if index else ""


def make_account(country: str, code: str, name: str) -> ChartAccount:
    level = level_of(country, code)
    return ChartAccount(code=code, name=name, level=level, parent_code=parent_of(country, code),
                        postable=level in POSTING_LEVELS[country])


@functools.lru_cache(maxsize=None)
def standard_chart(country: str) -> tuple[ChartAccount, ...]:
    """Every account of ``country``'s standard chart, ordered by code."""
    text = resources.files(__package__).joinpath("charts", CHART_FILES[_country(country)]).read_text("utf-8")
    accounts = tuple(make_account(country, row["code"], row["name"]) for row in csv.DictReader(io.StringIO(text)))
    codes = {a.code for a in accounts}
    orphans = [a.code for a in accounts if a.parent_code and a.parent_code not in codes]
    if orphans:
        raise ChartError("chart_orphans", chart=CHART_FILES[country], codes=orphans)
    return tuple(sorted(accounts, key=lambda a: a.code))


def new_account(country: str, code: str, name: str, existing: dict[str, ChartAccount]) -> ChartAccount:
    """Check that ``code``/``name`` may be added to a chart holding ``existing``
    (code -> account) and return the account to create."""
    code = (code or "").strip()
    name = " ".join((name or "").split())
    if not name:
        raise ChartError("account_name_required", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ChartError("account_name_too_long", field="name", maximum=MAX_NAME_LENGTH)
    account = make_account(country, code, name)
    if account.level not in CREATABLE_LEVELS[country]:
        allowed = [level for level in LEVELS[country].values() if level in CREATABLE_LEVELS[country]]
        raise ChartError("account_not_creatable", code=code, level=account.level, levels=allowed)
    if code in existing:
        raise ChartError("account_exists", code=code, name=existing[code].name)
    if account.parent_code not in existing:
        raise ChartError("account_parent_missing", code=code, parent=account.parent_code)
    return account


def posting_problem(code: str, chart: dict[str, ChartAccount]) -> Message | None:
    """Why ``code`` cannot take postings in ``chart``, as a catalog code (None when it can)."""
    account = chart.get(code)
    if account is None:
        return Message("account_not_in_chart", {"code": code})
    if not account.postable:
        return Message("account_not_postable", {"code": code, "name": account.name, "level": account.level})
    return None
