"""Keys from outside are checked in a helper process: sound ones pass, broken ones are refused naming why,
a helper that hangs or dies is replaced, and a broken key from the certificate authority fails the issuance
for good without storing anything."""
from __future__ import annotations

import os
import signal
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from habilita.activities.certificates import CertificateActivities, IssueOwnCertificate, KeyVault
from habilita.activities.representatives import LegalRepresentative, seal_representative
from habilita.adapters.billing import IssuedCertificate
from habilita.adapters.helper_process import HelperUnavailable
from habilita.adapters.key_check import MAX_KEY_BYTES, KeyChecker
from habilita.adapters.secrets_box import SecretBox
from habilita.dian.certificates import generate_test_ca, issue_certificate
from habilita.dian.errors import CertificateError
from habilita.models import Representative, SigningCertificate
from tests.harness import TEST_ENCRYPTION_KEY


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def inconsistent(key: rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    """``key`` with its private exponent off by two: the public half still matches its certificate."""
    n = key.private_numbers()
    return rsa.RSAPrivateNumbers(p=n.p, q=n.q, d=n.d + 2, dmp1=n.dmp1, dmq1=n.dmq1, iqmp=n.iqmp,
                                 public_numbers=n.public_numbers).private_key(unsafe_skip_rsa_key_validation=True)


@pytest.fixture(scope="module")
def sound_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def checker():
    checker = KeyChecker(seconds=2)
    yield checker
    checker.close()


def test_a_sound_key_passes_checked_in_another_process(checker, sound_key):
    checker.check(pem(sound_key))

    assert checker.pid is not None and checker.pid != os.getpid()


@pytest.mark.parametrize("key_pem, reason", [
    (None, "Invalid private key"),
    (b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n", "cannot read the PEM private key"),
    (b"not a key", "cannot read the PEM private key"),
    (b"x" * (MAX_KEY_BYTES + 1), "more than"),
])
def test_a_broken_key_is_refused_naming_why(checker, sound_key, key_pem, reason):
    with pytest.raises(CertificateError, match=reason):
        checker.check(key_pem if key_pem is not None else pem(inconsistent(sound_key)))


def test_a_helper_that_does_not_answer_is_replaced_and_the_check_says_so_in_time(checker, sound_key):
    checker.check(pem(sound_key))
    stuck = checker.pid
    os.kill(stuck, signal.SIGSTOP)

    started = time.monotonic()
    with pytest.raises(HelperUnavailable, match="did not answer within 2 s"):
        checker.check(pem(sound_key))
    took = time.monotonic() - started
    checker.check(pem(sound_key))

    assert 2 <= took < 5, took
    assert checker.pid not in (None, stuck)
    with pytest.raises(ProcessLookupError):
        os.kill(stuck, 0)


def test_a_helper_that_died_is_replaced_by_the_next_check(checker, sound_key):
    checker.check(pem(sound_key))
    dead = checker.pid
    os.kill(dead, signal.SIGKILL)
    time.sleep(0.2)

    checker.check(pem(sound_key))

    assert checker.pid not in (None, dead)


class OneCertificateAuthority:
    """The billing port, answering every issuance with one key and its certificate."""

    def __init__(self, key: rsa.RSAPrivateKey, nit: str, legal_name: str) -> None:
        ca = generate_test_ca()
        cert = issue_certificate(ca=ca, nit=nit, legal_name=legal_name, public_key=key.public_key())
        self.issued = IssuedCertificate(
            serial_number=format(cert.serial_number, "x"), key_pem=pem(key),
            cert_pem=cert.public_bytes(serialization.Encoding.PEM),
            chain_pem=ca.certificate.public_bytes(serialization.Encoding.PEM))

    def issue_certificate(self, **request) -> IssuedCertificate:
        return self.issued


def issue(company, key: rsa.RSAPrivateKey, checker: KeyChecker):
    box = SecretBox(TEST_ENCRYPTION_KEY)
    sealed = seal_representative(box, LegalRepresentative(
        actor="staff", full_name="Ana María Gómez", document_type="CC", document_number="52123456",
        email="ana@example.co", phone="3001234567", position="Gerente general"))
    representative = Representative.create(company=company, source_key="wf-key:representative", sealed=sealed)
    activities = CertificateActivities(billing=OneCertificateAuthority(key, company.tax_id, company.legal_name),
                                       vault=KeyVault(box), box=box, provider_key=None, key_checker=checker)
    return ActivityEnvironment().run(activities.issue_own_certificate, IssueOwnCertificate(
        workflow_id="wf-key", company_id=company.id, representative_id=representative.id, order_id="ORD-1"))


def test_a_broken_key_from_the_authority_fails_the_issuance_for_good_and_stores_nothing(company, checker, sound_key):
    with pytest.raises(ApplicationError) as failure:
        issue(company, inconsistent(sound_key), checker)

    assert failure.value.type == "CertificateUnusable" and failure.value.non_retryable
    assert "unusable key or certificate: cannot read the PEM private key: Invalid private key" in str(failure.value)
    assert SigningCertificate.select().count() == 0


def test_a_sound_key_from_the_authority_is_stored_and_signs(company, checker, sound_key):
    ref = issue(company, sound_key, checker)

    opened = KeyVault(SecretBox(TEST_ENCRYPTION_KEY)).certified_key(ref.certificate_id)
    assert opened.private_key.private_numbers() == sound_key.private_numbers()
    assert checker.pid is not None
