"""The key vault: signing keys sealed at rest, opened once per certificate; the provider's key, loaded once."""
from __future__ import annotations

import functools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from habilita.activities.certificates import CertificateActivities, KeyVault, store_certificate
from habilita.dian.certificates import generate_test_certificate
from habilita.adapters.secrets_box import DecryptionError, SecretBox
from habilita.models import SigningCertificate
from tests.harness import TEST_ENCRYPTION_KEY


@pytest.fixture
def stored(db, company):
    key = generate_test_certificate(company.tax_id, company.legal_name)
    row = store_certificate(KeyVault(SecretBox(TEST_ENCRYPTION_KEY)), key, company_id=company.id,
                            source_key="wf-1:own-certificate")
    return key, row


def test_a_stored_key_opens_in_another_worker_and_signs_for_its_certificate(stored):
    key, row = stored
    opened = KeyVault(SecretBox(TEST_ENCRYPTION_KEY)).certified_key(row.id)

    signature = opened.private_key.sign(b"factura", padding.PKCS1v15(), hashes.SHA256())
    key.certificate.public_key().verify(signature, b"factura", padding.PKCS1v15(), hashes.SHA256())
    assert opened.certificate == key.certificate


def test_the_vault_that_stored_a_key_keeps_it_open_and_others_open_it_once(company, db):
    vault = KeyVault(SecretBox(TEST_ENCRYPTION_KEY))
    key = generate_test_certificate(company.tax_id, company.legal_name)
    row = store_certificate(vault, key, company_id=company.id, source_key="wf-2:own-certificate")
    other = KeyVault(SecretBox(TEST_ENCRYPTION_KEY))

    assert vault.certified_key(row.id) is key
    assert other.certified_key(row.id) is other.certified_key(row.id)


def test_storing_again_under_the_same_source_keeps_the_first_key(stored, company):
    key, row = stored
    vault = KeyVault(SecretBox(TEST_ENCRYPTION_KEY))
    second = generate_test_certificate(company.tax_id, company.legal_name)

    again = store_certificate(vault, second, company_id=company.id, source_key="wf-1:own-certificate")

    assert again.id == row.id
    assert vault.certified_key(row.id).certificate == key.certificate


def test_an_altered_sealed_key_is_refused_not_opened(stored):
    _, row = stored
    sealed = bytearray(row.sealed_key)
    sealed[-1] ^= 1
    SigningCertificate.update(sealed_key=bytes(sealed)).where(SigningCertificate.id == row.id).execute()

    with pytest.raises(DecryptionError, match="altered"):
        KeyVault(SecretBox(TEST_ENCRYPTION_KEY)).certified_key(row.id)


def test_loans_arriving_together_load_the_providers_key_once():
    loads = []

    def load():
        loads.append(threading.get_ident())
        time.sleep(0.05)  # as long as a PKCS#12 key derivation and an RSA key check
        return "the provider's key"

    activities = CertificateActivities(billing=None, vault=None, box=None, provider_key=functools.cache(load))
    with ThreadPoolExecutor(max_workers=4) as pool:
        keys = list(pool.map(lambda _: activities._provider(), range(4)))

    assert keys == ["the provider's key"] * 4
    assert len(loads) == 1
