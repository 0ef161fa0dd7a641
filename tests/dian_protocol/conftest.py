"""A DIAN simulator on a loopback port, companies registered at its portal,
their certificates, and the real ``DianClient`` pointed at it.

Test sets are small (4 invoices, 2 credit notes, 2 debit notes, one rejection
tolerated) so a complete set runs in a second; the rules are the same.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
import requests

from habilita.adapters.dian_client import DianClient, Timeouts
from habilita.dian import status
from habilita.dian.certificates import generate_test_certificate
from habilita.dian.sample import SampleIssuer
from habilita.dian.signing import Signer
from habilita.simulators.dian import SimulatorConfig, invoice_set, make_server, support_document_set

COMPANY_NIT = "900123456"
COMPANY_NAME = "EMPRESA DE PRUEBAS S.A.S."
PROVIDER_NIT = "830112233"
OTHER_NIT = "901987654"
PROCESSING_SECONDS = 0.4
SET_RULES = invoice_set(4, 2, 2, allowed_rejections=1)


@pytest.fixture(scope="session")
def company_cert():
    return generate_test_certificate(COMPANY_NIT, COMPANY_NAME)


@pytest.fixture(scope="session")
def provider_cert():
    return generate_test_certificate(PROVIDER_NIT, "PROVEEDOR TECNOLÓGICO S.A.S.")


@pytest.fixture(scope="session")
def stranger_cert():
    return generate_test_certificate(OTHER_NIT, "OTRA EMPRESA S.A.S.")


@pytest.fixture
def simulator(tmp_path):
    config = SimulatorConfig(invoice_set=SET_RULES, support_document_set=support_document_set(2, 1, allowed_rejections=0))
    server = make_server(str(tmp_path / "dian-sim.db"), processing_seconds=PROCESSING_SECONDS, config=config,
                         hang_limit_seconds=30)
    server.start()
    yield server
    server.stop()


@dataclass(frozen=True)
class Registered:
    """What the portal gave a registered company."""

    nit: str
    test_set_id: str
    software_id: str
    pin: str

    def issuer(self, *, provider_nit: str | None = None) -> SampleIssuer:
        return SampleIssuer(nit=self.nit, legal_name=COMPANY_NAME, software_id=self.software_id, pin=self.pin,
                            provider_nit=provider_nit)


class Portal:
    """The simulator's portal, as a person at DIAN's portal uses it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def post(self, path: str, payload: dict | None = None) -> dict:
        response = requests.post(self.base_url + path, json=payload or {}, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def get(self, path: str):
        response = requests.get(self.base_url + path, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def register(self, nit: str = COMPANY_NIT, *, mode: str = "own", provider_nit: str | None = None) -> Registered:
        answer = self.post("/portal/companies", {"nit": nit, "legal_name": COMPANY_NAME, "mode": mode,
                                                 "provider_nit": provider_nit})
        return Registered(nit=answer["nit"], test_set_id=answer["test_set_id"], software_id=answer["software_id"],
                          pin=answer["pin"])

    def faults(self, **switches) -> dict:
        response = requests.put(self.base_url + "/_faults", json=switches, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def portal(simulator) -> Portal:
    return Portal(simulator.url)


@pytest.fixture
def company(portal) -> Registered:
    return portal.register()


@pytest.fixture
def company_signer(company_cert) -> Signer:
    return Signer(company_cert)


def client_for(simulator, cert, *, timeout: Timeouts | float = Timeouts(connect=2, read=10)) -> DianClient:
    return DianClient(simulator.soap_url, cert.private_key, cert.certificate, timeout=timeout)


@pytest.fixture
def client(simulator, company_cert):
    with client_for(simulator, company_cert) as dian_client:
        yield dian_client


def wait_for_batch(client: DianClient, zip_key: str, *, deadline_seconds: float = 15.0):
    """Poll GetStatusZip like the product does, until the batch is processed."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        responses = client.get_status_zip(zip_key=zip_key)
        if not status.is_batch_in_process(responses):
            return responses
        assert time.monotonic() < deadline, f"batch {zip_key} still in process after {deadline_seconds} s"
        time.sleep(0.1)
