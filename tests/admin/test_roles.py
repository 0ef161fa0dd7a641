"""Roles are enforced on the server, on every view and action."""
from __future__ import annotations

from habilita.console.access import WRITE_ENDPOINTS
from habilita.models import AuditEvent, Company

from .conftest import csrf_from
from .test_routes_require_login import sample_url

# Personal pages every signed-in person may post to: their own session and password.
PERSONAL = {"auth.login", "auth.logout", "auth.profile", "auth.forgot_password", "auth.reset_password"}


def write_routes(app):
    """(method, rule) for every route that changes something."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PERSONAL or rule.endpoint.startswith(("outbox.", "company_link.")):
            continue  # company_link: the invitation is the credential, not a role (test_invitations.py)
        view_name = rule.endpoint.rsplit(".", 1)[-1]
        if "POST" in rule.methods:
            found.append(("POST", rule))
        elif view_name in WRITE_ENDPOINTS:
            found.append(("GET", rule))
        if "POST" in rule.methods and view_name in WRITE_ENDPOINTS and "GET" in rule.methods:
            found.append(("GET", rule))
    return found


def test_an_auditor_gets_403_on_every_write_route_and_action(app, as_role, company):
    browser = as_role("auditor")
    token = csrf_from(browser.get("/auth/profile").get_data(as_text=True))
    routes = write_routes(app)
    assert {r.endpoint for _, r in routes} >= {"company.create_view", "company.edit_view", "process.start",
                                               "process.act", "processrecord.action_view", "user.create_view"}
    for method, rule in routes:
        url = sample_url(app, rule)
        response = browser.open(url, method=method, data={"csrf_token": token, "company_id": company.id,
                                                          "process_type": "einvoicing", "legal_name": "X"})
        assert response.status_code == 403, f"{method} {url} answered {response.status_code}"
    assert Company.select().count() == 1


def test_a_refused_write_is_audited_with_the_actor_and_the_reason(as_role, company):
    browser = as_role("auditor")
    browser.get(f"/admin/company/edit/?id={company.id}")
    refusal = AuditEvent.select().where(AuditEvent.outcome == "refused").order_by(AuditEvent.id.desc()).first()
    assert refusal.actor == "auditor@habilita.test"
    assert "read-only" in refusal.reason
    assert refusal.target_id == str(company.id)


def test_an_auditor_reads_every_list_and_page(as_role, company):
    browser = as_role("auditor")
    for url in ("/admin/", "/admin/company/", f"/admin/company/details/?id={company.id}", "/admin/processrecord/",
                "/admin/auditevent/", "/admin/processrecord/export/csv/"):
        assert browser.get(url).status_code == 200, url


def test_an_auditor_is_not_offered_buttons_that_would_be_refused(as_role, company):
    page = as_role("auditor").get(f"/admin/company/details/?id={company.id}").get_data(as_text=True)
    assert "start-process" not in page


def test_only_an_admin_manages_users(as_role):
    assert as_role("onboarding").get("/admin/user/").status_code == 403
    assert as_role("support").get("/admin/user/new/").status_code == 403
    assert as_role("admin").get("/admin/user/").status_code == 200


def test_onboarding_creates_companies_but_support_does_not(as_role):
    assert as_role("onboarding").get("/admin/company/new/").status_code == 200
    assert as_role("support").get("/admin/company/new/").status_code == 403


def test_the_company_list_offers_create_only_to_those_who_may(as_role):
    assert "/admin/company/new/" not in as_role("auditor").get("/admin/company/").get_data(as_text=True)
    assert "/admin/company/new/" in as_role("onboarding").get("/admin/company/").get_data(as_text=True)
