"""``python -m habilita.simulators.marketplace`` as the dev stack starts it: with the demo seller and its token,
one made anew at each start, which may begin with a dash."""
from __future__ import annotations

import subprocess
import time

import requests

import pytest

from habilita.adapters.marketplace_client import MarketplaceClient
from habilita.devstack import DEMO_SELLER, DevStack
from tests.harness import free_port


@pytest.mark.parametrize("token", ["dev-token-555", "-dev-token-555"])
def test_the_simulator_starts_with_a_dev_seller(settings, monkeypatch, token):
    port = free_port()
    monkeypatch.setenv("MARKETPLACE_SIM_PORT", str(port))
    stack = DevStack(settings)
    stack.marketplace_token = token
    (command,) = [child.command for child in stack.plan() if child.name == "marketplace-sim"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(url + "/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"the simulator did not start: {process.stderr.read() if process.poll() else ''}")
        created = requests.post(url + "/_admin/orders", timeout=5,
                                json={"seller_id": DEMO_SELLER, "items": [{"title": "x", "unit_price": "1000"}]})
        assert created.status_code == 201
        with MarketplaceClient(url, token=token) as client:
            assert client.order(created.json()["order_id"]).items[0].unit_price == "1000"
    finally:
        process.terminate()
        process.wait(timeout=10)
