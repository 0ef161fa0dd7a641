"""How our small HTTP services built on ``http.server`` (the notification receiver, the simulators) read a
request and answer: a body with its type and length, the connection kept open."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request's body, all of it. Read it before anything can refuse the request: on a kept-alive
    connection an unread body would be taken for the start of the next request."""
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def send_body(handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


def send_json(handler: BaseHTTPRequestHandler, status: int, body) -> None:
    send_body(handler, status, json.dumps(body).encode(), "application/json")
