"""The billing simulator's HTTP interface (JSON over HTTP/1.1).

- ``GET  /certificate-payments/<nit>``: paid or not, and the offer.
- ``POST /certificate-payments/<nit>``: the company pays (the checkout).
- ``POST /certificates``: the CA issues a certificate for a paid order.
- ``GET  /_issued``: what the CA issued, without keys.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from habilita.json_http import read_body, send_json

from .ledger import BillingError, Ledger


def make_handler(ledger: Ledger) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = self._parts()
            if parts == ["_issued"]:
                return self._answer(200, {"certificates": ledger.issued()})
            if parts == ["health"]:
                return self._answer(200, {"ok": True})
            if len(parts) == 2 and parts[0] == "certificate-payments":
                return self._run(ledger.payment, parts[1])
            self._answer(404, {"error": f"no resource {self.path}"})

        def do_POST(self) -> None:  # noqa: N802
            raw = read_body(self)
            parts = self._parts()
            if len(parts) == 2 and parts[0] == "certificate-payments":
                return self._run(ledger.pay, parts[1])
            if parts == ["certificates"]:
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    return self._answer(400, {"error": "the body must be a JSON object"})
                return self._run(ledger.issue, body)
            self._answer(404, {"error": f"no resource {self.path}"})

        def _run(self, action, argument) -> None:
            try:
                self._answer(200, action(argument))
            except BillingError as exc:
                self._answer(exc.status, {"error": str(exc)})

        def _parts(self) -> list[str]:
            return [p for p in self.path.split("?", 1)[0].split("/") if p]

        def _answer(self, status: int, body: dict) -> None:
            send_json(self, status, body)

        def log_message(self, format: str, *args) -> None:
            pass  # the dev launcher and tests do not want a line per request

    return Handler


def serve_in_thread(ledger: Ledger, *, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start the service on a background thread; ``server.server_address`` says where."""
    server = ThreadingHTTPServer((host, port), make_handler(ledger))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="billing-simulator", daemon=True).start()
    return server
