"""The certificate seller behind one port: payment status, offer, issuance.

:class:`HttpBilling` speaks the seller's JSON protocol (the simulator in
``simulators/billing`` speaks the same one); tests may pass another
implementation of :class:`BillingPort`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import requests


class BillingUnavailable(RuntimeError):
    """The seller did not answer or answered 5xx: worth retrying."""


class BillingRefused(ValueError):
    """The seller refused the request (unpaid order, bad data): retrying will not help."""


@dataclass(frozen=True)
class PaymentStatus:
    paid: bool
    order_id: str
    price: int
    currency: str
    validity_days: int


@dataclass(frozen=True)
class IssuedCertificate:
    serial_number: str
    key_pem: bytes
    cert_pem: bytes
    chain_pem: bytes


class BillingPort(Protocol):
    def payment_status(self, nit: str) -> PaymentStatus: ...

    def issue_certificate(self, *, request_id: str, nit: str, legal_name: str, order_id: str,
                          representative: dict) -> IssuedCertificate: ...


class HttpBilling:
    """The seller's HTTP API at ``url``."""

    def __init__(self, url: str, *, timeout: float | tuple[float, float] = (5.0, 20.0),
                 session: requests.Session | None = None) -> None:
        """``timeout``: seconds for the whole call, or (to connect, to answer) as requests takes it."""
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._session = session or requests.Session()

    def payment_status(self, nit: str) -> PaymentStatus:
        """Whether the company with ``nit`` paid for its certificate, with the offer."""
        body = self._call("GET", f"/certificate-payments/{nit}")
        offer = body["offer"]
        return PaymentStatus(paid=bool(body["paid"]), order_id=body.get("order_id") or "",
                             price=int(offer["price"]), currency=offer["currency"],
                             validity_days=int(offer["validity_days"]))

    def issue_certificate(self, *, request_id: str, nit: str, legal_name: str, order_id: str,
                          representative: dict) -> IssuedCertificate:
        """Have the CA issue a certificate for a paid order; the same ``request_id`` returns the same one."""
        body = self._call("POST", "/certificates", json={
            "request_id": request_id, "nit": nit, "legal_name": legal_name, "order_id": order_id,
            "representative": representative,
        })
        return IssuedCertificate(serial_number=body["serial_number"], key_pem=body["key_pem"].encode(),
                                 cert_pem=body["cert_pem"].encode(), chain_pem=body["chain_pem"].encode())

    def _call(self, method: str, path: str, **kwargs) -> dict:
        where = f"{method} {self.url}{path}"
        try:
            response = self._session.request(method, self.url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise BillingUnavailable(f"{where}: no answer: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {"error": response.text[:200]}
        if response.status_code >= 500:
            raise BillingUnavailable(f"{where}: HTTP {response.status_code}: {body.get('error', '')}")
        if response.status_code >= 400:
            raise BillingRefused(f"{where}: HTTP {response.status_code}: {body.get('error', '')}")
        return body
