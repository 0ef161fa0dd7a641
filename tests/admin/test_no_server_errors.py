"""No route answers 500: every route the console registers, as every role and as nobody, with
junk input, with and without a valid form token, and with Temporal unreachable.

A page that cannot be made without Temporal answers 503 and says so in Spanish; the process page
still shows the projection. Routes are discovered from the app, so a new route is crawled
without being listed here.
"""
from __future__ import annotations

import re

import pytest

from habilita.models import ProcessRecord

from .conftest import csrf_from, sign_in

WORKFLOW_ID = "einvoicing-CO-900123456"
TEMPORAL_DOWN = "Temporal, donde corren los procesos, no responde en este momento; no se hizo nada."
# A value for each URL parameter the console's routes take.
SAMPLE_ARGUMENTS = {"workflow_id": WORKFLOW_ID, "action_name": "submit_dian_registration", "file_id": "1",
                    "export_type": "csv", "export_format": "csv", "token": "no-such-token",
                    "filename": "no-such-file.css", "invitation_id": "1", "job_id": "no-such-job",
                    "order_id": "2000000001"}
JUNK = {"reason": "\x00" * 3 + "<script>alert(1)</script>", "workflow_id": ["'; DROP TABLE user; --", WORKFLOW_ID],
        "action": "retry", "step": "x" * 5000, "id": "-1", "email": "\u0663\u0664@x", "password": "\x07",
        "company_id": "١٢", "process_type": "einvoicing", "test_set_id": "=HYPERLINK(\"x\")", "pin": "😀"}


def routes(app) -> list[tuple[str, str]]:
    """(method, URL) of every route, its parameters filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: SAMPLE_ARGUMENTS[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


@pytest.fixture
def projected(db, company):
    return ProcessRecord.create(workflow_id=WORKFLOW_ID, process_type="einvoicing", company=company,
                                current_step="dian_registration", status="waiting", waiting_on="staff")


@pytest.mark.parametrize("role", ["anonymous", "onboarding", "support", "auditor", "admin"])
def test_no_route_answers_500_with_junk_input_and_temporal_unreachable(app, users, projected, role):
    browser = app.test_client()
    if role != "anonymous":
        assert sign_in(browser, f"{role}@habilita.test").status_code == 302
    token = csrf_from(browser.get("/auth/login").get_data(as_text=True)) if role == "anonymous" else \
        csrf_from(browser.get("/admin/company/new/").get_data(as_text=True)) if role in ("onboarding", "admin") else ""
    crashed = []
    for method, url in routes(app):
        if url == "/auth/logout":
            continue  # would end the session the rest of the crawl runs in
        if method == "GET":
            answers = [browser.get(url), browser.get(url, query_string={"page": "-1", "sort": "x", "flt0_0": "\x00"})]
        else:
            answers = [browser.post(url, data=JUNK), browser.post(url, data={**JUNK, "csrf_token": token})]
        crashed += [f"{method} {url} -> {a.status_code}" for a in answers
                    if a.status_code >= 500 and not (a.status_code == 503 and TEMPORAL_DOWN in a.get_data(as_text=True))]
    assert not crashed, "\n".join(crashed)
    if role != "anonymous":
        assert browser.get(f"/admin/process/{WORKFLOW_ID}").status_code == 200, "the page shows the projection"
