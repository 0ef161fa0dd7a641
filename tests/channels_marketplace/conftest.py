"""The marketplace simulator on a free loopback port, a seller with a token,
the real client pointed at it, and a small notification receiver whose answer
(status, delay) a test sets."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from habilita.adapters.marketplace_client import MarketplaceClient, Timeouts
from habilita.simulators.marketplace import DeliveryPolicy, Marketplace, serve_in_thread
from tests.harness import free_port

SELLER = "123456789"
OTHER_SELLER = "987654321"
# Fast retries keep the tests short; the 500 ms acknowledgement rule is the real one.
TEST_POLICY = DeliveryPolicy(timeout=0.5, retry_delays=(0.2, 0.2), workers=2)


@pytest.fixture
def marketplace_simulator():
    server = serve_in_thread(Marketplace(), port=free_port(), policy=TEST_POLICY)
    yield server
    server.close()


@pytest.fixture
def seller_token(marketplace_simulator) -> str:
    return marketplace_simulator.marketplace.add_seller(SELLER)


@pytest.fixture
def marketplace_client(marketplace_simulator, seller_token):
    with MarketplaceClient(marketplace_simulator.url, token=seller_token, timeouts=Timeouts(2, 5)) as client:
        yield client


class Admin:
    """The simulator's admin API as a test drives it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def post(self, path: str, body: dict, *, expect: int | None = None) -> dict:
        response = requests.post(self.url + path, json=body, timeout=10)
        if expect is not None:
            assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        return response.json()

    def get(self, path: str) -> dict:
        response = requests.get(self.url + path, timeout=10)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()

    def create_order(self, **order) -> dict:
        """The served JSON of a new order (its id also as ``order_id``, which overrides cannot touch)."""
        body = {"seller_id": SELLER, "items": [{"seller_sku": "SKU-1", "title": "Camiseta", "quantity": 1,
                                                "unit_price": "45900"}], **order}
        answer = self.post("/_admin/orders", body, expect=201)
        return {**answer["order"], "order_id": answer["order_id"]}

    def wait_settled(self, seconds: float = 10) -> list[dict]:
        """Every notification once nothing is queued or in flight."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state = self.get("/_admin/notifications")
            if state["pending"] == 0:
                return state["notifications"]
            time.sleep(0.05)
        raise AssertionError(f"notifications still pending after {seconds} s: {state['pending']}")


@pytest.fixture
def admin(marketplace_simulator) -> Admin:
    return Admin(marketplace_simulator.url)


class Receiver:
    """A seller application's notification endpoint: records every POST and
    answers ``status`` after ``delay`` seconds."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.received: list[dict] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                status, delay = receiver.status, receiver.delay  # as set when this delivery arrived
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                with receiver._changed:
                    receiver.received.append(body)
                    receiver._changed.notify_all()
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="test-receiver", daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notifications"

    def wait_for(self, count: int, seconds: float = 10) -> list[dict]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout=seconds):
                raise AssertionError(f"received {len(self.received)} notifications, expected {count}")
            return list(self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(marketplace_simulator):
    receiver = Receiver()
    marketplace_simulator.marketplace.set_notify_url(receiver.url)
    yield receiver
    receiver.close()
