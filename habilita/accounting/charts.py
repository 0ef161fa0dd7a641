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
from dataclasses import dataclass
from importlib import resources

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
        raise ChartError(f"no standard chart of accounts for country {country!r}; known: {', '.join(CHART_FILES)}")
    return country


def level_of(country: str, code: str) -> str:
    """The level name of ``code`` in ``country``'s chart, or raise ``ChartError``."""
    levels = LEVELS[_country(country)]
    if not code or not code.isascii() or not code.isdigit():
        raise ChartError(f"an account code is digits only, not {code!r}")
    if len(code) not in levels:
        lengths = ", ".join(f"{n} ({name})" for n, name in levels.items())
        raise ChartError(f"account code {code} has {len(code)} digits; codes have {lengths}")
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
        raise ChartError(f"chart {CHART_FILES[country]} has accounts without a parent: {', '.join(orphans)}")
    return tuple(sorted(accounts, key=lambda a: a.code))


def new_account(country: str, code: str, name: str, existing: dict[str, ChartAccount]) -> ChartAccount:
    """Check that ``code``/``name`` may be added to a chart holding ``existing``
    (code -> account) and return the account to create."""
    code = (code or "").strip()
    name = " ".join((name or "").split())
    if not name:
        raise ChartError("the new account needs a name", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ChartError(f"an account name has at most {MAX_NAME_LENGTH} characters", field="name")
    account = make_account(country, code, name)
    if account.level not in CREATABLE_LEVELS[country]:
        allowed = " or ".join(name for name in LEVELS[country].values() if name in CREATABLE_LEVELS[country])
        raise ChartError(f"{code} would be a {account.level}; only a {allowed} can be added to the chart")
    if code in existing:
        raise ChartError(f"account {code} already exists in the chart: {existing[code].name}")
    if account.parent_code not in existing:
        raise ChartError(f"account {code} needs its parent {account.parent_code} in the chart first")
    return account


def posting_problem(code: str, chart: dict[str, ChartAccount]) -> str | None:
    """Why ``code`` cannot take postings in ``chart`` (None when it can)."""
    account = chart.get(code)
    if account is None:
        return f"account {code} is not in the company's chart of accounts; create it first"
    if not account.postable:
        return (f"account {code} ({account.name}) is a {account.level}, a heading that takes no postings; "
                f"choose an account under it that takes postings")
    return None
