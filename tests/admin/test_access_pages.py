"""Logging in and out, the first password, forgotten passwords and throttling."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

from habilita.models import AuditEvent, LoginFailure, OutboxMessage, PasswordResetToken, User, utcnow

from .conftest import PASSWORD, csrf_from, make_user, sign_in


def test_a_person_logs_in_and_lands_on_the_home_page(app, users):
    browser = app.test_client()
    answer = sign_in(browser, "onboarding@habilita.test")
    assert urlparse(answer.location).path == "/admin/"
    assert "Accesos directos" in browser.get("/admin/").get_data(as_text=True)
    assert AuditEvent.get(AuditEvent.action == "login").actor == "onboarding@habilita.test"


def test_a_wrong_password_says_so_without_telling_who_exists(app, users):
    browser = app.test_client()
    wrong = sign_in(browser, "onboarding@habilita.test", "not-the-password-1")
    unknown = sign_in(browser, "nobody@habilita.test", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 200
    assert "Usuario o contraseña incorrectos." in wrong.get_data(as_text=True)
    assert "Usuario o contraseña incorrectos." in unknown.get_data(as_text=True)


def test_a_login_post_without_its_csrf_token_is_refused(app, users):
    browser = app.test_client()
    answer = browser.post("/auth/login", data={"email": "onboarding@habilita.test", "password": PASSWORD})
    assert answer.status_code == 200
    assert "El formulario expiró" in answer.get_data(as_text=True)
    assert urlparse(browser.get("/admin/").location).path == "/auth/login"


def test_repeated_failures_throttle_even_the_right_password(app, users):
    browser = app.test_client()
    for _ in range(5):
        sign_in(browser, "support@habilita.test", "wrong-password-9")
    blocked = sign_in(browser, "support@habilita.test", PASSWORD)
    assert blocked.status_code == 200
    assert "Demasiados intentos fallidos" in blocked.get_data(as_text=True)
    LoginFailure.update(at=utcnow() - dt.timedelta(minutes=16)).execute()
    assert sign_in(browser, "support@habilita.test", PASSWORD).status_code == 302


def test_the_first_login_asks_for_a_new_password_before_anything_else(app, db):
    make_user("nuevo@habilita.test", "onboarding", must_change=True)
    browser = app.test_client()
    answer = sign_in(browser, "nuevo@habilita.test")
    assert urlparse(answer.location).path == "/auth/profile"
    assert urlparse(browser.get("/admin/company/").location).path == "/auth/profile"

    page = browser.get("/auth/profile").get_data(as_text=True)
    weak = browser.post("/auth/profile", data={"csrf_token": csrf_from(page), "current": PASSWORD,
                                               "password": "corta", "confirm": "corta"})
    assert "la contraseña debe tener al menos 12 caracteres" in weak.get_data(as_text=True)
    changed = browser.post("/auth/profile", data={"csrf_token": csrf_from(page), "current": PASSWORD,
                                                  "password": "otra-clave-2025", "confirm": "otra-clave-2025"})
    assert changed.status_code == 302
    assert browser.get("/admin/company/").status_code == 200
    assert not User.by_email("nuevo@habilita.test").must_change_password


def test_logging_out_needs_the_form_token_and_ends_the_session(as_role):
    browser = as_role("auditor")
    assert browser.post("/auth/logout").status_code == 302
    assert browser.get("/admin/").status_code == 200, "a logout without its token changes nothing"
    token = csrf_from(browser.get("/auth/profile").get_data(as_text=True))
    browser.post("/auth/logout", data={"csrf_token": token})
    assert urlparse(browser.get("/admin/").location).path == "/auth/login"


def reset_link_from_outbox() -> str:
    body = OutboxMessage.select().order_by(OutboxMessage.id.desc()).first().body
    return urlparse(re.search(r"http://\S+/auth/reset/\S+", body).group(0)).path


def ask_for_reset(browser, email: str):
    page = browser.get("/auth/forgot").get_data(as_text=True)
    return browser.post("/auth/forgot", data={"csrf_token": csrf_from(page), "email": email})


def set_password_through(browser, link: str, password: str):
    page = browser.get(link).get_data(as_text=True)
    return browser.post(link, data={"csrf_token": csrf_from(page), "password": password, "confirm": password})


def test_a_forgotten_password_is_reset_through_a_single_use_link(app, users):
    browser = app.test_client()
    assert ask_for_reset(browser, "auditor@habilita.test").status_code == 302
    link = reset_link_from_outbox()

    assert urlparse(set_password_through(browser, link, "recuperada-2025").location).path == "/auth/login"
    assert sign_in(browser, "auditor@habilita.test", "recuperada-2025").status_code == 302

    again = app.test_client()
    reused = set_password_through(again, link, "otra-vez-2025x")
    assert urlparse(reused.location).path == "/auth/forgot"
    assert User.by_email("auditor@habilita.test").check_password("recuperada-2025")


def test_a_reset_link_expires(app, users):
    browser = app.test_client()
    ask_for_reset(browser, "support@habilita.test")
    link = reset_link_from_outbox()
    PasswordResetToken.update(expires_at=utcnow() - dt.timedelta(seconds=1)).execute()
    assert urlparse(set_password_through(browser, link, "tarde-2025xx").location).path == "/auth/forgot"
    assert User.by_email("support@habilita.test").check_password(PASSWORD)


def test_asking_for_an_unknown_user_looks_the_same_and_sends_nothing(app, users):
    answer = ask_for_reset(app.test_client(), "nadie@habilita.test")
    assert urlparse(answer.location).path == "/auth/login"
    assert OutboxMessage.select().count() == 0


def test_only_the_newest_reset_link_works(app, users):
    browser = app.test_client()
    ask_for_reset(browser, "admin@habilita.test")
    first = reset_link_from_outbox()
    ask_for_reset(browser, "admin@habilita.test")
    assert urlparse(set_password_through(browser, first, "primera-2025x").location).path == "/auth/forgot"
    assert urlparse(set_password_through(browser, reset_link_from_outbox(), "segunda-2025x").location).path == "/auth/login"


def test_a_reset_link_is_built_on_the_public_address_not_on_a_forged_host(app, users):
    browser = app.test_client()
    forged = "http://atacante.example"  # the Host header an attacker sends
    page = browser.get("/auth/forgot", base_url=forged).get_data(as_text=True)
    browser.post("/auth/forgot", data={"email": "support@habilita.test", "csrf_token": csrf_from(page)},
                 base_url=forged)
    body = OutboxMessage.select().order_by(OutboxMessage.id.desc()).get().body
    assert "atacante.example" not in body
    assert app.extensions["habilita"].settings.console_url + "/auth/reset/" in body
