"""Our small HTTP services keep connections open (HTTP/1.1): a request whose body a service does not need,
or refuses before reading, must still have its body read, or the body is taken for the start of the next
request on the same connection ("Unsupported method ('{}POST')")."""
from __future__ import annotations

import pytest
import requests

from habilita.simulators.marketplace import Marketplace
from habilita.simulators.marketplace import serve_in_thread as serve_marketplace
from tests.channels_marketplace.conftest import TEST_POLICY
from tests.harness import free_port


@pytest.fixture
def marketplace_url():
    server = serve_marketplace(Marketplace(), port=free_port(), policy=TEST_POLICY)
    yield server.url
    server.close()


def test_the_billing_simulator_reads_every_body_before_it_answers(billing_simulator):
    with requests.Session() as session:
        for nit in ("900111222", "900111223"):  # the payment takes no body; the client sends one anyway
            assert session.post(f"{billing_simulator}/certificate-payments/{nit}", json={}, timeout=5).ok
        assert session.post(f"{billing_simulator}/no-such-thing", json={"a": 1}, timeout=5).status_code == 404
        assert session.get(f"{billing_simulator}/health", timeout=5).json() == {"ok": True}


def test_the_marketplace_simulator_reads_every_body_before_it_answers(marketplace_url):
    with requests.Session() as session:
        assert session.post(f"{marketplace_url}/no-such-thing", json={"a": 1}, timeout=5).status_code == 404
        assert session.get(f"{marketplace_url}/health", timeout=5).json() == {"ok": True}
