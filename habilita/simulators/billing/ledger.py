"""The billing and certificate-authority state, kept in one JSON file.

Payments are per company NIT; a certificate is issued once per request id
(a retried request gets the same certificate back), only against a paid order
of the same NIT. The CA's own key is generated on first start and kept in the
state file, so certificates issued across restarts share one issuer.
"""
from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from habilita.dian.certificates import CertifiedKey, generate_test_ca, issue_certificate
from habilita.dian.checkdigit import normalize_nit
from habilita.dian.errors import DianError
from habilita.private_files import replace_private


class BillingError(ValueError):
    """A request the service refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Offer:
    price: int = 245_000
    currency: str = "COP"
    validity_days: int = 365


class Ledger:
    """Thread-safe state of the service, saved to ``path`` after every change."""

    def __init__(self, path: Path | None, offer: Offer = Offer()) -> None:
        self.path = path
        self.offer = offer
        self._lock = threading.Lock()
        self._state = {"payments": {}, "certificates": {}, "ca": None}
        if path is not None and path.exists():
            self._state = json.loads(path.read_text())
        if self._state["ca"] is None:
            ca = generate_test_ca("Habilita Simulated Certificate Authority")
            self._state["ca"] = {"key_pem": ca.key_pem().decode(), "cert_pem": ca.cert_pem().decode()}
            self._save()
        ca_state = self._state["ca"]
        self._ca = CertifiedKey(
            private_key=serialization.load_pem_private_key(ca_state["key_pem"].encode(), password=None),
            certificate=x509.load_pem_x509_certificate(ca_state["cert_pem"].encode()),
        )

    def payment(self, nit: str) -> dict:
        """Whether ``nit`` paid for its certificate, and the offer when it has not."""
        nit = _nit(nit)
        with self._lock:
            order = self._state["payments"].get(nit)
        return {"nit": nit, "paid": order is not None, "order_id": order or "",
                "offer": {"price": self.offer.price, "currency": self.offer.currency,
                          "validity_days": self.offer.validity_days}}

    def pay(self, nit: str) -> dict:
        """The company pays (what the seller's checkout does); paying twice keeps the first order."""
        nit = _nit(nit)
        with self._lock:
            order = self._state["payments"].setdefault(nit, f"ORD-{uuid.uuid4().hex[:12].upper()}")
            self._save()
        return {"nit": nit, "paid": True, "order_id": order}

    def issue(self, request: dict) -> dict:
        """Issue a certificate and key for a paid order; the same request id returns the same ones."""
        request_id = _text(request, "request_id")
        nit = _nit(_text(request, "nit"))
        legal_name = _text(request, "legal_name")
        order_id = _text(request, "order_id")
        representative = request.get("representative") or {}
        if not str(representative.get("document_number", "")).strip():
            raise BillingError("representative.document_number is required: the CA verifies the legal representative")
        with self._lock:
            done = self._state["certificates"].get(request_id)
            if done is not None:
                return done
            if self._state["payments"].get(nit) != order_id:
                raise BillingError(f"order {order_id!r} is not a paid certificate order of NIT {nit}", status=402)
            try:
                issued = issue_certificate(ca=self._ca, nit=nit, legal_name=legal_name,
                                           days=self.offer.validity_days)
            except DianError as exc:
                raise BillingError(str(exc)) from exc
            answer = {
                "request_id": request_id, "nit": nit, "order_id": order_id,
                "serial_number": format(issued.certificate.serial_number, "x"),
                "not_after": issued.certificate.not_valid_after_utc.isoformat(),
                "key_pem": issued.key_pem().decode(), "cert_pem": issued.cert_pem().decode(),
                "chain_pem": "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in issued.chain),
            }
            self._state["certificates"][request_id] = answer
            self._save()
        return answer

    def issued(self) -> list[dict]:
        """What the CA issued (without keys), for tests and the dev console."""
        with self._lock:
            return [{k: v for k, v in c.items() if k != "key_pem"} for c in self._state["certificates"].values()]

    def _save(self) -> None:
        if self.path is None:
            return
        # The state holds the CA's private key and every issued one: readable by its owner alone.
        replace_private(self.path, json.dumps(self._state).encode())


def _text(request: dict, name: str) -> str:
    value = str(request.get(name) or "").strip()
    if not value:
        raise BillingError(f"{name} is required")
    return value


def _nit(value: str) -> str:
    try:
        return normalize_nit(value)
    except DianError as exc:
        raise BillingError(f"nit: {exc}") from exc
