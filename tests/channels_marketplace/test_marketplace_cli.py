"""``python -m habilita.simulators.marketplace`` as the dev stack starts it."""
from __future__ import annotations

import subprocess
import sys
import time

import requests

from habilita.adapters.marketplace_client import MarketplaceClient
from tests.harness import free_port


def test_the_simulator_starts_with_a_dev_seller():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "habilita.simulators.marketplace", "--port", str(port),
                                "--dev-seller", "555", "--dev-token", "dev-token-555"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
                                json={"seller_id": "555", "items": [{"title": "x", "unit_price": "1000"}]})
        assert created.status_code == 201
        with MarketplaceClient(url, token="dev-token-555") as client:
            assert client.order(created.json()["order_id"]).items[0].unit_price == "1000"
    finally:
        process.terminate()
        process.wait(timeout=10)
