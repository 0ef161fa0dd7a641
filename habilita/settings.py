"""Settings from environment variables, with defaults for the dev stack.

In development (the default) the secrets the stack needs are generated once
under ``var/`` and reused; with ``HABILITA_ENV=production`` they must come
from the environment and nothing is generated.
"""
from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from habilita.inputs.identifiers import is_guid, is_pin
from habilita.private_files import create_private


class SettingsError(RuntimeError):
    """A setting is missing or malformed."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _number(env: dict, name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


def _at_least(env: dict, name: str, default: int, minimum: int) -> int:
    value = _number(env, name, default)
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _provider_software(env: dict) -> tuple[str, str]:
    """PROVIDER_SOFTWARE_ID (a GUID) and PROVIDER_SOFTWARE_PIN (5 digits): both or neither."""
    software_id = env.get("PROVIDER_SOFTWARE_ID", "").strip()
    pin = env.get("PROVIDER_SOFTWARE_PIN", "").strip()
    if bool(software_id) != bool(pin):
        raise SettingsError("PROVIDER_SOFTWARE_ID and PROVIDER_SOFTWARE_PIN are set together, or neither")
    if software_id and not is_guid(software_id):
        raise SettingsError("PROVIDER_SOFTWARE_ID must be the GUID DIAN gave the provider's software")
    if pin and not is_pin(pin):
        raise SettingsError("PROVIDER_SOFTWARE_PIN must be 5 digits (0-9)")
    return software_id, pin


def _dev_secret(var_dir: Path, name: str, make) -> str:
    """Read ``var/<name>``, creating it with ``make()`` on first start, readable by its owner alone
    from its first byte (two parts of the stack starting at once agree on the first one written)."""
    path = var_dir / name
    if not path.exists():
        create_private(path, make().encode())
    return path.read_text().strip()


def _provider_certificate_password(env: dict, var_dir: Path, production: bool) -> str:
    """The password of the provider's PKCS#12: from the secret store (the environment), or in
    development generated under ``var/`` with the other dev secrets, for the certificate generated there.

    The certificate is always password-protected: a configured one without its password is refused.
    """
    password = env.get("PROVIDER_CERTIFICATE_PASSWORD", "")
    if password:
        return password
    if env.get("PROVIDER_CERTIFICATE_P12"):
        raise SettingsError("PROVIDER_CERTIFICATE_PASSWORD is required with PROVIDER_CERTIFICATE_P12: "
                            "the provider's certificate is kept in a password-protected PKCS#12")
    if production:
        return ""  # no certificate configured: lending one is refused when it is needed (activities.certificates)
    return _dev_secret(var_dir, "provider-certificate-password", lambda: secrets.token_urlsafe(32))


@dataclass(frozen=True)
class Settings:
    environment: str
    var_dir: Path
    database_url: str
    temporal_address: str
    temporal_namespace: str
    task_queue: str
    temporal_tls: bool
    temporal_tls_cert: str
    temporal_tls_key: str
    temporal_api_key: str
    temporal_ui_url: str
    secret_key: str
    encryption_key: str
    dian_url: str
    admin_host: str
    admin_port: int
    smtp_url: str
    mail_from: str
    # The console's language (a catalog under habilita/translations), and the CLI's.
    admin_locale: str = "es"
    cli_locale: str = "es"
    # P1/P2 enablement: the certificate seller (billing + CA), the provider
    # whose certificate is lent, and the size of DIAN's test set.
    billing_url: str = "http://127.0.0.1:8091"
    provider_nit: str = "901000006"
    provider_name: str = "Habilita Proveedor Tecnologico SAS"
    provider_certificate_p12: str = ""
    provider_certificate_password: str = ""
    # The provider's own software at DIAN, which companies in provider mode invoice with (its PIN is a
    # secret). Empty: provider-mode registrations must give them, or are refused.
    provider_software_id: str = ""
    provider_software_pin: str = ""
    test_set_invoices: int = 60
    test_set_credit_notes: int = 20
    test_set_debit_notes: int = 20
    # P3: documents posted per page (one transaction) by the accounting sync.
    accounting_page_size: int = 1000
    # Where people reach the console from outside (links in e-mails are built on it, never on a request's
    # Host header); empty: http://ADMIN_HOST:ADMIN_PORT.
    public_url: str = ""
    # Seconds a call to DIAN or billing may take to connect, and then to answer: a slow side is
    # given up on and retried, never waited on for minutes.
    outside_connect_seconds: int = 5
    outside_read_seconds: int = 20
    # Set by `habilita dev` for its children: the console is the local dev stack (the mail outbox
    # page exists only there). Never on in production.
    dev_stack: bool = False
    # How many reverse proxies in front of the console set X-Forwarded-For/-Proto; 0 trusts none.
    trusted_proxies: int = 0
    # A console session ends after this long without a request, and this long after logging in.
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # P4 sales channels: the ERP's API, the marketplace's API (its token, for the hub's application),
    # where the notification receiver listens, and how often each connection reconciles recent orders.
    erp_url: str = "http://127.0.0.1:8093"
    erp_partner_id: str = "habilita"
    marketplace_url: str = "http://127.0.0.1:8094"
    marketplace_token: str = ""
    marketplace_app_id: str = "5001"
    receiver_host: str = "127.0.0.1"
    receiver_port: int = 8095
    reconcile_seconds: int = 60

    @property
    def console_url(self) -> str:
        """The console's address as people reach it: ``HABILITA_PUBLIC_URL``, else the local one."""
        return self.public_url or f"http://{self.admin_host}:{self.admin_port}"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        environment = env.get("HABILITA_ENV", "development")
        var_dir = Path(env.get("HABILITA_VAR", "var")).absolute()
        production = environment == "production"
        dev_stack = _flag(env.get("HABILITA_DEV_STACK"))
        if production and dev_stack:
            raise SettingsError("HABILITA_DEV_STACK is for the local dev stack, never with HABILITA_ENV=production")

        def secret(name: str, file_name: str, make) -> str:
            value = env.get(name, "")
            if value:
                return value
            if production:
                raise SettingsError(f"{name} is required when HABILITA_ENV=production")
            return _dev_secret(var_dir, file_name, make)

        provider_software = _provider_software(env)
        return cls(
            environment=environment,
            var_dir=var_dir,
            database_url=env.get("DATABASE_URL", f"sqlite:///{var_dir / 'habilita.db'}"),
            temporal_address=env.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
            temporal_namespace=env.get("TEMPORAL_NAMESPACE", "habilita"),
            task_queue=env.get("TEMPORAL_TASK_QUEUE", "habilita"),
            temporal_tls=_flag(env.get("TEMPORAL_TLS")),
            temporal_tls_cert=env.get("TEMPORAL_TLS_CERT", ""),
            temporal_tls_key=env.get("TEMPORAL_TLS_KEY", ""),
            temporal_api_key=env.get("TEMPORAL_API_KEY", ""),
            temporal_ui_url=env.get("TEMPORAL_UI_URL", "http://127.0.0.1:8233"),
            secret_key=secret("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(48)),
            encryption_key=secret(
                "HABILITA_ENCRYPTION_KEY", "encryption_key",
                lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            ),
            dian_url=env.get("DIAN_URL", "http://127.0.0.1:8090/WcfDianCustomerServices.svc"),
            admin_host=env.get("ADMIN_HOST", "127.0.0.1"),
            admin_port=_number(env, "ADMIN_PORT", 5000),
            smtp_url=env.get("SMTP_URL", ""),
            mail_from=env.get("MAIL_FROM", "habilita@localhost"),
            admin_locale=env.get("ADMIN_LOCALE", "es"),
            cli_locale=env.get("HABILITA_LOCALE", env.get("ADMIN_LOCALE", "es")),
            billing_url=env.get("BILLING_URL", "http://127.0.0.1:8091"),
            provider_nit=env.get("PROVIDER_NIT", "901000006"),
            provider_name=env.get("PROVIDER_NAME", "Habilita Proveedor Tecnologico SAS"),
            provider_certificate_p12=env.get("PROVIDER_CERTIFICATE_P12", ""),
            provider_certificate_password=_provider_certificate_password(env, var_dir, production),
            provider_software_id=provider_software[0],
            provider_software_pin=provider_software[1],
            test_set_invoices=_number(env, "TEST_SET_INVOICES", 60),
            test_set_credit_notes=_number(env, "TEST_SET_CREDIT_NOTES", 20),
            test_set_debit_notes=_number(env, "TEST_SET_DEBIT_NOTES", 20),
            accounting_page_size=_number(env, "ACCOUNTING_PAGE_SIZE", 1000),
            public_url=env.get("HABILITA_PUBLIC_URL", "").rstrip("/"),
            outside_connect_seconds=_number(env, "HABILITA_OUTSIDE_CONNECT_SECONDS", 5),
            outside_read_seconds=_number(env, "HABILITA_OUTSIDE_READ_SECONDS", 20),
            dev_stack=dev_stack,
            trusted_proxies=_at_least(env, "HABILITA_TRUSTED_PROXIES", 0, 0),
            session_idle_minutes=_at_least(env, "HABILITA_SESSION_IDLE_MINUTES", 30, 1),
            session_max_hours=_at_least(env, "HABILITA_SESSION_MAX_HOURS", 12, 1),
            erp_url=env.get("ERP_URL", "http://127.0.0.1:8093").rstrip("/"),
            erp_partner_id=env.get("ERP_PARTNER_ID", "habilita"),
            marketplace_url=env.get("MARKETPLACE_URL", "http://127.0.0.1:8094").rstrip("/"),
            marketplace_token=env.get("MARKETPLACE_TOKEN", ""),
            marketplace_app_id=env.get("MARKETPLACE_APP_ID", "5001"),
            receiver_host=env.get("RECEIVER_HOST", "127.0.0.1"),
            receiver_port=_number(env, "RECEIVER_PORT", 8095),
            reconcile_seconds=_at_least(env, "HABILITA_RECONCILE_SECONDS", 60, 1),
        )
