"""The dev outbox holds reset links: only the dev stack has it, and only an administrator reads it."""
from __future__ import annotations

from urllib.parse import urlparse

from habilita.models import AuditEvent

from .conftest import sign_in
from .test_access_pages import ask_for_reset, reset_link_from_outbox


def test_outside_the_dev_stack_there_is_no_outbox_page_even_for_an_admin(app, users):
    browser = app.test_client()
    assert browser.get("/dev/outbox").status_code == 404
    assert sign_in(browser, "admin@habilita.test").status_code == 302
    assert browser.get("/dev/outbox").status_code == 404


def test_on_the_dev_stack_an_anonymous_visitor_is_sent_to_log_in(app_with, users):
    dev_stack = app_with(HABILITA_DEV_STACK="1")
    ask_for_reset(dev_stack.test_client(), "auditor@habilita.test")
    answer = dev_stack.test_client().get("/dev/outbox")
    assert answer.status_code == 302 and urlparse(answer.location).path == "/auth/login"
    assert "/auth/reset/" not in answer.get_data(as_text=True)


def test_on_the_dev_stack_only_an_administrator_reads_the_outbox(app_with, users):
    dev_stack = app_with(HABILITA_DEV_STACK="1")
    ask_for_reset(dev_stack.test_client(), "auditor@habilita.test")
    link = reset_link_from_outbox()

    support = dev_stack.test_client()
    sign_in(support, "support@habilita.test")
    refused = support.get("/dev/outbox")
    assert refused.status_code == 403 and link not in refused.get_data(as_text=True)
    assert AuditEvent.get(AuditEvent.action == "read_dev_outbox").outcome == "refused"

    admin = dev_stack.test_client()
    sign_in(admin, "admin@habilita.test")
    assert link in admin.get("/dev/outbox").get_data(as_text=True)
