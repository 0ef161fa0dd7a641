"""Bulk onboarding: companies from a CSV file, each checked, created and its process started.

The file is UTF-8 with the header ``razon_social,nit,email,telefono,ciudad``:
the NIT with its check digit (``900123456-8``), the city as its 5-digit DANE
code. Every row is checked before anything is written (name, NIT and check
digit, e-mail, phone, city, a NIT already on an earlier row); a bad row
creates nothing and is reported field by field. A company already in the
database is left as it is, and its process is started only when Temporal has
none for it: importing the same file again creates and starts nothing.

Used by the console's import page and ``habilita companies import``.
"""
from __future__ import annotations

import asyncio
import csv
import io
import re
from dataclasses import dataclass, field
from typing import Callable

from temporalio.service import RPCError, RPCStatusCode

from habilita.inputs.emails import email_problem
from habilita.inputs.identifiers import phone_digits
from habilita.inputs.text import text_problem
from habilita.messages import Problem
from habilita.models import Company, FieldError
from habilita.models.company import clean_tax_id

from .client import ProcessClient
from .declaration import ProcessDeclaration
from .invitations import EMAIL_LENGTH

HEADER = ("razon_social", "nit", "email", "telefono", "ciudad")
MAX_ROWS = 10_000
NAME_LENGTH = 200  # Company.legal_name's column
NIT = re.compile(r"([0-9]{3,15})-([0-9])")
# A Colombian number: 10 digits (mobile, or a landline with its area code) or 7 (an old landline),
# with +57 or 57 in front if written (separators as habilita.inputs reads them).
PHONE = re.compile(r"(?:57)?([0-9]{7}|[0-9]{10})")
# DANE's municipality code: the department's two digits, then three.
DANE_CITY = re.compile(r"[0-9]{5}")
DANE_DEPARTMENTS = frozenset({
    "05", "08", "11", "13", "15", "17", "18", "19", "20", "23", "25", "27", "41", "44", "47", "50", "52", "54",
    "63", "66", "68", "70", "73", "76", "81", "85", "86", "88", "91", "94", "95", "97", "99"})
START_CONCURRENCY = 20


class ImportRefused(ValueError):
    """The file as a whole cannot be read (not UTF-8, wrong header, too many rows)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(f"{problem.field}: {problem.code} {problem.params}")


@dataclass(frozen=True)
class CompanyRow:
    legal_name: str
    tax_id: str
    check_digit: str
    email: str
    phone: str
    city: str


@dataclass
class RowResult:
    """One row of the file (its number as a spreadsheet shows it: the header is row 1)."""

    row: int
    legal_name: str = ""
    nit: str = ""
    outcome: str = "refused"  # "created", "existing" or "refused"
    problems: list[Problem] = field(default_factory=list)
    started: str = ""  # the workflow id started for it, if any


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.rows)

    @property
    def started(self) -> int:
        return sum(bool(r.started) for r in self.rows)


def read_rows(content: bytes) -> list[dict[str, str]]:
    """The file's rows as dicts, or ``ImportRefused`` for the file as a whole."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(Problem("file", "import_not_utf8")) from None
    reader = csv.reader(io.StringIO(text))
    header = tuple(h.strip().lower() for h in next(reader, []))
    if header != HEADER:
        raise ImportRefused(Problem("file", "import_header", {"expected": ",".join(HEADER)}))
    rows = [dict(zip(HEADER, (cell.strip() for cell in row))) | {"_cells": len(row)} for row in reader if any(row)]
    if len(rows) > MAX_ROWS:
        raise ImportRefused(Problem("file", "import_too_many_rows", {"rows": len(rows), "maximum": MAX_ROWS}))
    return rows


def check_row(values: dict, seen: dict[str, int]) -> tuple[CompanyRow | None, list[Problem]]:
    """The row as a company, or every problem of its fields; ``seen`` maps NITs to their first row."""
    problems: list[Problem] = []
    if values["_cells"] != len(HEADER):
        return None, [Problem("", "import_cells", {"cells": values["_cells"], "expected": len(HEADER)})]
    name = values["razon_social"]
    if not name:
        problems.append(Problem("razon_social", "required"))
    elif (problem := text_problem("razon_social", name, maximum=NAME_LENGTH)) is not None:
        problems.append(problem)
    tax_id = check_digit = ""
    nit = NIT.fullmatch(values["nit"])
    if not values["nit"]:
        problems.append(Problem("nit", "required"))
    elif nit is None:
        problems.append(Problem("nit", "import_nit_format", {"example": "900123456-8"}))
    else:
        try:
            tax_id, check_digit = clean_tax_id("CO", nit.group(1), nit.group(2))
        except FieldError as error:
            problems.append(Problem("nit", error.problem.code, error.problem.params))
    email = values["email"]
    if not email:
        problems.append(Problem("email", "required"))
    elif (problem := email_problem("email", email, maximum=EMAIL_LENGTH)) is not None:
        problems.append(problem)
    phone = PHONE.fullmatch(phone_digits(values["telefono"]) or "")
    if not values["telefono"]:
        problems.append(Problem("telefono", "required"))
    elif phone is None:
        problems.append(Problem("telefono", "import_phone"))
    city = values["ciudad"]
    if not city:
        problems.append(Problem("ciudad", "required"))
    elif not DANE_CITY.fullmatch(city) or city[:2] not in DANE_DEPARTMENTS:
        problems.append(Problem("ciudad", "import_dane_city", {"value": city[:20]}))
    if tax_id:
        if tax_id in seen:
            problems.append(Problem("nit", "import_nit_repeated", {"row": seen[tax_id]}))
    if problems:
        return None, problems
    return CompanyRow(name, tax_id, check_digit, email.lower(), phone.group(1), city), []


def check_file(content: bytes) -> tuple[list[RowResult], list[CompanyRow | None]]:
    """Every row checked: its result so far (refused, or pending) and the company it stands for."""
    results, companies, seen = [], [], {}
    for number, values in enumerate(read_rows(content), start=2):
        company, problems = check_row(values, seen)
        result = RowResult(row=number, legal_name=values.get("razon_social", "")[:NAME_LENGTH],
                           nit=values.get("nit", "")[:20], problems=problems)
        if company is not None:
            seen.setdefault(company.tax_id, number)
            result.outcome = "pending"
        results.append(result)
        companies.append(company)
    return results, companies


def create_companies(results: list[RowResult], companies: list[CompanyRow | None]) -> list[Company | None]:
    """Create each good row's company; one already in the database stays as it is ("existing")."""
    stored = []
    for result, row in zip(results, companies):
        if row is None:
            stored.append(None)
            continue
        company = Company.get_or_none((Company.country == "CO") & (Company.tax_id == row.tax_id))
        if company is not None:
            result.outcome = "existing"
        else:
            try:
                company = Company.create(country="CO", tax_id=row.tax_id, check_digit=row.check_digit,
                                         legal_name=row.legal_name, email=row.email, phone=row.phone, city=row.city)
            except FieldError as error:
                result.outcome, result.problems = "refused", [error.problem]
                stored.append(None)
                continue
            result.outcome = "created"
        stored.append(company)
    return stored


async def start_processes(processes: ProcessClient, declaration: ProcessDeclaration, results: list[RowResult],
                          companies: list[Company | None], *, actor: str, settings,
                          progress: Callable[[int], None] = lambda n: None) -> None:
    """Start ``declaration`` for each company that has no such workflow in Temporal yet (any state)."""
    gate = asyncio.Semaphore(START_CONCURRENCY)
    done = 0

    async def one(result: RowResult, company: Company) -> None:
        nonlocal done
        async with gate:
            workflow_id = declaration.workflow_id(company)
            try:
                await processes.handle(workflow_id).describe()
            except RPCError as error:
                if error.status != RPCStatusCode.NOT_FOUND:
                    raise
                await processes.start(declaration, company, actor=actor, settings=settings)
                result.started = workflow_id
        done += 1
        progress(done)

    await asyncio.gather(*(one(r, c) for r, c in zip(results, companies) if c is not None))


async def import_companies(content: bytes, *, processes: ProcessClient | None, declaration: ProcessDeclaration | None,
                           actor: str, settings, progress: Callable[[str, int, int], None] = lambda *a: None
                           ) -> ImportReport:
    """Check the whole file, create the good rows' companies, start their process; the report by row.

    ``progress(phase, done, total)`` is called as rows are checked and processes started.
    """
    results, rows = check_file(content)
    progress("checked", len(results), len(results))
    companies = create_companies(results, rows)
    progress("created", len(results), len(results))
    if declaration is not None and processes is not None:
        total = sum(c is not None for c in companies)
        await start_processes(processes, declaration, results, companies, actor=actor, settings=settings,
                              progress=lambda n: progress("started", n, total))
    return ImportReport(results)
