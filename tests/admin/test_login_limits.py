"""Guessing passwords: an account waits longer after each failure past the fifth; an address that fails
too often is refused without locking anyone's account; the address is the client's, behind trusted proxies."""
from __future__ import annotations

import datetime as dt

from habilita.console.login_flow import ADDRESS_THROTTLED
from habilita.models import AuditEvent, LoginFailure, utcnow

from .conftest import PASSWORD, sign_in

LOCKED = "Demasiados intentos fallidos. Intente de nuevo en %d minutos"
ADDRESS_REFUSED = "Demasiados intentos fallidos desde su dirección de red"


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def time_passes(minutes: float) -> None:
    """Move every failure ``minutes`` into the past, as if that long had gone by."""
    for failure in LoginFailure.select():
        failure.at -= dt.timedelta(minutes=minutes)
        failure.save()


def test_after_five_failures_an_account_waits_a_minute_and_twice_as_long_after_each_further_one(app, users):
    browser = app.test_client()
    for _ in range(4):
        assert "Usuario o contraseña incorrectos." in sign_in(browser, "support@habilita.test", "no-es-la-clave").text
    fifth = sign_in(browser, "support@habilita.test", "no-es-la-clave")
    assert "Usuario o contraseña incorrectos." in fifth.text
    assert LOCKED % 1 in sign_in(browser, "support@habilita.test", PASSWORD).text, "even the right password waits"

    time_passes(1.5)
    assert LOCKED % 2 not in sign_in(browser, "support@habilita.test", "no-es-la-clave").text
    assert LOCKED % 2 in sign_in(browser, "support@habilita.test", PASSWORD).text
    time_passes(2.5)
    sign_in(browser, "support@habilita.test", "no-es-la-clave")
    assert LOCKED % 4 in sign_in(browser, "support@habilita.test", PASSWORD).text

    time_passes(4.5)
    assert sign_in(browser, "support@habilita.test", PASSWORD).status_code == 302
    assert LoginFailure.select().where(LoginFailure.login == "support@habilita.test").count() == 0


def test_a_user_name_nobody_has_is_locked_the_same_way(app, users):
    browser = app.test_client()
    for _ in range(5):
        sign_in(browser, "nadie@habilita.test", "no-es-la-clave")
    assert LOCKED % 1 in sign_in(browser, "nadie@habilita.test", "no-es-la-clave").text


def test_an_address_trying_many_accounts_is_refused_but_locks_none_of_them(app, users):
    attacker = app.test_client()
    for n in range(19):
        sign_in(attacker, f"persona{n}@habilita.test", "no-es-la-clave", **from_address("198.51.100.7"))
    sign_in(attacker, "auditor@habilita.test", "no-es-la-clave", **from_address("198.51.100.7"))

    refused = sign_in(attacker, "onboarding@habilita.test", PASSWORD, **from_address("198.51.100.7"))
    assert ADDRESS_REFUSED in refused.text
    for _ in range(10):  # refused attempts count against no account
        sign_in(attacker, "auditor@habilita.test", "no-es-la-clave", **from_address("198.51.100.7"))
    assert AuditEvent.select().where(AuditEvent.reason == ADDRESS_THROTTLED).count() == 11

    colleague = app.test_client()
    assert sign_in(colleague, "auditor@habilita.test", PASSWORD, **from_address("203.0.113.20")).status_code == 302
    other = app.test_client()
    assert sign_in(other, "onboarding@habilita.test", PASSWORD, **from_address("203.0.113.21")).status_code == 302

    LoginFailure.update(at=utcnow() - dt.timedelta(minutes=16)).execute()
    assert sign_in(attacker, "support@habilita.test", PASSWORD, **from_address("198.51.100.7")).status_code == 302


def test_behind_a_trusted_proxy_the_client_address_is_the_one_the_proxy_saw(app_with, users):
    console = app_with(HABILITA_TRUSTED_PROXIES="1")
    browser = console.test_client()
    # The client wrote its own X-Forwarded-For entry; the proxy appended the address it saw.
    sign_in(browser, "support@habilita.test", "no-es-la-clave", environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-For": "192.0.2.99, 203.0.113.5"})
    assert LoginFailure.get().address == "203.0.113.5"
    assert AuditEvent.get(AuditEvent.action == "login").detail == "203.0.113.5"


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(app, users):
    browser = app.test_client()
    sign_in(browser, "support@habilita.test", "no-es-la-clave", environ_base={"REMOTE_ADDR": "10.0.0.2"},
            headers={"X-Forwarded-For": "203.0.113.5"})
    assert LoginFailure.get().address == "10.0.0.2"
