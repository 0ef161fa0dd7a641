"""Secrets at rest: every file under var/ that holds one is its owner's alone from its first byte; the
provider's certificate is a password-protected PKCS#12 whose password is in the secret store; uploaded
letters are sealed with the application key, and migration 008 seals the ones stored before."""
from __future__ import annotations

import base64
import os
import stat
from hashlib import sha256
from pathlib import Path

import peewee
import pytest

from habilita.activities.certificates import UnprotectedCertificate, opens_without_password, provider_certified_key
from habilita.activities.uploads import receive_signed_letter
from habilita.adapters.secrets_box import DecryptionError, SecretBox
from habilita.dian.certificates import generate_test_certificate, load_pkcs12
from habilita.models import StoredFile
from habilita.models.database import migration_router, open_database
from habilita.models.files import sealing_context
from habilita.settings import Settings, SettingsError
from habilita.simulators.billing.ledger import Ledger
from habilita.simulators.dian.store import Store
from tests.harness import TEST_BOX, TEST_ENCRYPTION_KEY

SEALED_FILES_MIGRATION = "008_sealed_files"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def readable_umask():
    """The umask most shells have (022): a file created without care would be readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def letter_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


def test_the_dev_secrets_and_the_provider_certificate_password_are_owner_only(tmp_path, readable_umask):
    settings = Settings.from_env({"HABILITA_VAR": str(tmp_path)})

    assert settings.provider_certificate_password, "the dev stack has a password for its provider certificate"
    for name in ("secret_key", "encryption_key", "provider-certificate-password"):
        assert mode_of(tmp_path / name) == 0o600, name
    again = Settings.from_env({"HABILITA_VAR": str(tmp_path)})
    assert again.provider_certificate_password == settings.provider_certificate_password


def test_the_dev_provider_certificate_is_a_password_protected_p12_only_its_owner_reads(tmp_path, readable_umask):
    settings = Settings.from_env({"HABILITA_VAR": str(tmp_path)})
    key = provider_certified_key(p12_path="", password=settings.provider_certificate_password, nit="901000006",
                                 name="Proveedor", var_dir=tmp_path, production=False)

    path = tmp_path / "provider-certificate.p12"
    assert mode_of(path) == 0o600
    assert not opens_without_password(path.read_bytes())
    assert load_pkcs12(path.read_bytes(), settings.provider_certificate_password).certificate == key.certificate


def test_a_dev_certificate_written_without_a_password_is_protected_in_place_with_the_same_key(tmp_path):
    old = generate_test_certificate("901000006", "Proveedor")
    (tmp_path / "provider-certificate.p12").write_bytes(old.to_pkcs12())

    key = provider_certified_key(p12_path="", password="dev-password", nit="901000006", name="Proveedor",
                                 var_dir=tmp_path, production=False)

    data = (tmp_path / "provider-certificate.p12").read_bytes()
    assert key.certificate == old.certificate and not opens_without_password(data)
    assert mode_of(tmp_path / "provider-certificate.p12") == 0o600


def test_a_configured_certificate_needs_its_password_and_an_unprotected_one_is_refused(tmp_path):
    p12 = tmp_path / "provider.p12"
    p12.write_bytes(generate_test_certificate("901000006", "Proveedor").to_pkcs12())
    with pytest.raises(SettingsError, match="PROVIDER_CERTIFICATE_PASSWORD is required"):
        Settings.from_env({"HABILITA_VAR": str(tmp_path), "PROVIDER_CERTIFICATE_P12": str(p12)})
    with pytest.raises(UnprotectedCertificate):
        provider_certified_key(p12_path=str(p12), password="anything", nit="901000006", name="Proveedor",
                               var_dir=tmp_path, production=True)


def test_the_simulators_state_and_the_database_are_owner_only(tmp_path, readable_umask):
    Ledger(tmp_path / "billing-sim.db")  # the CA's private key
    store = Store(str(tmp_path / "dian-sim.db"))  # the software PINs
    database = open_database(f"sqlite:///{tmp_path / 'habilita.db'}")  # session tokens, sealed secrets

    assert mode_of(tmp_path / "billing-sim.db") == 0o600
    assert mode_of(tmp_path / "dian-sim.db") == 0o600
    assert mode_of(tmp_path / "habilita.db") == 0o600
    store.database.close()
    database.close()


def test_an_uploaded_letter_is_sealed_at_rest_and_opens_only_with_the_application_key(db):
    pdf = letter_pdf()
    staged = receive_signed_letter(pdf, "carta-firmada.pdf", box=TEST_BOX)

    stored = StoredFile.get_by_id(staged.stored_file_id)
    assert b"%PDF" not in bytes(stored.content) and stored.size == len(pdf)
    assert stored.read(TEST_BOX) == pdf
    other = SecretBox(base64.urlsafe_b64encode(b"o" * 32).decode())
    with pytest.raises(DecryptionError):
        stored.read(other)


def test_migration_008_seals_the_letters_stored_before_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HABILITA_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY)
    monkeypatch.setenv("HABILITA_VAR", str(tmp_path / "var"))
    database = peewee.SqliteDatabase(str(tmp_path / "before.db"))
    router = migration_router(database)
    router.run([name for name in router.todo if name < SEALED_FILES_MIGRATION][-1])
    pdf = letter_pdf()
    digest = sha256(pdf).hexdigest()
    database.execute_sql('INSERT INTO "stored_file" (sha256, size, media_type, original_name, content, created_at) '
                         "VALUES (?, ?, 'application/pdf', 'carta.pdf', ?, '2026-01-01 00:00:00')",
                         (digest, len(pdf), pdf))

    assert SEALED_FILES_MIGRATION in migration_router(database).run()

    (content,) = database.execute_sql('SELECT content FROM "stored_file"').fetchone()
    assert bytes(content) != pdf
    assert TEST_BOX.decrypt(bytes(content), context=sealing_context(digest)) == pdf
    database.close()
