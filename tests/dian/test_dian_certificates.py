"""Test certificates: the NIT in the subject, PEM and PKCS#12 round trips, a small CA."""

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID

from habilita.dian.certificates import (
    certificate_nit,
    generate_test_ca,
    generate_test_certificate,
    issue_certificate,
    load_pem,
    load_pkcs12,
)
from habilita.dian.errors import CertificateError, InvalidTaxId


def test_generated_certificate_names_the_nit_and_the_company(test_key):
    subject = test_key.certificate.subject
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "900123456"
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "EMPRESA DE PRUEBAS S.A.S."
    assert certificate_nit(test_key.certificate) == "900123456"
    assert test_key.nit == "900123456"


def test_pkcs12_round_trip_with_and_without_password(test_key):
    for password in (b"secret", None):
        loaded = load_pkcs12(test_key.to_pkcs12(password), password)
        assert loaded.certificate == test_key.certificate
        assert loaded.private_key.private_numbers() == test_key.private_key.private_numbers()


def test_wrong_pkcs12_password_is_a_clear_error(test_key):
    with pytest.raises(CertificateError, match="wrong password or damaged file"):
        load_pkcs12(test_key.to_pkcs12(b"secret"), b"nope")


def test_pem_round_trip_and_mismatched_key(test_key):
    loaded = load_pem(test_key.key_pem(), test_key.cert_pem())
    assert loaded.certificate == test_key.certificate
    other = generate_test_certificate("800197268", "OTRA S.A.S.")
    with pytest.raises(CertificateError, match="does not belong to the certificate"):
        load_pem(other.key_pem(), test_key.cert_pem())
    with pytest.raises(CertificateError, match="cannot read the PEM private key"):
        load_pem(b"not a key", test_key.cert_pem())


def test_ca_issues_certificates_that_chain_to_it():
    ca = generate_test_ca("Autoridad de Pruebas")
    leaf = issue_certificate(ca=ca, nit="900.123.456-8", legal_name="EMPRESA S.A.S.")
    assert leaf.certificate.issuer == ca.certificate.subject
    ca.certificate.public_key().verify(
        leaf.certificate.signature, leaf.certificate.tbs_certificate_bytes, padding.PKCS1v15(),
        leaf.certificate.signature_hash_algorithm,
    )
    assert leaf.chain == (ca.certificate,)
    assert certificate_nit(leaf.certificate) == "900123456"
    assert ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # With the holder's public key only (a CSR-like flow) the CA returns just the certificate.
    cert = issue_certificate(ca=ca, nit="900123456", legal_name="EMPRESA S.A.S.",
                             public_key=leaf.private_key.public_key())
    assert isinstance(cert, x509.Certificate)
    # PKCS#12 keeps the chain.
    assert load_pkcs12(leaf.to_pkcs12(b"x"), b"x").chain[0] == ca.certificate


def test_certificate_nit_reads_formatted_serial_numbers_and_checks_the_dv():
    ca = generate_test_ca()
    cert = issue_certificate(ca=ca, nit="900123456", legal_name="E", public_key=ca.private_key.public_key())
    assert certificate_nit(cert) == "900123456"
    with pytest.raises(CertificateError, match="no serialNumber"):
        certificate_nit(ca.certificate)


def test_invalid_nit_is_refused_when_generating():
    with pytest.raises(InvalidTaxId, match="digits only"):
        generate_test_certificate("90012345X", "E")
    with pytest.raises(CertificateError, match="legal name"):
        generate_test_certificate("900123456", " ")
