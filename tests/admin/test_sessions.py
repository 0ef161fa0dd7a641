"""Sessions end at logout and with a new password (copies of the cookie included), after a while idle,
and a while after logging in; the cookie is HttpOnly and SameSite=Lax, and Secure (with HSTS) in production."""
from __future__ import annotations

from urllib.parse import urlparse

from habilita.console.sessions import SEEN_AT, SIGNED_IN_AT
from habilita.models import User

from .conftest import PASSWORD, csrf_from, sign_in
from .test_access_pages import ask_for_reset, reset_link_from_outbox, set_password_through


def copy_of_session(app, browser):
    """Another browser holding a copy of ``browser``'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def opens_the_console(browser) -> bool:
    answer = browser.get("/admin/")
    assert answer.status_code == 200 or urlparse(answer.location).path == "/auth/login"
    return answer.status_code == 200


def clocks_back(browser, *, idle_minutes: float = 0, since_login_minutes: float = 0) -> None:
    with browser.session_transaction() as session:
        session[SEEN_AT] -= idle_minutes * 60
        session[SIGNED_IN_AT] -= since_login_minutes * 60


def test_a_cookie_copied_before_logout_no_longer_opens_the_console(app, as_role):
    browser = as_role("auditor")
    thief = copy_of_session(app, browser)
    assert opens_the_console(thief)

    browser.post("/auth/logout", data={"csrf_token": csrf_from(browser.get("/auth/profile").text)})
    assert not opens_the_console(browser)
    assert not opens_the_console(thief)


def test_logging_out_ends_the_other_sessions_of_the_person_too(app, as_role):
    laptop, phone = as_role("auditor"), as_role("auditor")
    laptop.post("/auth/logout", data={"csrf_token": csrf_from(laptop.get("/auth/profile").text)})
    assert not opens_the_console(phone)


def test_a_new_password_ends_every_other_session_and_keeps_this_one(app, as_role):
    browser = as_role("support")
    thief = copy_of_session(app, browser)
    page = browser.get("/auth/profile").text
    changed = browser.post("/auth/profile", data={"csrf_token": csrf_from(page), "current": PASSWORD,
                                                  "password": "otra-frase-larga-2025",
                                                  "confirm": "otra-frase-larga-2025"})
    assert changed.status_code == 302
    assert opens_the_console(browser)
    assert not opens_the_console(thief)


def test_a_password_reset_through_the_mailed_link_ends_every_session(app, as_role):
    browser = as_role("onboarding")
    ask_for_reset(app.test_client(), "onboarding@habilita.test")
    set_password_through(app.test_client(), reset_link_from_outbox(), "recuperada-por-correo")
    assert not opens_the_console(browser)


def test_a_user_added_before_session_tokens_gets_one_at_login(app, users):
    User.update(session_token="").where(User.email == "auditor@habilita.test").execute()
    browser = app.test_client()
    sign_in(browser, "auditor@habilita.test")
    assert opens_the_console(browser)
    assert len(User.by_email("auditor@habilita.test").session_token) == 32


def test_a_session_idle_longer_than_half_an_hour_ends(app, as_role):
    browser = as_role("auditor")
    clocks_back(browser, idle_minutes=29)
    assert opens_the_console(browser), "29 minutes idle is within the limit"
    clocks_back(browser, idle_minutes=31)
    assert not opens_the_console(browser)
    assert "Su sesión expiró. Ingrese de nuevo." in browser.get("/auth/login").text


def test_a_session_ends_twelve_hours_after_login_however_active(app, as_role):
    browser = as_role("auditor")
    clocks_back(browser, since_login_minutes=11 * 60 + 59)
    assert opens_the_console(browser)
    clocks_back(browser, since_login_minutes=2)
    assert not opens_the_console(browser)


def test_the_lifetimes_follow_the_settings(app_with, users):
    console = app_with(HABILITA_SESSION_IDLE_MINUTES="5", HABILITA_SESSION_MAX_HOURS="1")
    idle, old = console.test_client(), console.test_client()
    sign_in(idle, "auditor@habilita.test")
    sign_in(old, "auditor@habilita.test")
    clocks_back(idle, idle_minutes=6)
    clocks_back(old, since_login_minutes=61)
    assert not opens_the_console(idle) and not opens_the_console(old)


def session_cookie(answer) -> str:
    (cookie,) = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_session_cookie_is_http_only_and_same_site_lax_and_not_secure_on_the_dev_stack(app_with, users):
    console = app_with(HABILITA_DEV_STACK="1")
    answer = sign_in(console.test_client(), "auditor@habilita.test")
    cookie = session_cookie(answer)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Strict-Transport-Security" not in answer.headers


def test_in_production_the_cookie_is_secure_and_the_browser_is_told_to_use_https_only(app_with, users):
    console = app_with(HABILITA_ENV="production", SMTP_URL="smtp://127.0.0.1:25")
    answer = sign_in(console.test_client(), "auditor@habilita.test", base_url="https://localhost")
    cookie = session_cookie(answer)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
