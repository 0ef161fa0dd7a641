"""Signing certificates: buying the company's own, or lending the provider's.

Private keys are sealed with the application key the moment they arrive and
opened only inside activities (:class:`KeyVault`); workflows carry the
certificate's row id.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from temporalio import activity
from temporalio.exceptions import ApplicationError

from habilita.dian.certificates import CertifiedKey, generate_test_certificate, load_pem, load_pkcs12
from habilita.dian.errors import CertificateError
from habilita.models import CertificateLoan, Company, SigningCertificate, utcnow
from habilita.private_files import create_private, replace_private

from habilita.adapters.billing import BillingPort, BillingRefused
from habilita.adapters.key_check import KeyChecker
from .representatives import open_representative

_KEY_CONTEXT = b"signing-key"


class KeyVault:
    """Opens sealed keys once per certificate: loading an RSA key is the slow part of signing."""

    def __init__(self, box) -> None:
        self._box = box
        self._lock = threading.Lock()
        self._open: dict[int, CertifiedKey] = {}

    def seal(self, key_pem: bytes) -> bytes:
        return self._box.encrypt(key_pem, context=_KEY_CONTEXT)

    def certified_key(self, certificate_id: int) -> CertifiedKey:
        """The key and certificate of stored certificate ``certificate_id``."""
        with self._lock:
            found = self._open.get(certificate_id)
        if found is not None:
            return found
        row = SigningCertificate.get_by_id(certificate_id)
        # The seal is authenticated: the key is the one load_pem checked before store_certificate sealed it.
        key_pem = self._box.decrypt(bytes(row.sealed_key), context=_KEY_CONTEXT)
        return self.remember(certificate_id, load_pem(key_pem, (row.cert_pem + row.chain_pem).encode(),
                                                      already_checked=True))

    def remember(self, certificate_id: int, key: CertifiedKey) -> CertifiedKey:
        """Keep ``key``, just loaded, as the open key of ``certificate_id``."""
        with self._lock:
            return self._open.setdefault(certificate_id, key)


def store_certificate(vault: KeyVault, key: CertifiedKey, *, company_id: int | None, source_key: str,
                      order_id: str = "") -> SigningCertificate:
    """Store ``key`` sealed under ``source_key`` (once: a second call returns the first row)."""
    cert = key.certificate
    row, created = SigningCertificate.get_or_create(source_key=source_key, defaults=dict(
        company=company_id, holder_nit=key.nit, subject=cert.subject.rfc4514_string()[:300],
        serial_number=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc.replace(tzinfo=None),
        not_after=cert.not_valid_after_utc.replace(tzinfo=None),
        cert_pem=key.cert_pem().decode(),
        chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in key.chain),
        sealed_key=vault.seal(key.key_pem()), order_id=order_id,
    ))
    if created:
        vault.remember(row.id, key)
    return row


class UnprotectedCertificate(RuntimeError):
    """The provider's PKCS#12 opens without a password: its private key would lie in clear on disk."""


def provider_certified_key(*, p12_path: str, password: str, nit: str, name: str, var_dir: Path,
                           production: bool) -> CertifiedKey:
    """The provider's own certificate, from a password-protected PKCS#12 whose password comes from the
    secret store (``PROVIDER_CERTIFICATE_PASSWORD``): the configured file, or in development one
    generated once under ``var/``, readable by its owner alone, with the dev password kept beside it."""
    if p12_path:
        data = Path(p12_path).read_bytes()
        if opens_without_password(data):
            raise UnprotectedCertificate(f"{p12_path} is not password-protected: export it again with a password "
                                         "and set PROVIDER_CERTIFICATE_PASSWORD")
        return load_pkcs12(data, password)
    if production:
        raise RuntimeError("PROVIDER_CERTIFICATE_P12 is required when HABILITA_ENV=production")
    if not password:
        raise UnprotectedCertificate("the dev provider certificate needs PROVIDER_CERTIFICATE_PASSWORD")
    path = var_dir / "provider-certificate.p12"
    if not path.exists():
        # Several activities may get here at once: the first file written wins, so every thread and
        # worker loads the same key.
        create_private(path, generate_test_certificate(nit, name, days=3650).to_pkcs12(password.encode()))
    data = path.read_bytes()
    if opens_without_password(data):
        # Generated before the file was protected: the same key, now under the password.
        key = load_pkcs12(data, None)
        replace_private(path, key.to_pkcs12(password.encode()))
        return key
    return load_pkcs12(data, password)


def opens_without_password(data: bytes) -> bool:
    """True when the PKCS#12 ``data`` opens with no password (or an empty one): nothing protects its key."""
    for no_password in (None, b""):
        try:
            key, _, _ = pkcs12.load_key_and_certificates(data, no_password)
        except ValueError:
            continue
        if key is not None:
            return True
    return False


@dataclass(frozen=True)
class CompanyRef:
    company_id: int


@dataclass(frozen=True)
class PaymentState:
    paid: bool
    order_id: str
    price: int
    currency: str
    validity_days: int


@dataclass(frozen=True)
class IssueOwnCertificate:
    workflow_id: str
    company_id: int
    representative_id: int
    order_id: str


@dataclass(frozen=True)
class LendCertificate:
    workflow_id: str
    purpose: str
    company_id: int


@dataclass(frozen=True)
class CertificateRef:
    certificate_id: int
    holder_nit: str
    serial_number: str
    not_after: str


class CertificateActivities:
    def __init__(self, *, billing: BillingPort, vault: KeyVault, box, provider_key,
                 key_checker: KeyChecker | None = None) -> None:
        """``provider_key`` is a callable returning the provider's CertifiedKey (loaded lazily, then kept);
        ``key_checker`` checks the keys the certificate authority sends, outside the worker's process."""
        self._billing = billing
        self._vault = vault
        self._box = box
        self._provider_key = provider_key
        self._key_checker = key_checker or KeyChecker()
        self._provider_lock = threading.Lock()

    def _provider(self) -> CertifiedKey:
        """The provider's key. The first loans arrive together: one of them loads it (a PKCS#12 key
        derivation and an RSA key check, ~0.1 s holding the GIL) while the others wait for it, instead
        of each loading it again before the first has kept it."""
        with self._provider_lock:
            return self._provider_key()

    @activity.defn
    def check_payment(self, request: CompanyRef) -> PaymentState:
        """Ask billing whether the company paid for its certificate."""
        company = Company.get_by_id(request.company_id)
        status = self._billing.payment_status(company.tax_id)
        return PaymentState(paid=status.paid, order_id=status.order_id, price=status.price,
                            currency=status.currency, validity_days=status.validity_days)

    @activity.defn
    def issue_own_certificate(self, request: IssueOwnCertificate) -> CertificateRef:
        """Have the CA issue the company's certificate (once per workflow) and store it sealed."""
        source_key = f"{request.workflow_id}:own-certificate"
        existing = SigningCertificate.get_or_none(SigningCertificate.source_key == source_key)
        if existing is None:
            company = Company.get_by_id(request.company_id)
            person = open_representative(self._box, request.representative_id)
            try:
                issued = self._billing.issue_certificate(
                    request_id=source_key, nit=company.tax_id, legal_name=company.legal_name,
                    order_id=request.order_id, representative=person)
            except BillingRefused as exc:
                raise ApplicationError(f"the certificate authority refused: {exc}", type="CertificateRefused",
                                       non_retryable=True) from exc
            try:
                self._key_checker.check(issued.key_pem)
                key = load_pem(issued.key_pem, issued.cert_pem + issued.chain_pem, already_checked=True)
            except CertificateError as exc:
                # The authority answers the same request with the same key: asking again would not help.
                raise ApplicationError(f"the certificate authority sent an unusable key or certificate: {exc}",
                                       type="CertificateUnusable", non_retryable=True) from exc
            existing = store_certificate(self._vault, key, company_id=company.id, source_key=source_key,
                                         order_id=request.order_id)
        return _ref(existing)

    @activity.defn
    def has_own_certificate(self, request: CompanyRef) -> bool:
        """Whether the company holds a certificate of its own that has not expired."""
        return SigningCertificate.select().where(
            (SigningCertificate.company == request.company_id)
            & (SigningCertificate.not_after > utcnow())).exists()

    @activity.defn
    def lend_provider_certificate(self, request: LendCertificate) -> CertificateRef:
        """Attach the provider's certificate to the company's loan."""
        key = self._provider()
        row = store_certificate(self._vault, key, company_id=None,
                                source_key=f"provider:{format(key.certificate.serial_number, 'x')}")
        CertificateLoan.update(certificate=row.id).where(
            (CertificateLoan.workflow_id == request.workflow_id) & (CertificateLoan.purpose == request.purpose)
        ).execute()
        return _ref(row)


def _ref(row: SigningCertificate) -> CertificateRef:
    return CertificateRef(certificate_id=row.id, holder_nit=row.holder_nit, serial_number=row.serial_number,
                          not_after=row.not_after.isoformat())
