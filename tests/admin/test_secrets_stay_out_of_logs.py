"""No reset token, reset link or password reaches a log line: the log says a reset link went out, and to whom."""
from __future__ import annotations

import logging
import threading

import requests
from werkzeug.serving import make_server

from .conftest import sign_in
from .test_access_pages import ask_for_reset, reset_link_from_outbox, set_password_through


def logged_text(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def test_a_reset_logs_whom_the_link_went_to_and_never_the_link_or_a_password(app, users, caplog):
    caplog.set_level(logging.DEBUG)
    browser = app.test_client()
    sign_in(browser, "auditor@habilita.test", "una-clave-equivocada")
    ask_for_reset(browser, "auditor@habilita.test")
    link = reset_link_from_outbox()
    token = link.rsplit("/", 1)[1]
    set_password_through(browser, link, "recuperada-de-nuevo")
    assert sign_in(browser, "auditor@habilita.test", "recuperada-de-nuevo").status_code == 302

    logged = logged_text(caplog)
    assert "password reset link sent to auditor@habilita.test" in logged
    assert "mail to auditor@habilita.test kept in the outbox" in logged
    for secret in (token, "una-clave-equivocada", "recuperada-de-nuevo"):
        assert secret not in logged


def test_the_request_log_of_a_real_server_blanks_the_token_of_a_reset_link(app, users, caplog):
    caplog.set_level(logging.INFO)
    ask_for_reset(app.test_client(), "auditor@habilita.test")
    link = reset_link_from_outbox()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console", daemon=True)
    thread.start()
    try:
        assert requests.get(f"http://127.0.0.1:{server.server_port}{link}", timeout=10).status_code == 200
    finally:
        server.shutdown()
        thread.join()

    request_log = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("GET /auth/reset/[redacted]" in line for line in request_log), request_log
    assert link.rsplit("/", 1)[1] not in logged_text(caplog)
