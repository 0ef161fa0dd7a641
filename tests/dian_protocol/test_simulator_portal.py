"""The simulator's portal, state page and command line."""

from __future__ import annotations

import subprocess
import sys
import uuid

import requests

from habilita.devstack import wait_for_port
from tests.harness import free_port

from .conftest import COMPANY_NIT, PROVIDER_NIT


def test_registration_gives_guids_and_a_pin(company):
    assert str(uuid.UUID(company.test_set_id)) == company.test_set_id
    assert str(uuid.UUID(company.software_id)) == company.software_id
    assert company.pin.isdigit() and len(company.pin) == 5


def test_a_provider_serves_its_clients_with_one_software(portal):
    first = portal.register(COMPANY_NIT, mode="provider", provider_nit=PROVIDER_NIT)
    second = portal.register("901555666", mode="provider", provider_nit=PROVIDER_NIT)
    assert first.software_id == second.software_id and first.test_set_id != second.test_set_id


def test_registering_twice_is_a_conflict(simulator, company):
    response = requests.post(simulator.url + "/portal/companies",
                             json={"nit": COMPANY_NIT, "legal_name": "X", "mode": "own"}, timeout=5)
    assert response.status_code == 409 and "already registered" in response.json()["error"]


def test_portal_refuses_bad_input_field_by_field(simulator, company):
    bad_mode = requests.post(simulator.url + "/portal/companies",
                             json={"nit": "901000111", "legal_name": "X", "mode": "rented"}, timeout=5)
    assert bad_mode.status_code == 400 and "mode must be one of own, provider" in bad_mode.json()["error"]
    no_range = requests.post(f"{simulator.url}/portal/companies/{COMPANY_NIT}/prefixes", json={"prefix": "FE"}, timeout=5)
    assert no_range.status_code == 400 and "no numbering range with prefix FE" in no_range.json()["error"]
    unknown = requests.get(simulator.url + "/portal/companies/811000222", timeout=5)
    assert unknown.status_code == 404


def test_the_state_page_lists_companies_and_test_sets(simulator, company):
    page = requests.get(simulator.url + "/", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert COMPANY_NIT in page.text and company.test_set_id in page.text and "En proceso" in page.text


def test_the_command_line_explains_itself():
    result = subprocess.run([sys.executable, "-m", "habilita.simulators.dian", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    assert "--port" in result.stdout and "--state" in result.stdout


def served_output(tmp_path, *options: str) -> str:
    """What ``python -m habilita.simulators.dian`` prints while it answers one request."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "habilita.simulators.dian", "--port", str(port),
                                "--state", str(tmp_path / "sim.db"), *options],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port("127.0.0.1", port, name="dian-sim", timeout=60, process=process)
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    return output


def test_the_command_line_logs_requests_only_when_asked(tmp_path):
    quiet = served_output(tmp_path)
    logged = served_output(tmp_path, "--access-log")

    assert "DIAN simulator on http://127.0.0.1:" in quiet and '"GET / HTTP/1.1" 200' not in quiet
    assert '"GET / HTTP/1.1" 200' in logged
