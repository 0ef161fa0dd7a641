"""Settings: dev secrets generated once under var/, production refuses to invent them."""
import pytest

from habilita.adapters.secrets_box import DecryptionError, SecretBox
from habilita.settings import Settings, SettingsError


def test_development_generates_its_secrets_once_and_keeps_them(tmp_path):
    first = Settings.from_env({"HABILITA_VAR": str(tmp_path)})
    again = Settings.from_env({"HABILITA_VAR": str(tmp_path)})
    assert first.secret_key == again.secret_key and first.encryption_key == again.encryption_key
    assert (tmp_path / "encryption_key").stat().st_mode & 0o777 == 0o600


def test_production_requires_its_secrets(tmp_path):
    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        Settings.from_env({"HABILITA_ENV": "production", "HABILITA_VAR": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def test_a_malformed_number_names_its_variable(tmp_path):
    with pytest.raises(SettingsError, match="TEST_SET_INVOICES must be a whole number"):
        Settings.from_env({"HABILITA_VAR": str(tmp_path), "TEST_SET_INVOICES": "sixty"})


def test_the_secret_box_refuses_altered_data_and_other_keys(tmp_path):
    box = SecretBox(Settings.from_env({"HABILITA_VAR": str(tmp_path)}).encryption_key)
    sealed = box.encrypt(b"PIN 12345", context=b"software:1")
    assert box.decrypt(sealed, context=b"software:1") == b"PIN 12345"
    with pytest.raises(DecryptionError):
        box.decrypt(sealed[:-1] + bytes([sealed[-1] ^ 1]), context=b"software:1")
    with pytest.raises(DecryptionError):
        box.decrypt(sealed, context=b"software:2")
    other = SecretBox(Settings.from_env({"HABILITA_VAR": str(tmp_path / "other")}).encryption_key)
    with pytest.raises(DecryptionError):
        other.decrypt(sealed, context=b"software:1")
