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


def test_the_console_security_settings_default_to_safe_values(tmp_path):
    settings = Settings.from_env({"HABILITA_VAR": str(tmp_path)})
    assert (settings.dev_stack, settings.trusted_proxies) == (False, 0)
    assert (settings.session_idle_minutes, settings.session_max_hours) == (30, 12)
    tuned = Settings.from_env({"HABILITA_VAR": str(tmp_path), "HABILITA_DEV_STACK": "1",
                               "HABILITA_TRUSTED_PROXIES": "2", "HABILITA_SESSION_IDLE_MINUTES": "10",
                               "HABILITA_SESSION_MAX_HOURS": "8"})
    assert (tuned.dev_stack, tuned.trusted_proxies, tuned.session_idle_minutes, tuned.session_max_hours) == (
        True, 2, 10, 8)


def test_production_refuses_to_run_as_the_dev_stack(tmp_path):
    with pytest.raises(SettingsError, match="HABILITA_DEV_STACK is for the local dev stack"):
        Settings.from_env({"HABILITA_ENV": "production", "HABILITA_VAR": str(tmp_path), "HABILITA_DEV_STACK": "1",
                           "SECRET_KEY": "k", "HABILITA_ENCRYPTION_KEY": "k"})


def test_session_lifetimes_and_proxy_counts_out_of_range_are_refused(tmp_path):
    for name, value in (("HABILITA_TRUSTED_PROXIES", "-1"), ("HABILITA_SESSION_IDLE_MINUTES", "0"),
                        ("HABILITA_SESSION_MAX_HOURS", "0")):
        with pytest.raises(SettingsError, match=f"{name} must be at least"):
            Settings.from_env({"HABILITA_VAR": str(tmp_path), name: value})


def test_the_dev_stack_tells_its_children_they_are_the_dev_stack(tmp_path):
    from habilita.devstack import DevStack

    environment = DevStack(Settings.from_env({"HABILITA_VAR": str(tmp_path)}), root=tmp_path).environment()
    assert Settings.from_env(environment).dev_stack
