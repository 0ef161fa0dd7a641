"""The HTTP client of DIAN's ``WcfDianCustomerServices`` (real service or simulator).

One instance per signer certificate: it loads the key once, keeps one HTTP
session (connection reuse matters when polling), signs every request with
WS-Security and turns every failure into a :mod:`habilita.adapters.dian_errors`
exception saying which operation, which URL and what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from habilita.adapters.dian_errors import (
    DianHttpError,
    DianProtocolError,
    DianSoapFault,
    DianTimeout,
    DianTransportError,
)
from habilita.dian import soap, wssecurity


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for the TCP/TLS connection and then for the answer."""

    connect: float = 5.0
    read: float = 20.0


class DianClient:
    """Calls DIAN's SOAP operations, signed with the given key and certificate.

    ``signer_key`` and ``signer_cert`` are cryptography objects or PEM bytes.
    ``timeout`` is a :class:`Timeouts` or one number used for both phases.
    """

    def __init__(self, url: str, signer_key, signer_cert, *, timeout: Timeouts | float = Timeouts(),
                 session: requests.Session | None = None) -> None:
        self.url = url
        self._key = _load_key(signer_key)
        self._cert = _load_cert(signer_cert)
        self.timeouts = timeout if isinstance(timeout, Timeouts) else Timeouts(connect=timeout, read=timeout)
        self._session = session or requests.Session()

    def close(self) -> None:
        """Release the pooled connections."""
        self._session.close()

    def __enter__(self) -> "DianClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send_test_set_async(self, *, file_name: str, zip_bytes: bytes, test_set_id: str) -> soap.UploadDocumentResponse:
        """Upload a zip of test-set documents; poll its ZipKey with :meth:`get_status_zip`."""
        return self._call(soap.SendTestSetAsync(file_name=file_name, content_file=zip_bytes, test_set_id=test_set_id))

    def send_bill_sync(self, *, file_name: str, zip_bytes: bytes) -> soap.DianResponse:
        """Upload a zip with one document and get DIAN's verdict in the same call."""
        return self._call(soap.SendBillSync(file_name=file_name, content_file=zip_bytes))

    def send_bill_async(self, *, file_name: str, zip_bytes: bytes) -> soap.UploadDocumentResponse:
        """Upload a zip of documents for asynchronous validation."""
        return self._call(soap.SendBillAsync(file_name=file_name, content_file=zip_bytes))

    def get_status(self, *, track_id: str) -> soap.DianResponse:
        """DIAN's verdict on one document by its CUFE/CUDE/CUDS."""
        return self._call(soap.GetStatus(track_id=track_id))

    def get_status_zip(self, *, zip_key: str) -> tuple[soap.DianResponse, ...]:
        """The verdicts on an uploaded zip (one "Batch en proceso" entry while in process)."""
        return self._call(soap.GetStatusZip(track_id=zip_key))

    def get_numbering_range(self, *, account_code: str, account_code_t: str, software_code: str) -> soap.NumberingRangeResponse:
        """The numbering ranges of issuer ``account_code`` usable with ``software_code``."""
        return self._call(soap.GetNumberingRange(
            account_code=account_code, account_code_t=account_code_t, software_code=software_code))

    def _call(self, request: soap.Request):
        operation = request.OPERATION
        envelope = soap.build_request(request, to=self.url)
        body = wssecurity.sign_envelope(envelope, private_key=self._key, certificate=self._cert)
        headers = {"Content-Type": soap.content_type(operation), "Accept": "application/soap+xml"}
        where = f"{operation} at {self.url}"
        try:
            response = self._session.post(
                self.url, data=body, headers=headers, timeout=(self.timeouts.connect, self.timeouts.read))
        except requests.ConnectTimeout as exc:
            raise DianTimeout(f"{where}: no connection within {self.timeouts.connect:g} s",
                              operation=operation, url=self.url, phase="connect",
                              seconds=self.timeouts.connect) from exc
        except requests.ReadTimeout as exc:
            raise DianTimeout(f"{where}: no answer within {self.timeouts.read:g} s",
                              operation=operation, url=self.url, phase="read",
                              seconds=self.timeouts.read) from exc
        except requests.RequestException as exc:
            raise DianTransportError(f"{where}: transport failed: {exc}", operation=operation, url=self.url) from exc
        return self._read(operation, response, where)

    def _read(self, operation: str, response: requests.Response, where: str):
        # SOAP 1.2 faults travel with HTTP 500 (or 4xx): look for one before
        # judging the status, so a fault is never reported as a bare 5xx.
        envelope = None
        if _looks_like_soap(response):
            try:
                envelope = soap.parse_envelope(response.content)
            except soap.MalformedEnvelope:
                envelope = None
        fault = None if envelope is None else soap.find_fault(envelope)
        if fault is not None:
            raise DianSoapFault(
                f"{where}: SOAP fault {fault.code}/{fault.subcode or '-'}: {fault.reason}",
                operation=operation, url=self.url, code=fault.code, subcode=fault.subcode, reason=fault.reason)
        if response.status_code >= 400:
            excerpt = response.text[:300]
            raise DianHttpError(f"{where}: HTTP {response.status_code} {response.reason}: {excerpt}",
                                operation=operation, url=self.url, status=response.status_code, body=excerpt)
        if envelope is None:
            raise DianProtocolError(
                f"{where}: HTTP {response.status_code} answer is not a SOAP 1.2 envelope "
                f"(Content-Type {response.headers.get('Content-Type')!r}): {response.text[:200]}",
                operation=operation, url=self.url)
        try:
            return soap.parse_response(operation, envelope)
        except soap.MalformedEnvelope as exc:
            raise DianProtocolError(f"{where}: unexpected answer: {exc}", operation=operation, url=self.url) from exc


def _looks_like_soap(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "").lower()
    return "xml" in kind or response.content.lstrip().startswith(b"<")


def _load_key(key) -> rsa.RSAPrivateKey:
    if isinstance(key, (bytes, str)):
        key = serialization.load_pem_private_key(key.encode() if isinstance(key, str) else key, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("DianClient needs an RSA private key (rsa-sha256 is what DIAN verifies)")
    return key


def _load_cert(cert) -> x509.Certificate:
    if isinstance(cert, (bytes, str)):
        cert = x509.load_pem_x509_certificate(cert.encode() if isinstance(cert, str) else cert)
    if not isinstance(cert, x509.Certificate):
        raise TypeError("DianClient needs an X.509 certificate")
    return cert
