"""Signing certificates: generate test ones, issue from a small test CA, load real ones.

Colombian certification authorities put the holder's NIT in the subject's
``serialNumber`` attribute (OID 2.5.4.5) next to the legal name in the CN;
the generated certificates follow that so :func:`certificate_nit` reads the
same field on a test certificate as on a real one.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .checkdigit import normalize_nit, validate_nit
from .errors import CertificateError, InvalidTaxId

KEY_SIZE = 2048
_PUBLIC_EXPONENT = 65537
# Certificates start a day in the past so a clock a little behind, or a
# signature dated earlier on the issue day, still falls inside validity.
_BACKDATE = datetime.timedelta(days=1)


@dataclass(frozen=True)
class CertifiedKey:
    """A private key with its certificate (and the issuing chain, leaf excluded)."""

    __test__ = False  # pytest: not a test class despite the TestCertificate alias

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = field(default=())

    def key_pem(self, password: bytes | None = None) -> bytes:
        """The private key as PKCS#8 PEM, encrypted when a password is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)

    def cert_pem(self) -> bytes:
        """The certificate (leaf only) as PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def chain_pem(self) -> bytes:
        """The leaf followed by its chain, as concatenated PEM."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.certificate, *self.chain))

    def to_pkcs12(self, password: bytes | None = None, *, friendly_name: str | None = None) -> bytes:
        """Key, certificate and chain as a PKCS#12 (.p12/.pfx) file, encrypted when a password is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        name = (friendly_name or _common_name(self.certificate) or "habilita").encode()
        return pkcs12.serialize_key_and_certificates(
            name, self.private_key, self.certificate, list(self.chain) or None, encryption
        )

    @property
    def nit(self) -> str:
        """The NIT written in the certificate's subject."""
        return certificate_nit(self.certificate)


# The contract name other modules use for what generate_test_certificate returns.
TestCertificate = CertifiedKey


def _common_name(cert: x509.Certificate) -> str | None:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else None


def _holder_name(nit: str, legal_name: str) -> x509.Name:
    if not legal_name or not legal_name.strip():
        raise CertificateError("the legal name of the certificate holder is empty")
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, legal_name.strip()),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, nit),
            x509.NameAttribute(NameOID.COMMON_NAME, legal_name.strip()),
        ]
    )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=_PUBLIC_EXPONENT, key_size=KEY_SIZE)


def _validity(days: int, now: datetime.datetime | None) -> tuple[datetime.datetime, datetime.datetime]:
    if days < 1:
        raise CertificateError(f"a certificate must be valid for at least one day, got {days}")
    start = (now or datetime.datetime.now(datetime.timezone.utc)) - _BACKDATE
    return start, start + _BACKDATE + datetime.timedelta(days=days)


def _signing_extensions(builder: x509.CertificateBuilder, public_key: rsa.RSAPublicKey) -> x509.CertificateBuilder:
    return (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def generate_test_certificate(
    nit: str, legal_name: str, *, days: int = 365, now: datetime.datetime | None = None
) -> CertifiedKey:
    """Generate a self-signed signing certificate and a fresh RSA-2048 key for a company.

    The NIT (without DV) goes into the subject's serialNumber, the legal name
    into CN and O. Good for habilitación samples and tests, never for DIAN.
    """
    body = validate_nit(nit)
    key = _new_key()
    name = _holder_name(body, legal_name)
    not_before, not_after = _validity(days, now)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    cert = _signing_extensions(builder, key.public_key()).sign(key, hashes.SHA256())
    return CertifiedKey(private_key=key, certificate=cert)


def generate_test_ca(name: str = "Habilita Test CA", *, days: int = 3650) -> CertifiedKey:
    """Generate a self-signed certification authority able to issue signing certificates."""
    key = _new_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    not_before, not_after = _validity(days, None)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertifiedKey(private_key=key, certificate=cert)


def issue_certificate(
    *,
    ca: CertifiedKey,
    nit: str,
    legal_name: str,
    days: int = 365,
    public_key: rsa.RSAPublicKey | None = None,
    now: datetime.datetime | None = None,
) -> CertifiedKey | x509.Certificate:
    """Issue a signing certificate for a company, signed by ``ca``.

    Without ``public_key`` a fresh key pair is generated and a
    :class:`CertifiedKey` (key, certificate, chain ending at the CA) is
    returned. With ``public_key`` (the holder keeps its private key, as with a
    CSR) only the :class:`x509.Certificate` is returned.
    """
    body = validate_nit(nit)
    key = None if public_key is not None else _new_key()
    subject_key = public_key if public_key is not None else key.public_key()  # type: ignore[union-attr]
    not_before, not_after = _validity(days, now)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_holder_name(body, legal_name))
        .issuer_name(ca.certificate.subject)
        .public_key(subject_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(min(not_after, ca.certificate.not_valid_after_utc))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.private_key.public_key()), critical=False
        )
    )
    cert = _signing_extensions(builder, subject_key).sign(ca.private_key, hashes.SHA256())
    if key is None:
        return cert
    return CertifiedKey(private_key=key, certificate=cert, chain=(ca.certificate, *ca.chain))


def load_pkcs12(data: bytes, password: bytes | str | None) -> CertifiedKey:
    """Open a PKCS#12 (.p12/.pfx) file holding an RSA key and its certificate."""
    if isinstance(password, str):
        password = password.encode()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except ValueError as exc:
        raise CertificateError("cannot open the PKCS#12 file: wrong password or damaged file") from exc
    if key is None or cert is None:
        raise CertificateError("the PKCS#12 file must hold both a private key and its certificate")
    return _checked(key, cert, tuple(extra or ()))


def check_private_key(key_pem: bytes) -> None:
    """Check that ``key_pem`` is a sound private key, as :func:`load_pem` does while loading it (for RSA,
    its primes and their consistency: ~37 ms for 2048 bits, holding the GIL); CertificateError if not."""
    _private_key(key_pem)


def _private_key(key_pem: bytes, *, password: bytes | None = None, already_checked: bool = False):
    try:
        return serialization.load_pem_private_key(key_pem, password=password,
                                                  unsafe_skip_rsa_key_validation=already_checked)
    except (ValueError, TypeError) as exc:
        raise CertificateError(f"cannot read the PEM private key: {exc}") from exc


def load_pem(key_pem: bytes, cert_pem: bytes, *, password: bytes | None = None,
             already_checked: bool = False) -> CertifiedKey:
    """Load a PEM private key and a PEM certificate (optionally followed by its chain).

    Checking an RSA key's consistency takes ~35 ms. ``already_checked`` skips
    it for a key that was checked when it arrived and cannot have changed
    since (sealed with authenticated encryption, as the key vault does).
    """
    key = _private_key(key_pem, password=password, already_checked=already_checked)
    try:
        certs = x509.load_pem_x509_certificates(cert_pem)
    except ValueError as exc:
        raise CertificateError(f"cannot read the PEM certificate: {exc}") from exc
    return _checked(key, certs[0], tuple(certs[1:]))


def _checked(key: object, cert: x509.Certificate, chain: tuple[x509.Certificate, ...]) -> CertifiedKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError(f"DIAN signatures use RSA keys, this one is {type(key).__name__}")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
        raise CertificateError("the private key does not belong to the certificate")
    return CertifiedKey(private_key=key, certificate=cert, chain=chain)


_NIT_IN_TEXT = re.compile(r"(\d[\d.]*\d)(?:-(\d))?")


def certificate_nit(cert: x509.Certificate) -> str:
    """Return the NIT (without DV) written in the certificate subject's serialNumber.

    Accepts the forms CAs use: "900123456", "900123456-8", "NIT 900.123.456-8".
    A DV written there must be right.
    """
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if not values:
        raise CertificateError(f"the certificate of {_common_name(cert) or cert.subject.rfc4514_string()} "
                               "has no serialNumber with a NIT in its subject")
    text = str(values[0].value)
    match = _NIT_IN_TEXT.search(text)
    if match is None:
        raise CertificateError(f"the certificate serialNumber {text!r} holds no NIT")
    body, dv = match.group(1), match.group(2)
    try:
        return validate_nit(normalize_nit(body), dv)
    except InvalidTaxId as exc:
        raise CertificateError(f"the certificate serialNumber {text!r}: {exc}") from exc
