"""Bulk onboarding from a CSV file: 1,000 rows, 50 bad ones of every kind, on the dev server.

950 companies are created and their P1 started within a minute; the 50 are
reported by row and field in Spanish, nothing is created from them; a second
import of the same file creates and starts nothing.
"""
from __future__ import annotations

import asyncio
import random
import time
import uuid

import pytest
from click.testing import CliRunner
from stdnum.co import nit as co_nit

from habilita.cli import cli
from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.models import Company
from habilita.processes import EINVOICING
from habilita.processes.client import ProcessClient
from habilita.processes.company_import import ImportRefused, import_companies
from habilita.processes.words import words_in

HEADER = "razon_social,nit,email,telefono,ciudad"
# Each kind of fault, with the field it is refused at and its code.
FAULTS = [
    (lambda r: {**r, "razon_social": ""}, "razon_social", "required"),
    (lambda r: {**r, "razon_social": "X" * 201}, "razon_social", "too_long"),
    (lambda r: {**r, "razon_social": "Tab\tSAS"}, "razon_social", "control_characters"),
    (lambda r: {**r, "nit": r["nit"].replace("-", "")}, "nit", "import_nit_format"),
    (lambda r: {**r, "nit": r["nit"][:-1] + str((int(r["nit"][-1]) + 1) % 10)}, "nit", "tax_id_check_digit"),
    (lambda r: {**r, "nit": "٩٠٠١٢٣٤٥٦-٨"}, "nit", "import_nit_format"),
    (lambda r: {**r, "email": "sin-arroba.co"}, "email", "not_an_email"),
    (lambda r: {**r, "telefono": "12-34"}, "telefono", "import_phone"),
    (lambda r: {**r, "ciudad": "Bogotá"}, "ciudad", "import_dane_city"),
    (lambda r: {**r, "ciudad": "00001"}, "ciudad", "import_dane_city"),
]


def good_row(n: int, base: int = 800_000_000) -> dict:
    """Row ``n`` of a file; ``base`` keeps each test's NITs (and so workflow ids) its own on the shared server."""
    body = str(base + n)
    return {"razon_social": f"Empresa {n:04d} SAS", "nit": f"{body}-{co_nit.calc_check_digit(body)}",
            "email": f"contacto{n}@empresa{n}.co", "telefono": f"+57 300 {n:07d}"[:17], "ciudad": "11001"}


def csv_of(rows: list[dict]) -> bytes:
    lines = [HEADER] + [",".join(f'"{v}"' if "," in v else v for v in r.values()) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def a_thousand_rows() -> tuple[bytes, dict[int, tuple[str, str]]]:
    """950 good rows and 50 bad ones (each fault five times; one kind is a NIT repeated from an earlier row)."""
    rows, expected = [], {}
    base = 600_000_000 + random.randrange(100_000) * 1000
    for n in range(1000):
        row = good_row(n, base)
        if n % 20 == 7:  # 50 rows: every 20th
            fault = n // 20
            if fault % 11 == 10:
                row, field, code = {**row, "nit": good_row(n - 1, base)["nit"]}, "nit", "import_nit_repeated"
            else:
                change, field, code = FAULTS[fault % len(FAULTS)]
                row = change(row)
            expected[n + 2] = (field, code)  # the header is row 1
        rows.append(row)
    return csv_of(rows), expected


async def test_a_thousand_rows_with_fifty_bad_ones_create_950_companies_and_processes_and_a_second_import_nothing(
        db, client, settings):
    content, expected = a_thousand_rows()
    processes = ProcessClient(client, task_queue=f"import-{uuid.uuid4()}")
    started = time.monotonic()

    report = await import_companies(content, processes=processes, declaration=EINVOICING, actor="lina@habilita.test",
                                    settings=settings)

    took = time.monotonic() - started
    try:
        assert took < 60, f"the import took {took:.0f} s"
        assert (report.count("created"), report.count("refused"), report.started) == (950, 50, 950)
        assert Company.select().count() == 950
        refused = {r.row: [(p.field, p.code) for p in r.problems] for r in report.rows if r.outcome == "refused"}
        assert refused == {row: [fault] for row, fault in expected.items()}
        gettext = gettext_for("es")
        said = render(next(r for r in report.rows if r.outcome == "refused").problems[0], gettext, words_in(gettext))
        assert said == "este campo es obligatorio"

        again = await import_companies(content, processes=processes, declaration=EINVOICING, actor="x@y.co",
                                       settings=settings)
        assert (again.count("created"), again.count("existing"), again.started) == (0, 950, 0)
        assert Company.select().count() == 950
    finally:
        await terminate_all(client, [r.started for r in report.rows if r.started])


async def terminate_all(client, workflow_ids: list[str]) -> None:
    gate = asyncio.Semaphore(20)

    async def one(workflow_id):
        async with gate:
            await client.get_workflow_handle(workflow_id).terminate(reason="test over")
    await asyncio.gather(*(one(w) for w in workflow_ids))


@pytest.mark.parametrize("content, code", [
    (b"\xff\xfe not utf-8", "import_not_utf8"),
    (b"nombre,nit\nA,1\n", "import_header"),
])
async def test_a_file_that_cannot_be_read_is_refused_whole_and_creates_nothing(db, settings, content, code):
    with pytest.raises(ImportRefused) as refused:
        await import_companies(content, processes=None, declaration=None, actor="x@y.co", settings=settings)
    assert refused.value.problem.code == code and Company.select().count() == 0


def test_the_command_reports_each_row_in_spanish_and_exits_1_when_one_was_refused(db, settings, tmp_path):
    file = tmp_path / "empresas.csv"
    file.write_bytes(csv_of([good_row(1), {**good_row(2), "ciudad": "Medellín"}]))
    env = {"HABILITA_VAR": str(settings.var_dir), "DATABASE_URL": settings.database_url}

    result = CliRunner().invoke(cli, ["companies", "import", str(file), "--actor", "lina@habilita.test"], env=env)

    assert result.exit_code == 1, result.output
    assert "row 2\tcreated\tEmpresa 0001 SAS" in result.output
    assert "row 3\trefused\tciudad: escriba el código DANE de 5 dígitos" in result.output
    assert "1 created, 0 already there, 1 refused, 0 processes started" in result.output
    again = CliRunner().invoke(cli, ["companies", "import", str(file), "--actor", "x@y.co"], env=env)
    assert "0 created, 1 already there, 1 refused" in again.output
